package io.meshform.cli;

import io.meshform.state.StateBackend;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "force-unlock", description = "Release a Kubernetes state lock whose holder is gone (a local lock ends with its process). Check that no run holds it first.",
        footerHeading = "%nExamples:%n", footer = {"  meshform force-unlock -f stack.yaml 6f1c2d0e-8a1b-4c3d-9e2f-0a1b2c3d4e5f",
                "  meshform force-unlock --state-secret cortex-ops/production 6f1c2d0e-8a1b-4c3d-9e2f-0a1b2c3d4e5f"})
final class ForceUnlockCommand implements Callable<Integer> {
    @Mixin
    StateOptions global;

    @Parameters(paramLabel = "LOCK_ID", description = "The lock ID from the 'state is locked' message (default: none, required).")
    String lockId;

    private final Terminal terminal;

    ForceUnlockCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        try (Workspace ws = new Workspace(global, terminal)) {
            StateBackend backend = ws.lockOnlyBackend("`meshform force-unlock`");
            backend.forceUnlock(lockId);
            terminal.out().println("Released lock " + lockId + " on " + backend.describe() + ".");
            return ExitCodes.OK;
        }
    }
}

package io.meshform.cli;

import io.meshform.state.StateBackend;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "force-unlock", description = "Release a state lock left by a crashed run. Check that no run holds it first.")
final class ForceUnlockCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Parameters(paramLabel = "LOCK_ID", description = "The lock ID from the 'state is locked' message.")
    String lockId;

    private final Terminal terminal;

    ForceUnlockCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        try (Workspace ws = new Workspace(global, terminal)) {
            StateBackend backend = ws.backend();
            backend.forceUnlock(lockId);
            terminal.out().println("Released lock " + lockId + " on " + backend.describe() + ".");
            return ExitCodes.OK;
        }
    }
}

package io.meshform.cli;

import io.meshform.engine.load.StackLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "validate", description = "Check the desired-state file without contacting the cluster.",
        footerHeading = "%nExamples:%n", footer = {
            "  meshform validate -f examples/cortex-production.yaml",
            "  meshform validate -f stack.yaml --var istioVersion=1.30.3"})
final class ValidateCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    private final Terminal terminal;

    ValidateCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        try (Workspace ws = new Workspace(global, terminal)) {
            StackLoader.Loaded loaded = ws.loadStack();
            ws.registry().checks();
            terminal.out().println(ws.style().green("Success!") + " " + global.file + " is valid: stack `"
                    + loaded.stack().name() + "`, " + loaded.stack().resources().size() + " resources"
                    + (loaded.warnings().isEmpty() ? "." : ", " + loaded.warnings().size() + " warnings."));
            return ExitCodes.OK;
        }
    }
}

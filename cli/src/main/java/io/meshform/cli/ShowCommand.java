package io.meshform.cli;

import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanJson;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "show", description = "Print a saved plan, as text or JSON.")
final class ShowCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PLANFILE")
    Path planFile;

    @Mixin
    PlanFormat format;

    @Option(names = "--no-color", description = "No colour.")
    boolean noColor;

    private final Terminal terminal;

    ShowCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        Plan plan;
        try {
            plan = new PlanJson().read(Workspace.read(planFile));
        } catch (IllegalArgumentException e) {
            throw new UserError(planFile + ": " + e.getMessage());
        }
        terminal.out().print(format.render(plan, terminal.style(noColor)));
        return ExitCodes.OK;
    }
}

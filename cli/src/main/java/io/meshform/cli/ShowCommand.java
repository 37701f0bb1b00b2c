package io.meshform.cli;

import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanJson;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "show", description = "Print a saved plan, as text, JSON or Markdown.",
        footerHeading = "%nExamples:%n", footer = {
            "  meshform show prod.plan",
            "  meshform show --markdown prod.plan > plan.md      # a pull-request comment"})
final class ShowCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PLANFILE", description = "A plan saved with `meshform plan --out` (default: none, required).")
    Path planFile;

    @Mixin
    PlanFormat format;

    @Option(names = "--no-color", description = "No colour (default: colour on a terminal, none when NO_COLOR is set).")
    boolean noColor;

    private final Terminal terminal;

    ShowCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        format.refuseBoth("show");
        Plan plan;
        try {
            plan = new PlanJson().read(Workspace.read(planFile, "plan file"));
        } catch (IllegalArgumentException e) {
            throw new UserError(planFile + ": " + e.getMessage());
        }
        terminal.out().print(format.render(plan, terminal.style(noColor)));
        return ExitCodes.OK;
    }
}

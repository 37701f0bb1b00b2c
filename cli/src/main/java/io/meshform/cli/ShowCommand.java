package io.meshform.cli;

import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanJson;
import io.meshform.engine.render.PlanMarkdown;
import io.meshform.engine.render.PlanText;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "show", description = "Print a saved plan, as text or JSON.")
final class ShowCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PLANFILE")
    Path planFile;

    @Option(names = "--json", description = "Print the plan as JSON (docs/plan-json.md).")
    boolean json;

    @Option(names = "--markdown", description = "Print the plan as Markdown, for a pull-request comment.")
    boolean markdown;

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
        terminal.out().print(json ? new PlanJson().write(plan, false)
                : markdown ? new PlanMarkdown().render(plan) : new PlanText(terminal.style(noColor)).render(plan));
        return ExitCodes.OK;
    }
}

package io.meshform.cli;

import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanJson;
import io.meshform.engine.render.PlanMarkdown;
import io.meshform.engine.render.PlanText;
import io.meshform.engine.render.Style;
import picocli.CommandLine.Option;

/** How plan and show print a plan: text (default), JSON or Markdown. */
final class PlanFormat {
    @Option(names = "--json", description = "Print the plan as JSON, docs/plan-json.md (default: off, text).")
    boolean json;

    @Option(names = "--markdown", description = "Print the plan as Markdown for a pull-request comment (default: off, text).")
    boolean markdown;

    /**
     * --json and --markdown are two formats for one output: asking for both is refused, not settled silently. The way
     * to get both is the command's own: show prints a saved plan once per format, and has no --out to save one.
     */
    void refuseBoth(String command) {
        if (json && markdown) {
            throw new UserError("--json and --markdown cannot be combined: the plan is printed in one format; choose one"
                    + (command.equals("show") ? " (run `meshform show` once with each)"
                    : " (save it with --out and print the other with `meshform show --json|--markdown FILE`)"));
        }
    }

    boolean text() {
        return !json && !markdown;
    }

    /** The document a failed plan prints in this format (--json or --markdown): the errors, and that no plan was made. */
    String failure(RuntimeException e) {
        java.util.List<io.meshform.engine.diag.Diagnostic> errors = e instanceof io.meshform.engine.diag.DiagnosticsException d
                ? d.diagnostics()
                : java.util.List.of(io.meshform.engine.diag.Diagnostic.error(
                        e instanceof UserError || e instanceof io.meshform.state.StateException ? e.getMessage() : ErrorText.of(e),
                        null, null));
        if (json) {
            return new PlanJson().failure(MeshformVersion.get(), errors);
        }
        String text = Main.describe(e, Style.plain());
        return "### meshform plan failed\n\nNo plan was made, and nothing was changed.\n\n"
                + io.meshform.engine.render.MarkdownText.codeBlock("", io.meshform.engine.diag.ControlChars.escape(text));
    }

    String render(Plan plan, Style style) {
        if (json) {
            return new PlanJson().write(plan, false);
        }
        return markdown ? new PlanMarkdown().render(plan) : new PlanText(style).render(plan);
    }
}

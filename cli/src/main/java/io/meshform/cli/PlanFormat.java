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

    boolean text() {
        return !json && !markdown;
    }

    String render(Plan plan, Style style) {
        if (json) {
            return new PlanJson().write(plan, false);
        }
        return markdown ? new PlanMarkdown().render(plan) : new PlanText(style).render(plan);
    }
}

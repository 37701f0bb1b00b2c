package io.meshform.engine.render;

import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.ResourceChange;

/** A plan as a pull-request comment: the summary, a table of changes, and the full text plan folded away. */
public final class PlanMarkdown {

    public String render(Plan plan) {
        StringBuilder sb = new StringBuilder("### meshform plan: `").append(plan.stackName()).append("`\n\n");
        if (!plan.hasChanges()) {
            return sb.append("No changes. The cluster matches the stack.\n").toString();
        }
        sb.append("**").append(plan.summary()).append("**\n\n| | resource | why |\n|---|---|---|\n");
        for (ResourceChange c : plan.changes()) {
            if (c.changes()) {
                sb.append("| `").append(c.action().symbol()).append("` | `").append(c.address()).append("` | ")
                        .append(c.reason().replace("|", "\\|")).append(" |\n");
            }
        }
        if (!plan.diagnostics().isEmpty()) {
            sb.append("\n").append(plan.diagnostics().size()).append(" warning(s):\n");
            plan.diagnostics().forEach(d -> sb.append("- ").append(d.summary().replace("\n", " ")).append('\n'));
        }
        sb.append("\n<details><summary>Full plan</summary>\n\n```diff\n")
                .append(new PlanText(Style.plain()).render(plan).replaceAll("(?m)^ {6}([+-])", "$1"))
                .append("```\n</details>\n");
        return sb.toString();
    }
}

package io.meshform.engine.render;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.spi.Action;
import java.util.List;

/**
 * The human form of a plan, in Terraform's shape (so its users read it at once) with one improvement:
 * an update shows a unified YAML diff of what changes, with context, instead of every attribute.
 */
public final class PlanText {
    private static final int CONTEXT_LINES = 2;
    private final Yaml yaml = new Yaml();
    private final Style style;

    public PlanText(Style style) {
        this.style = style;
    }

    public String render(Plan plan) {
        StringBuilder out = new StringBuilder();
        for (Diagnostic d : plan.diagnostics()) {
            out.append(d.isError() ? style.red(d.format()) : style.yellow(d.format())).append("\n\n");
        }
        List<ResourceChange> changes = plan.changes().stream().filter(ResourceChange::changes).toList();
        if (changes.isEmpty()) {
            out.append(style.green("No changes.")).append(plan.destroy()
                    ? " Nothing to destroy: the state records no resources of stack `" + plan.stackName() + "` in this selection.\n"
                    : " The cluster matches the stack `" + plan.stackName() + "`.\n");
            return out.toString();
        }
        out.append("meshform will perform the following actions, in this order:\n\n");
        for (ResourceChange c : changes) {
            renderChange(c, out);
        }
        out.append(style.bold(plan.summary().toString())).append('\n');
        return out.toString();
    }

    private void renderChange(ResourceChange c, StringBuilder out) {
        out.append("  ").append(style.bold("# " + c.address() + " will be " + pastTense(c.action())))
                .append(style.dim(" (" + c.reason() + ")")).append('\n');
        out.append("  ").append(colour(c.action(), c.action().symbol())).append(' ').append(c.address()).append('\n');
        for (String d : c.details()) {
            out.append("      ").append(colourDetail(d)).append('\n');
        }
        switch (c.action()) {
            case CREATE -> prefixed(yaml.write(c.after()), "+", out);
            case DELETE -> prefixed(yaml.write(c.before()), "-", out);
            default -> diff(c, out);
        }
        for (String w : c.warnings()) {
            out.append("      ").append(style.yellow("warning: " + w)).append('\n');
        }
        out.append('\n');
    }

    private void diff(ResourceChange c, StringBuilder out) {
        List<String> before = lines(yaml.write(c.before()));
        List<String> after = lines(yaml.write(c.after()));
        List<String> unified = UnifiedDiffUtils.generateUnifiedDiff("live", "planned", before,
                DiffUtils.diff(before, after), CONTEXT_LINES);
        if (unified.isEmpty() && c.action() == Action.UPDATE) {
            // Same spec, different cluster (drift, or an object that went missing): the details above say where.
            out.append("      ").append(style.dim(c.details().isEmpty()
                    ? "(no declared field differs: the reason above says what apply does)"
                    : "(the declared spec is unchanged; applying it again repairs the objects listed above)")).append('\n');
        }
        for (String line : unified) {
            if (line.startsWith("---") || line.startsWith("+++")) {
                out.append("      ").append(style.bold(line)).append('\n');
            } else if (line.startsWith("@@")) {
                out.append("      ").append(style.dim(line)).append('\n');
            } else if (line.startsWith("+")) {
                out.append("      ").append(style.green(line)).append('\n');
            } else if (line.startsWith("-")) {
                out.append("      ").append(style.red(line)).append('\n');
            } else {
                out.append("      ").append(line).append('\n');
            }
        }
    }

    private void prefixed(String text, String symbol, StringBuilder out) {
        for (String line : lines(text)) {
            out.append("      ").append(symbol.equals("+") ? style.green("+ " + line) : style.red("- " + line)).append('\n');
        }
    }

    private String colourDetail(String d) {
        if (d.startsWith("+")) {
            return style.green(d);
        }
        if (d.startsWith("-")) {
            return style.red(d);
        }
        if (d.startsWith("~")) {
            return style.yellow(d);
        }
        return d;
    }

    private String colour(Action a, String s) {
        return switch (a) {
            case CREATE -> style.green(s);
            case UPDATE -> style.yellow(s);
            case DELETE, REPLACE -> style.red(s);
            default -> s;
        };
    }

    private static String pastTense(Action a) {
        return switch (a) {
            case CREATE -> "created";
            case UPDATE -> "updated in-place";
            case REPLACE -> "replaced";
            case DELETE -> "destroyed";
            case NOOP -> "left unchanged";
        };
    }

    private static List<String> lines(String text) {
        return text.isEmpty() ? List.of() : List.of(text.split("\n", -1)).subList(0, text.endsWith("\n")
                ? text.split("\n", -1).length - 1 : text.split("\n", -1).length);
    }
}

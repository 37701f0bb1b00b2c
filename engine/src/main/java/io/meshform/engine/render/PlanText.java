package io.meshform.engine.render;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.PlanDetail;
import java.util.List;

/**
 * The human form of a plan, in Terraform's shape (so its users read it at once) with one improvement:
 * an update shows a unified YAML diff of what changes, with context, instead of every attribute.
 */
public final class PlanText {
    private static final int CONTEXT_LINES = 2;
    private static final String INDENT = "      ";
    /** As wide as "warning: ", so a warning's later lines start under its first line's text. */
    private static final String WARNING_INDENT = "         ";

    /** Where lines under a change start: indented for a terminal, or at the margin for a Markdown diff block. */
    public enum Layout {
        TERMINAL,
        /** Lines that add or remove start at the margin, so a {@code diff} code block colours them. */
        DIFF
    }

    private final Yaml yaml = new Yaml();
    private final Style style;
    private final Layout layout;

    public PlanText(Style style) {
        this(style, Layout.TERMINAL);
    }

    public PlanText(Style style, Layout layout) {
        this.style = style;
        this.layout = layout;
    }

    public String render(Plan plan) {
        StringBuilder out = new StringBuilder();
        for (Diagnostic d : plan.diagnostics()) {
            out.append(switch (d.severity()) {
                case ERROR -> style.red(d.format());
                case WARNING -> style.yellow(d.format());
                case INFO -> style.dim(d.format());
            }).append("\n\n");
        }
        for (String w : NoChanges.unchanged(plan)) {
            out.append(style.yellow("warning: " + io.meshform.engine.diag.ControlChars.escape(w).strip()
                    .replaceAll("\\R", "\n  "))).append("\n\n");
        }
        List<ResourceChange> changes = plan.changes().stream().filter(ResourceChange::changes).toList();
        if (changes.isEmpty()) {
            out.append(style.green("No changes.")).append(plan.destroy()
                    ? " Nothing to destroy: the state records no resources of stack `" + plan.stackName() + "`"
                            + (plan.partial() ? " in this selection" : "") + ".\n"
                    : plan.partial() ? " " + NoChanges.partial(plan) + NoChanges.warnings(plan, "above") + "\n"
                    : " The cluster matches the stack `" + plan.stackName() + "`." + NoChanges.warnings(plan, "above") + "\n");
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
        out.append("  ").append(style.bold("# " + c.label() + (c.forgets()
                        ? " will no longer be managed by meshform; the object stays in the cluster"
                        : c.dropsRecord() ? " is already deleted; its record will be removed from the state"
                        : c.records() ? " will be recorded in state; nothing changes in the cluster"
                        : c.waitsOnly() ? " will be waited for; nothing in it changes"
                        : c.createsFirst() ? " will be replaced: the new object is applied first, the old one deleted after"
                        : " will be " + pastTense(c.action()))))
                .append(style.dim(" (" + io.meshform.engine.diag.ControlChars.escape(c.reason()) + ")")).append('\n');
        out.append("  ").append(colour(c.action(), c.symbol())).append(' ').append(c.label()).append('\n');
        io.meshform.engine.plan.SerialSteps.waitsFor(c).ifPresent(before -> body(out, style.dim("starts after " + before
                + " has finished: " + io.meshform.engine.diag.ControlChars.escape(
                        c.privateData().getOrDefault(io.meshform.engine.plan.SerialSteps.WHY, ""))), false));
        for (PlanDetail d : c.details()) {
            if (!d.shown()) {
                continue;  // the line above summarises it; the JSON plan keeps it
            }
            body(out, colourDetail(d), d.kind() == PlanDetail.Kind.ADD || d.kind() == PlanDetail.Kind.REMOVE);
        }
        switch (c.action()) {
            case CREATE -> prefixed(yaml.write(c.after()), "+", out);
            case DELETE -> prefixed(yaml.write(c.before()), "-", out);
            default -> diff(c, out);
        }
        for (String w : c.warnings()) {
            // A server's message can span lines (an apply conflict lists one field per line): each continuation
            // line is indented under the text, not left at the margin.
            String[] lines = io.meshform.engine.diag.ControlChars.escape(w).strip().split("\\R");
            body(out, style.yellow("warning: " + lines[0]), false);
            for (int i = 1; i < lines.length; i++) {
                body(out, style.yellow(WARNING_INDENT + lines[i].stripTrailing()), false);
            }
        }
        out.append('\n');
    }

    /**
     * One line under a change. In the terminal layout every such line is indented; in the diff layout a line that
     * adds or removes starts at the margin, where a Markdown {@code diff} block colours it.
     */
    private void body(StringBuilder out, String line, boolean addsOrRemoves) {
        if (!(layout == Layout.DIFF && addsOrRemoves)) {
            out.append(INDENT);
        }
        out.append(line).append('\n');
    }

    /**
     * What the diff's before side is: the live object, except under a create-first replace, whose before side is the
     * state's record of the old object (the one read where the stack now puts it is another object, or none).
     */
    private static String beforeSide(ResourceChange c) {
        return c.createsFirst() ? "recorded" : "live";
    }

    private void diff(ResourceChange c, StringBuilder out) {
        List<String> before = lines(yaml.write(c.before()));
        List<String> after = lines(yaml.write(c.after()));
        List<String> unified = UnifiedDiffUtils.generateUnifiedDiff(beforeSide(c), "planned", before,
                DiffUtils.diff(before, after), CONTEXT_LINES);
        if (unified.isEmpty() && c.records()) {
            body(out, style.dim("(the live object is as declared: apply only writes its state entry)"), false);
        }
        if (unified.isEmpty() && c.waitsOnly()) {
            body(out, style.dim("(the live object is as declared: apply writes it again unchanged and waits for it)"), false);
        } else if (unified.isEmpty() && c.action() == Action.UPDATE) {
            // Same spec, different cluster (drift, or an object that went missing): the details above say where.
            body(out, style.dim(c.details().isEmpty()
                    ? "(no declared field differs: the reason above says what apply does)"
                    : "(the declared spec is unchanged; applying it again repairs the objects listed above)"), false);
        }
        for (String line : unified) {
            boolean marked = line.startsWith("+") || line.startsWith("-");
            if (line.startsWith("---") || line.startsWith("+++")) {
                body(out, style.bold(line), marked);
            } else if (line.startsWith("@@")) {
                body(out, style.dim(line), marked);
            } else if (line.startsWith("+")) {
                body(out, style.green(line), marked);
            } else if (line.startsWith("-")) {
                body(out, style.red(line), marked);
            } else {
                body(out, line, marked);
            }
        }
    }

    private void prefixed(String text, String symbol, StringBuilder out) {
        for (String line : lines(text)) {
            body(out, symbol.equals("+") ? style.green("+ " + line) : style.red("- " + line), true);
        }
    }

    /** A provider's line, control characters escaped: a note may quote the server ({@code ControlChars}). */
    private String colourDetail(PlanDetail d) {
        String line = io.meshform.engine.diag.ControlChars.escape(d.line());
        return switch (d.kind()) {
            case ADD -> style.green(line);
            case REMOVE -> style.red(line);
            case CHANGE -> style.yellow(line);
            case NOTE, FOLDED, UNCHECKED -> line;
        };
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

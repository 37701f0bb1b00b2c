package io.meshform.engine.render;

import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.ResourceChange;
import java.util.List;

/**
 * A plan as a pull-request comment: the summary, a table of changes, and the full text plan folded away. GitHub
 * refuses a comment body over 65,536 characters, so a large plan is cut to fit and says what was left out and
 * where to read it whole.
 */
public final class PlanMarkdown {
    /** GitHub's limit on an issue or pull-request comment body, in characters. */
    public static final int GITHUB_COMMENT_LIMIT = 65_536;
    /** Room left under the limit for what a PR bot adds around the plan (a heading, a link, a marker). */
    static final int MARGIN = 2_048;

    private final int limit;

    public PlanMarkdown() {
        this(GITHUB_COMMENT_LIMIT - MARGIN);
    }

    /** With another size limit (tests; other forges). */
    public PlanMarkdown(int limit) {
        this.limit = limit;
    }

    public String render(Plan plan) {
        StringBuilder sb = new StringBuilder("### meshform plan: `").append(plan.stackName()).append("`\n\n");
        if (!plan.hasChanges()) {
            sb.append(plan.destroy() ? "No changes. Nothing to destroy: the state records no resources.\n"
                    : plan.partial() ? "No changes. " + NoChanges.partial(plan) + NoChanges.warnings(plan, "below") + "\n"
                    : "No changes. The cluster matches the stack." + NoChanges.warnings(plan, "below") + "\n");
            if (plan.diagnostics().isEmpty() && NoChanges.unchanged(plan).isEmpty()) {
                return sb.toString();
            }
            // the checks still speak (a warning, the ingress coverage table): listed, and in full folded below
            diagnostics(sb, plan, limit / 2);
            return folded(sb, plan);
        }
        sb.append("**").append(plan.summary()).append("**\n\n");
        // The table and the warnings get at most half the room; the folded full plan gets the rest.
        int half = limit / 2;
        List<ResourceChange> changed = plan.changes().stream().filter(ResourceChange::changes).toList();
        sb.append("| | resource | why |\n|---|---|---|\n");
        int shown = 0;
        for (ResourceChange c : changed) {
            String row = "| `" + c.symbol() + "` | `" + c.label() + "` | " + cell(c.reason()) + " |\n";
            if (sb.length() + row.length() > half) {
                break;
            }
            sb.append(row);
            shown++;
        }
        if (shown < changed.size()) {
            sb.append("\n_").append(changed.size() - shown).append(" more changes are not listed: this comment would pass GitHub's ")
                    .append(GITHUB_COMMENT_LIMIT).append("-character limit. `meshform show PLANFILE` prints them all._\n");
        }
        diagnostics(sb, plan, half);
        return folded(sb, plan);
    }

    /** The warnings and notes, one line each, within the room GitHub's comment limit leaves. */
    private static void diagnostics(StringBuilder sb, Plan plan, int half) {
        // the warnings of unchanged resources (no row shows them), then the plan's own
        List<String> lines = new java.util.ArrayList<>(NoChanges.unchanged(plan));
        plan.diagnostics().forEach(d -> lines.add(d.summary()));
        if (!lines.isEmpty()) {
            long infos = plan.diagnostics().stream().filter(d -> d.severity() == io.meshform.engine.diag.Severity.INFO).count();
            sb.append("\n").append(lines.size() - infos).append(" warning(s)")
                    .append(infos == 0 ? "" : ", " + infos + " note(s)").append(":\n");
            int listed = 0;
            for (String summary : lines) {
                String line = "- " + MarkdownText.inline(summary) + "\n";
                if (sb.length() + line.length() > half + half / 2) {
                    break;
                }
                sb.append(line);
                listed++;
            }
            if (listed < lines.size()) {
                sb.append("- _and ").append(lines.size() - listed).append(" more, not listed for GitHub's comment limit_\n");
            }
        }
    }

    /** The full plan text (diagnostics with their detail, every change), folded, cut to what room is left. */
    private String folded(StringBuilder sb, Plan plan) {
        String full = new PlanText(Style.plain(), PlanText.Layout.DIFF).render(plan);
        String open = "\n<details><summary>Full plan</summary>\n\n";
        String close = "</details>\n";
        // the fence a value quoting ``` needs (MarkdownText.codeBlock), and the line break it may add
        int fences = MarkdownText.codeBlock("diff", full).length() - full.length() + 1;
        int room = limit - sb.length() - open.length() - close.length() - fences;
        sb.append(open).append(MarkdownText.codeBlock("diff", fold(full, room))).append(close);
        return sb.toString();
    }

    /** The text whole if it fits in {@code room}, else its first lines and a line that says how many were folded. */
    static String fold(String text, int room) {
        if (text.length() <= room) {
            return text;
        }
        String[] lines = text.split("\n", -1);
        int total = text.endsWith("\n") ? lines.length - 1 : lines.length;
        StringBuilder kept = new StringBuilder();
        int n = 0;
        int reserve = 160;  // the closing note
        while (n < total && kept.length() + lines[n].length() + 1 + reserve <= room) {
            kept.append(lines[n]).append('\n');
            n++;
        }
        return kept.append("... ").append(total - n).append(" more lines folded: the full plan passes GitHub's ")
                .append(GITHUB_COMMENT_LIMIT).append("-character comment limit; `meshform show PLANFILE` prints it whole.\n")
                .toString();
    }

    /** A table cell: one line of text, no column break or markup ({@link MarkdownText}). */
    private static String cell(String s) {
        return MarkdownText.inline(s);
    }
}

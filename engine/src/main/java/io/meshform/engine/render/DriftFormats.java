package io.meshform.engine.render;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import io.meshform.engine.drift.DriftEntry;
import io.meshform.engine.drift.DriftReport;
import io.meshform.engine.drift.NotChecked;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.PlanDetail;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** A drift report as text (terminals), JSON (machines), Markdown (PR and issue comments) or JUnit XML (CI). */
public final class DriftFormats {
    public static final List<String> NAMES = List.of("text", "json", "markdown", "junit");
    public static final int FORMAT_VERSION = 1;
    private final Yaml yaml = new Yaml();
    private final Instant started;
    private final Duration took;

    public DriftFormats() {
        this(Instant.now(), Duration.ZERO);
    }

    private DriftFormats(Instant started, Duration took) {
        this.started = started;
        this.took = took;
    }

    /** When the check started and how long it took, for the JUnit report's timestamp and time. */
    public DriftFormats withTiming(Instant started, Duration took) {
        return new DriftFormats(started, took);
    }

    public String render(DriftReport report, String format, Style style) {
        return switch (format) {
            case "text" -> text(report, style);
            case "json" -> json(report);
            // Summaries and detail lines may quote the server, and values a stack or the cluster holds: escaped as the
            // text is (ControlChars), whether the report lands in a CI log, an issue or a chat message.
            case "markdown" -> io.meshform.engine.diag.ControlChars.escape(markdown(report));
            case "junit" -> new DriftJunit(started, took, this::diff).report(report);
            default -> throw new IllegalArgumentException("unknown drift format `" + format + "`: expected one of " + NAMES);
        };
    }

    /**
     * The report of a drift check that could not run (the cluster did not answer, a resource could not be read, no
     * state): never an empty success. JUnit gets one test in error, JSON an {@code error} and no verdict.
     */
    public String failure(String stackName, String message, String format) {
        String name = stackName == null ? "(not loaded)" : stackName;
        return switch (format) {
            case "junit" -> new DriftJunit(started, took, this::diff).error(name, message);
            case "json" -> {
                ObjectNode root = JsonNodeFactory.instance.objectNode();
                root.put("format_version", FORMAT_VERSION);
                root.put("stack", stackName);
                root.putNull("drift_found");
                root.put("error", message);
                yield JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(root) + "\n";
            }
            case "markdown" -> "### meshform drift: `" + name + "`\n\n**The drift check failed; nothing was checked.**\n\n"
                    + MarkdownText.codeBlock("", io.meshform.engine.diag.ControlChars.escape(message));
            default -> "Drift check failed; nothing was checked:\n" + message + "\n";
        };
    }

    /** The resources checked only in part, as a list (not drift), with the parts each left out. */
    private static void notCheckedMarkdown(StringBuilder sb, DriftReport r) {
        if (r.notChecked().isEmpty()) {
            return;
        }
        sb.append("\nNot checked in full (not drift):\n\n");  // DriftSummary.NOT_CHECKED, as a heading
        r.notChecked().forEach(n -> sb.append("- `").append(n.address()).append("`: ").append(MarkdownText.inline(n.summary())).append('\n'));
        notCheckedParts(sb, r);
    }

    private static void notCheckedParts(StringBuilder sb, DriftReport r) {
        for (NotChecked n : r.notChecked()) {
            StringBuilder parts = new StringBuilder();
            n.parts().forEach(l -> parts.append(l.line()).append('\n'));
            sb.append("\n<details><summary><code>").append(n.address()).append("</code>: not checked</summary>\n\n")
                    .append(MarkdownText.codeBlock("", parts.toString())).append("</details>\n");
        }
    }

    List<String> diff(DriftEntry e) {
        List<String> expected = lines(yaml.write(e.expected()));
        List<String> live = lines(yaml.write(e.live()));
        return UnifiedDiffUtils.generateUnifiedDiff("applied", "live", expected, DiffUtils.diff(expected, live), 2);
    }

    private static List<String> lines(String s) {
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }

    private String title(DriftEntry e) {
        return e.subject() + ": " + e.summary();
    }

    private String text(DriftReport r, Style style) {
        StringBuilder sb = new StringBuilder();
        if (!r.failed()) {
            sb.append(style.green("No drift")).append(DriftSummary.passed(r)).append('\n');
            notCheckedText(sb, r, style);
        } else {
            if (r.driftFound()) {
                sb.append(style.bold("Drift found in stack `" + r.stackName() + "`:")).append("\n\n");
            }
            for (DriftEntry e : r.entries()) {
                // Control characters escaped as in diagnostics: a provider's lines may quote the server.
                sb.append("  ").append(style.yellow("! " + io.meshform.engine.diag.ControlChars.escape(title(e)))).append('\n');
                if (!e.details().isEmpty()) {
                    // The provider writes these lines for plans: + and ~ are what apply would create or change back.
                    sb.append("      ").append(style.dim("what apply would restore:")).append('\n');
                }
                for (PlanDetail d : e.details()) {
                    if (!d.shown()) {
                        continue;
                    }
                    sb.append("      ").append(io.meshform.engine.diag.ControlChars.escape(d.line())).append('\n');
                }
                if (e.diagnostic() != null && e.diagnostic().detail() != null) {
                    for (String l : e.diagnostic().detail().split("\n")) {
                        sb.append("      ").append(l).append('\n');
                    }
                }
                if (e.expected() != null && e.live() != null) {
                    for (String l : diff(e)) {
                        sb.append("      ").append(l.startsWith("+") && !l.startsWith("+++") ? style.green(l)
                                : l.startsWith("-") && !l.startsWith("---") ? style.red(l) : l).append('\n');
                    }
                }
                sb.append('\n');
            }
            notCheckedText(sb, r, style);
            if (r.pendingFails() && !r.notYetApplied().isEmpty()) {
                sb.append(style.bold("Declared in stack `" + r.stackName() + "` but not applied (--fail-on-pending):"))
                        .append("\n\n");
                for (ResourceAddress a : r.notYetApplied()) {
                    sb.append("  ").append(style.yellow("! " + a + ": " + DriftSummary.NOT_APPLIED)).append('\n');
                }
                sb.append('\n');
            }
            sb.append(style.bold(DriftSummary.failed(r))).append('\n');
        }
        for (io.meshform.engine.diag.Diagnostic n : r.notes()) {
            sb.append(style.dim(n.format())).append('\n');
        }
        if (!r.notYetApplied().isEmpty() && !r.pendingFails()) {
            sb.append("Not yet applied (not drift): ")
                    .append(String.join(", ", r.notYetApplied().stream().map(ResourceAddress::toString).toList())).append('\n');
        }
        return sb.toString();
    }

    /** The resources checked only in part, each with the parts left out; not drift unless --fail-on-pending. */
    private static void notCheckedText(StringBuilder sb, DriftReport r, Style style) {
        if (r.notChecked().isEmpty()) {
            return;
        }
        sb.append(style.bold("Not checked in full in stack `" + r.stackName() + "`"
                + (r.failOnPending() ? " (--fail-on-pending):" : " (not drift):"))).append("\n\n");
        for (NotChecked n : r.notChecked()) {
            sb.append("  ").append(style.yellow("? " + io.meshform.engine.diag.ControlChars.escape(n.address() + ": " + n.summary())))
                    .append('\n');
            for (PlanDetail d : n.parts()) {
                sb.append("      ").append(io.meshform.engine.diag.ControlChars.escape(d.line())).append('\n');
            }
            sb.append('\n');
        }
    }

    private String json(DriftReport r) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("format_version", FORMAT_VERSION);
        root.put("stack", r.stackName());
        root.put("drift_found", r.driftFound());
        root.put("fail_on_pending", r.failOnPending());
        root.put("failed", r.failed());
        ArrayNode checked = root.putArray("checked");
        r.checked().forEach(a -> checked.add(a.toString()));
        ArrayNode entries = root.putArray("drift");
        for (DriftEntry e : r.entries()) {
            ObjectNode o = entries.addObject();
            if (e.address() == null) {
                o.putNull("address");
            } else {
                o.put("address", e.address().toString());
            }
            o.put("kind", e.kind().name().toLowerCase());
            if (e.check() != null) {
                o.put("check", e.check());
            }
            if (e.deposedKey() != null) {
                o.put("deposed_key", e.deposedKey());
            }
            o.put("summary", e.summary());
            o.set("applied", e.expected() == null ? f.nullNode() : e.expected());
            o.set("live", e.live() == null ? f.nullNode() : e.live());
            ArrayNode details = o.putArray("details");
            e.details().forEach(d -> details.add(d.line()));
            if (e.diagnostic() != null) {
                o.put("detail", e.diagnostic().detail());
                if (e.diagnostic().range() != null) {
                    o.put("source", e.diagnostic().range().toString());
                }
            }
        }
        ArrayNode notYet = root.putArray("not_yet_applied");
        r.notYetApplied().forEach(a -> notYet.add(a.toString()));
        ArrayNode notChecked = root.putArray("not_checked");
        for (NotChecked n : r.notChecked()) {
            ObjectNode o = notChecked.addObject();
            o.put("address", n.address().toString());
            o.put("summary", n.summary());
            ArrayNode parts = o.putArray("parts");
            n.parts().forEach(d -> parts.add(d.line()));
        }
        ArrayNode notes = root.putArray("notes");
        for (io.meshform.engine.diag.Diagnostic n : r.notes()) {
            ObjectNode o = notes.addObject();
            o.put("summary", n.summary());
            o.put("detail", n.detail());
            if (n.range() != null) {
                o.put("source", n.range().toString());
            }
        }
        return JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(root) + "\n";
    }

    private String markdown(DriftReport r) {
        StringBuilder sb = new StringBuilder("### meshform drift: `" + r.stackName() + "`\n\n");
        StringBuilder notes = new StringBuilder();
        r.notes().forEach(n -> notes.append("\n> ").append(MarkdownText.inline(n.summary())).append('\n'));
        String notYet = String.join(", ", r.notYetApplied().stream().map(a -> "`" + a + "`").toList());
        if (!r.failed()) {
            if (r.notYetApplied().isEmpty() && r.notChecked().isEmpty()) {
                return sb.append("No drift: ").append(DriftSummary.matched(r)).append('\n').append(notes).toString();
            }
            sb.append("No drift").append(DriftSummary.passed(r)).append('\n');
            if (!r.notYetApplied().isEmpty()) {
                sb.append("\nNot yet applied (not drift): ").append(notYet).append('\n');
            }
            notCheckedMarkdown(sb, r);
            return sb.append(notes).toString();
        }
        if (!r.notYetApplied().isEmpty() || !r.notChecked().isEmpty()) {
            sb.append("**").append(DriftSummary.failed(r)).append("**\n\n");
        }
        sb.append("| resource | finding |\n|---|---|\n");
        for (DriftEntry e : r.entries()) {
            sb.append("| `").append(e.subject()).append("` | ")
                    .append(MarkdownText.inline(e.summary())).append(" |\n");
        }
        if (r.pendingFails()) {
            r.notYetApplied().forEach(a -> sb.append("| `").append(a).append("` | ").append(DriftSummary.NOT_APPLIED).append(" |\n"));
            r.notChecked().forEach(n -> sb.append("| `").append(n.address()).append("` | ").append(DriftSummary.NOT_CHECKED)
                    .append(": ").append(MarkdownText.inline(n.summary())).append(" (--fail-on-pending) |\n"));
        } else if (!r.notYetApplied().isEmpty()) {
            sb.append("\nNot yet applied (not drift): ").append(notYet).append('\n');
        }
        if (!r.pendingFails()) {
            notCheckedMarkdown(sb, r);
        } else {
            notCheckedParts(sb, r);
        }
        for (DriftEntry e : r.entries()) {
            if (!e.details().isEmpty()) {
                StringBuilder restore = new StringBuilder();
                e.details().stream().filter(PlanDetail::shown).forEach(l -> restore.append(l.line()).append('\n'));
                sb.append("\n<details><summary><code>").append(e.address()).append("</code>: what apply would restore</summary>\n\n")
                        .append(MarkdownText.codeBlock("", restore.toString())).append("</details>\n");
            }
            if (e.expected() != null && e.live() != null) {
                StringBuilder diff = new StringBuilder();
                diff(e).forEach(l -> diff.append(l).append('\n'));
                sb.append("\n<details><summary><code>").append(e.address()).append("</code> diff</summary>\n\n")
                        .append(MarkdownText.codeBlock("diff", diff.toString())).append("</details>\n");
            }
        }
        return sb.append(notes).toString();
    }
}

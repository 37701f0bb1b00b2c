package io.meshform.engine.render;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import io.meshform.engine.drift.DriftEntry;
import io.meshform.engine.drift.DriftReport;
import io.meshform.engine.model.ResourceAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

    public String render(DriftReport report, String format, Style style) {
        return switch (format) {
            case "text" -> text(report, style);
            case "json" -> json(report);
            case "markdown" -> markdown(report);
            case "junit" -> junit(report);
            default -> throw new IllegalArgumentException("unknown drift format `" + format + "`: expected one of " + NAMES);
        };
    }

    private List<String> diff(DriftEntry e) {
        List<String> expected = lines(yaml.write(e.expected()));
        List<String> live = lines(yaml.write(e.live()));
        return UnifiedDiffUtils.generateUnifiedDiff("applied", "live", expected, DiffUtils.diff(expected, live), 2);
    }

    private static List<String> lines(String s) {
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }

    private String title(DriftEntry e) {
        return (e.address() == null ? "mesh" : e.address().toString()) + ": " + e.summary();
    }

    private String text(DriftReport r, Style style) {
        StringBuilder sb = new StringBuilder();
        if (!r.driftFound()) {
            sb.append(style.green("No drift.")).append(" ").append(r.checked().size())
                    .append(" resources match what meshform applied.\n");
        } else {
            sb.append(style.bold("Drift found in stack `" + r.stackName() + "`:")).append("\n\n");
            for (DriftEntry e : r.entries()) {
                sb.append("  ").append(style.yellow("! " + title(e))).append('\n');
                if (!e.details().isEmpty()) {
                    // The provider writes these lines for plans: + and ~ are what apply would create or change back.
                    sb.append("      ").append(style.dim("what apply would restore:")).append('\n');
                }
                for (String d : e.details()) {
                    sb.append("      ").append(d).append('\n');
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
            sb.append(style.bold("Drift: " + r.entries().size() + " finding" + (r.entries().size() == 1 ? "" : "s")
                    + " in " + r.checked().size() + " resources checked.")).append('\n');
        }
        if (!r.notYetApplied().isEmpty()) {
            sb.append("Not yet applied (not drift): ")
                    .append(String.join(", ", r.notYetApplied().stream().map(ResourceAddress::toString).toList())).append('\n');
        }
        return sb.toString();
    }

    private String json(DriftReport r) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("format_version", FORMAT_VERSION);
        root.put("stack", r.stackName());
        root.put("drift_found", r.driftFound());
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
            o.put("summary", e.summary());
            o.set("applied", e.expected() == null ? f.nullNode() : e.expected());
            o.set("live", e.live() == null ? f.nullNode() : e.live());
            ArrayNode details = o.putArray("details");
            e.details().forEach(details::add);
            if (e.diagnostic() != null) {
                o.put("detail", e.diagnostic().detail());
                if (e.diagnostic().range() != null) {
                    o.put("source", e.diagnostic().range().toString());
                }
            }
        }
        ArrayNode notYet = root.putArray("not_yet_applied");
        r.notYetApplied().forEach(a -> notYet.add(a.toString()));
        return JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(root) + "\n";
    }

    private String markdown(DriftReport r) {
        StringBuilder sb = new StringBuilder("### meshform drift: `" + r.stackName() + "`\n\n");
        if (!r.driftFound()) {
            return sb.append("No drift: ").append(r.checked().size()).append(" resources match what meshform applied.\n").toString();
        }
        sb.append("| resource | finding |\n|---|---|\n");
        for (DriftEntry e : r.entries()) {
            sb.append("| `").append(e.address() == null ? "mesh" : e.address()).append("` | ")
                    .append(e.summary().replace("|", "\\|")).append(" |\n");
        }
        for (DriftEntry e : r.entries()) {
            if (!e.details().isEmpty()) {
                sb.append("\n<details><summary><code>").append(e.address()).append("</code>: what apply would restore</summary>\n\n```\n");
                e.details().forEach(l -> sb.append(l).append('\n'));
                sb.append("```\n</details>\n");
            }
            if (e.expected() != null && e.live() != null) {
                sb.append("\n<details><summary><code>").append(e.address()).append("</code> diff</summary>\n\n```diff\n");
                diff(e).forEach(l -> sb.append(l).append('\n'));
                sb.append("```\n</details>\n");
            }
        }
        return sb.toString();
    }

    private String junit(DriftReport r) {
        Map<String, DriftEntry> failures = new TreeMap<>();
        int mesh = 0;
        for (DriftEntry e : r.entries()) {
            failures.put(e.address() == null ? "mesh-" + (++mesh) : e.address().toString(), e);
        }
        StringBuilder cases = new StringBuilder();
        for (ResourceAddress a : r.checked()) {
            if (!failures.containsKey(a.toString())) {
                cases.append("  <testcase classname=\"meshform.drift\" name=\"").append(xml(a.toString())).append("\"/>\n");
            }
        }
        failures.forEach((name, e) -> {
            StringBuilder body = new StringBuilder();
            e.details().forEach(l -> body.append(l).append('\n'));
            if (e.expected() != null && e.live() != null) {
                diff(e).forEach(l -> body.append(l).append('\n'));
            } else if (e.diagnostic() != null && e.diagnostic().detail() != null) {
                body.append(e.diagnostic().detail());
            }
            cases.append("  <testcase classname=\"meshform.drift\" name=\"").append(xml(name)).append("\">\n")
                    .append("    <failure message=\"").append(xml(e.summary())).append("\" type=\"").append(e.kind().name().toLowerCase())
                    .append("\">").append(xml(body.toString())).append("</failure>\n  </testcase>\n");
        });
        int tests = r.checked().size() + mesh;
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"meshform drift " + xml(r.stackName())
                + "\" tests=\"" + tests + "\" failures=\"" + failures.size() + "\">\n" + cases + "</testsuite>\n";
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

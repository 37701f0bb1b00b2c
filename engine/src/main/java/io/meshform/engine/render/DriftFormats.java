package io.meshform.engine.render;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import io.meshform.engine.drift.DriftEntry;
import io.meshform.engine.drift.DriftReport;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.PlanDetail;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
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
            case "markdown" -> markdown(report);
            case "junit" -> junit(report);
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
            case "junit" -> junitError(name, message);
            case "json" -> {
                ObjectNode root = JsonNodeFactory.instance.objectNode();
                root.put("format_version", FORMAT_VERSION);
                root.put("stack", stackName);
                root.putNull("drift_found");
                root.put("error", message);
                yield JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(root) + "\n";
            }
            case "markdown" -> "### meshform drift: `" + name + "`\n\n**The drift check failed; nothing was checked.**\n\n```\n"
                    + message + "\n```\n";
            default -> "Drift check failed; nothing was checked:\n" + message + "\n";
        };
    }

    private String junitError(String stackName, String message) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            w.writeStartDocument("UTF-8", "1.0");
            w.writeCharacters("\n");
            w.writeStartElement("testsuites");
            w.writeAttribute("name", "meshform drift");
            w.writeAttribute("tests", "1");
            w.writeAttribute("failures", "0");
            w.writeAttribute("errors", "1");
            w.writeAttribute("time", "0");
            w.writeCharacters("\n  ");
            w.writeStartElement("testsuite");
            w.writeAttribute("name", clean("meshform drift " + stackName));
            w.writeAttribute("tests", "1");
            w.writeAttribute("failures", "0");
            w.writeAttribute("errors", "1");
            w.writeAttribute("skipped", "0");
            w.writeAttribute("time", "0");
            w.writeAttribute("timestamp", java.time.LocalDateTime.ofInstant(started, java.time.ZoneOffset.UTC)
                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            testcase(w, "drift check");
            w.writeCharacters("\n      ");
            w.writeStartElement("error");
            int nl = message.indexOf('\n');
            w.writeAttribute("message", clean(nl < 0 ? message : message.substring(0, nl)));
            w.writeAttribute("type", "error");
            w.writeCharacters(clean(message));
            w.writeEndElement();
            w.writeCharacters("\n    ");
            w.writeEndElement();
            w.writeCharacters("\n  ");
            w.writeEndElement();
            w.writeCharacters("\n");
            w.writeEndElement();
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write the JUnit report: " + e.getMessage(), e);
        }
        return out + "\n";
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
        if (!r.failed()) {
            sb.append(style.green("No drift")).append(DriftSummary.passed(r)).append('\n');
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
            if (r.pendingFails()) {
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
        r.notes().forEach(n -> notes.append("\n> ").append(n.summary().replace("\n", " ")).append('\n'));
        String notYet = String.join(", ", r.notYetApplied().stream().map(a -> "`" + a + "`").toList());
        if (!r.failed()) {
            if (r.notYetApplied().isEmpty()) {
                return sb.append("No drift: ").append(DriftSummary.matched(r)).append('\n').append(notes).toString();
            }
            return sb.append("No drift").append(DriftSummary.passed(r)).append("\n\nNot yet applied (not drift): ")
                    .append(notYet).append('\n').append(notes).toString();
        }
        if (!r.notYetApplied().isEmpty()) {
            sb.append("**").append(DriftSummary.failed(r)).append("**\n\n");
        }
        sb.append("| resource | finding |\n|---|---|\n");
        for (DriftEntry e : r.entries()) {
            sb.append("| `").append(e.address() == null ? "mesh" : e.address()).append("` | ")
                    .append(e.summary().replace("|", "\\|")).append(" |\n");
        }
        if (r.pendingFails()) {
            r.notYetApplied().forEach(a -> sb.append("| `").append(a).append("` | ").append(DriftSummary.NOT_APPLIED).append(" |\n"));
        } else if (!r.notYetApplied().isEmpty()) {
            sb.append("\nNot yet applied (not drift): ").append(notYet).append('\n');
        }
        for (DriftEntry e : r.entries()) {
            if (!e.details().isEmpty()) {
                sb.append("\n<details><summary><code>").append(e.address()).append("</code>: what apply would restore</summary>\n\n```\n");
                e.details().stream().filter(PlanDetail::shown).forEach(l -> sb.append(l.line()).append('\n'));
                sb.append("```\n</details>\n");
            }
            if (e.expected() != null && e.live() != null) {
                sb.append("\n<details><summary><code>").append(e.address()).append("</code> diff</summary>\n\n```diff\n");
                diff(e).forEach(l -> sb.append(l).append('\n'));
                sb.append("```\n</details>\n");
            }
        }
        return sb.append(notes).toString();
    }

    /**
     * JUnit XML as Jenkins' xUnit plugin reads it (validated in a test against its junit-10.xsd): a
     * {@code testsuites} root, one {@code testsuite} with {@code errors}, {@code time} and {@code timestamp}, one
     * test case per resource checked (a failure when it drifted), one per mesh-wide finding, named by what it says
     * rather than by its order, and a skipped case per resource not yet applied (a failure with
     * {@code --fail-on-pending}: a nightly job must show resources destroyed with {@code --exclude}). Written with the JDK's
     * XMLStreamWriter, which escapes; characters XML 1.0 cannot hold are replaced.
     */
    private String junit(DriftReport r) {
        Map<String, DriftEntry> failures = new TreeMap<>();
        for (DriftEntry e : r.entries()) {
            String name = e.address() == null ? meshCaseName(e) : e.address().toString();
            String unique = name;
            for (int i = 2; failures.containsKey(unique); i++) {
                unique = name + " (" + i + ")";
            }
            failures.put(unique, e);
        }
        int mesh = (int) r.entries().stream().filter(e -> e.address() == null).count();
        // An empty state allowed with --allow-empty-state and nothing declared: say the cluster answered, never zero tests.
        boolean answeredOnly = r.checked().isEmpty() && failures.isEmpty() && r.notYetApplied().isEmpty();
        int tests = r.checked().size() + mesh + r.notYetApplied().size() + (answeredOnly ? 1 : 0);
        int pendingFailures = r.pendingFails() ? r.notYetApplied().size() : 0;
        String failureCount = Integer.toString(failures.size() + pendingFailures);
        String time = String.format(java.util.Locale.ROOT, "%.3f", took.toNanos() / 1e9);
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            w.writeStartDocument("UTF-8", "1.0");
            w.writeCharacters("\n");
            w.writeStartElement("testsuites");
            w.writeAttribute("name", "meshform drift");
            w.writeAttribute("tests", Integer.toString(tests));
            w.writeAttribute("failures", failureCount);
            w.writeAttribute("errors", "0");
            w.writeAttribute("time", time);
            w.writeCharacters("\n  ");
            w.writeStartElement("testsuite");
            w.writeAttribute("name", clean("meshform drift " + r.stackName()));
            w.writeAttribute("tests", Integer.toString(tests));
            w.writeAttribute("failures", failureCount);
            w.writeAttribute("errors", "0");
            w.writeAttribute("skipped", Integer.toString(r.notYetApplied().size() - pendingFailures));
            w.writeAttribute("time", time);
            // JUnit's timestamp is local-time ISO 8601 without a zone; UTC keeps it the same on every runner.
            w.writeAttribute("timestamp", java.time.LocalDateTime.ofInstant(started, java.time.ZoneOffset.UTC)
                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            if (answeredOnly) {
                testcase(w, "cluster answered; the state records no resources");
                w.writeEndElement();
            }
            for (ResourceAddress a : r.checked()) {
                if (!failures.containsKey(a.toString())) {
                    testcase(w, a.toString());
                    w.writeEndElement();
                }
            }
            for (Map.Entry<String, DriftEntry> f : failures.entrySet()) {
                DriftEntry e = f.getValue();
                testcase(w, f.getKey());
                w.writeCharacters("\n      ");
                w.writeStartElement("failure");
                w.writeAttribute("message", clean(e.summary()));
                w.writeAttribute("type", e.kind().name().toLowerCase());
                w.writeCharacters(clean(failureBody(e)));
                w.writeEndElement();
                w.writeCharacters("\n    ");
                w.writeEndElement();
            }
            for (ResourceAddress a : r.notYetApplied()) {
                testcase(w, a.toString());
                w.writeCharacters("\n      ");
                if (r.pendingFails()) {
                    w.writeStartElement("failure");
                    w.writeAttribute("message", DriftSummary.NOT_APPLIED + " (--fail-on-pending)");
                    w.writeAttribute("type", "not_applied");
                    w.writeCharacters(DriftSummary.NOT_APPLIED + ": destroyed, or never applied. Apply the stack, or"
                            + " leave the resource out with --ignore " + a + ".");
                    w.writeEndElement();
                } else {
                    w.writeEmptyElement("skipped");
                    w.writeAttribute("message", "not yet applied: declared in the stack, not in the state (not drift)");
                }
                w.writeCharacters("\n    ");
                w.writeEndElement();
            }
            w.writeCharacters("\n  ");
            w.writeEndElement();
            w.writeCharacters("\n");
            w.writeEndElement();
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write the JUnit report: " + e.getMessage(), e);
        }
        return out + "\n";
    }

    private static void testcase(XMLStreamWriter w, String name) throws XMLStreamException {
        w.writeCharacters("\n    ");
        w.writeStartElement("testcase");
        w.writeAttribute("classname", "meshform.drift");
        w.writeAttribute("name", clean(name));
        w.writeAttribute("time", "0");
    }

    private String failureBody(DriftEntry e) {
        StringBuilder body = new StringBuilder();
        e.details().forEach(l -> body.append(l.line()).append('\n'));
        if (e.expected() != null && e.live() != null) {
            diff(e).forEach(l -> body.append(l).append('\n'));
        } else if (e.diagnostic() != null && e.diagnostic().detail() != null) {
            body.append(e.diagnostic().detail());
        }
        return body.toString();
    }

    /**
     * A mesh-wide finding's test name: its summary, with counts written as N, so the same finding keeps the same
     * test in CI history when the count or the order of findings changes (not mesh-1, mesh-2).
     */
    static String meshCaseName(DriftEntry e) {
        return "mesh: " + e.summary().replaceAll("(?<=\\s)\\d+(?=\\s)", "N");
    }

    /** XML 1.0 cannot carry most control characters, even escaped (an ANSI colour code, say). */
    private static String clean(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF) ? c : 0xFFFD));
        return b.toString();
    }
}

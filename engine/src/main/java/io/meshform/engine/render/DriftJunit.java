package io.meshform.engine.render;

import io.meshform.engine.diag.ControlChars;
import io.meshform.engine.drift.DriftEntry;
import io.meshform.engine.drift.DriftReport;
import io.meshform.engine.drift.NotChecked;
import io.meshform.engine.model.ResourceAddress;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/** A drift report as JUnit XML, for CI ({@link DriftFormats}' {@code junit}). */
final class DriftJunit {
    private final Instant started;
    private final Duration took;
    private final Function<DriftEntry, List<String>> diff;

    DriftJunit(Instant started, Duration took, Function<DriftEntry, List<String>> diff) {
        this.started = started;
        this.took = took;
        this.diff = diff;
    }

    String error(String stackName, String message) {
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

    /**
     * JUnit XML as Jenkins' xUnit plugin reads it (validated in a test against its junit-10.xsd): a
     * {@code testsuites} root, one {@code testsuite} with {@code errors}, {@code time} and {@code timestamp}, one
     * test case per resource checked (a failure when it drifted), one per mesh-wide finding, named by what it says
     * rather than by its order, and a skipped case per resource not yet applied (a failure with
     * {@code --fail-on-pending}: a nightly job must show resources destroyed with {@code --exclude}); a resource checked
     * only in part ({@link NotChecked}) and not drifted is skipped too (a failure of type {@code not_checked} with
     * {@code --fail-on-pending}), never a pass: a pass would say it was checked. Written with the JDK's
     * XMLStreamWriter, which escapes; characters XML 1.0 cannot hold are replaced.
     */
    String report(DriftReport r) {
        Map<String, DriftEntry> failures = new TreeMap<>();
        for (DriftEntry e : r.entries()) {
            String name = e.address() == null ? meshCaseName(e) : e.subject();
            String unique = name;
            for (int i = 2; failures.containsKey(unique); i++) {
                unique = name + " (" + i + ")";
            }
            failures.put(unique, e);
        }
        // Mesh-wide findings and deposed objects are test cases of their own, beside those of the resources checked.
        int mesh = (int) r.entries().stream().filter(e -> e.address() == null || e.deposedKey() != null).count();
        // An empty state allowed with --allow-empty-state and nothing declared: say the cluster answered, never zero tests.
        boolean answeredOnly = r.checked().isEmpty() && failures.isEmpty() && r.notYetApplied().isEmpty();
        int tests = r.checked().size() + mesh + r.notYetApplied().size() + (answeredOnly ? 1 : 0);
        Map<String, NotChecked> partly = new TreeMap<>();
        r.notChecked().stream().filter(n -> !failures.containsKey(n.address().toString()))
                .forEach(n -> partly.put(n.address().toString(), n));
        int pendingFailures = r.pendingFails() ? r.notYetApplied().size() + partly.size() : 0;
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
            w.writeAttribute("skipped", Integer.toString(r.notYetApplied().size() + partly.size() - pendingFailures));
            w.writeAttribute("time", time);
            // JUnit's timestamp is local-time ISO 8601 without a zone; UTC keeps it the same on every runner.
            w.writeAttribute("timestamp", java.time.LocalDateTime.ofInstant(started, java.time.ZoneOffset.UTC)
                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            if (answeredOnly) {
                testcase(w, "cluster answered; the state records no resources");
                w.writeEndElement();
            }
            for (ResourceAddress a : r.checked()) {
                if (partly.containsKey(a.toString())) {
                    notChecked(w, partly.get(a.toString()), r.pendingFails());
                } else if (!failures.containsKey(a.toString())) {
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
                StringBuilder body = new StringBuilder(failureBody(e));
                // Drifted in what was checked, and some parts not checked: the failure says both.
                r.notChecked().stream().filter(n -> e.deposedKey() == null && n.address().equals(e.address())).forEach(n -> {
                    body.append(DriftSummary.NOT_CHECKED).append(": ").append(n.summary()).append('\n');
                    n.parts().forEach(p -> body.append(p.line()).append('\n'));
                });
                w.writeCharacters(clean(body.toString()));
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

    /** A resource checked only in part: skipped, or with {@code --fail-on-pending} failed, naming the parts left out. */
    private static void notChecked(XMLStreamWriter w, NotChecked n, boolean fails) throws XMLStreamException {
        testcase(w, n.address().toString());
        w.writeCharacters("\n      ");
        if (fails) {
            w.writeStartElement("failure");
            w.writeAttribute("message", clean(DriftSummary.NOT_CHECKED + ": " + n.summary() + " (--fail-on-pending)"));
            w.writeAttribute("type", "not_checked");
            StringBuilder body = new StringBuilder();
            n.parts().forEach(p -> body.append(p.line()).append('\n'));
            w.writeCharacters(clean(body.toString()));
            w.writeEndElement();
        } else {
            w.writeEmptyElement("skipped");
            w.writeAttribute("message", clean(DriftSummary.NOT_CHECKED + ": " + n.summary() + " (not drift)"));
        }
        w.writeCharacters("\n    ");
        w.writeEndElement();
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
            diff.apply(e).forEach(l -> body.append(l).append('\n'));
        } else if (e.diagnostic() != null && e.diagnostic().detail() != null) {
            body.append(e.diagnostic().detail());
        } else if (e.deposedKey() != null) {
            body.append(e.subject()).append(": ").append(e.summary()).append('\n');
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

    /**
     * Controls and invisible characters escaped as the text report shows them ({@link ControlChars}): Jenkins shows
     * names and messages in a web page, where a right-to-left override reorders them. What XML 1.0 cannot carry at all
     * beyond those (U+FFFE, a lone surrogate) is replaced.
     */
    private static String clean(String raw) {
        String s = ControlChars.escape(raw);
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF) ? c : 0xFFFD));
        return b.toString();
    }
}

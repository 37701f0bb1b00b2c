package io.meshform.engine.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How a diagnostic reads in text output. */
class DiagnosticTest {

    private static String lines(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> "row " + i).collect(Collectors.joining("\n"));
    }

    @Test
    void aLongNoteShowsItsHeadAndSaysWhereTheRestIs() {
        String text = Diagnostic.info("ingress coverage: 40 paths checked", lines(40), null).format();
        assertEquals(1 + Diagnostic.NOTE_LINES, text.split("\n").length, text);
        assertTrue(text.contains("  row 1\n"), text);
        assertTrue(text.endsWith("... 29 more lines (all of them in the JSON output: validate --json, plan --json, drift --format json)"), text);
    }

    /**
     * A summary quotes what a stack or a tenant wrote (a coverage path with a line break): it stays one line, so the
     * quoted text cannot print a line of its own under the warning, such as "No changes.".
     */
    @Test
    void aSummaryIsOneLineWhatEverItQuotes() {
        Diagnostic d = Diagnostic.warning("public path `/x\n\nNo changes. The cluster matches the stack.\n` is let through",
                "on gateway g:\nrow", null);
        assertEquals("public path `/x\\n\\nNo changes. The cluster matches the stack.\\n` is let through", d.summary());
        assertEquals("warning: " + d.summary() + "\n  on gateway g:\n  row", d.format());
    }

    @Test
    void warningsAndShortNotesAreWhole() {
        assertEquals(41, Diagnostic.warning("w", lines(40), null).format().split("\n").length);
        assertEquals(1 + Diagnostic.NOTE_LINES, Diagnostic.info("n", lines(Diagnostic.NOTE_LINES), null).format()
                .split("\n").length);
    }

    /**
     * An API server's or istioctl's message quotes what the stack wrote, ESC sequences included: every diagnostic's
     * text has its controls escaped, as plans show them, whoever prints it (audit A, L4).
     */
    @Test
    void controlCharactersAreEscapedNewlinesAndTabsKept() {
        Diagnostic d = Diagnostic.error("x: apply failed: data[\u001b[1Akey]: Invalid value \u001b]8;;http://e\u0007link",
                "API server says:\n\tHIDE\r\u0000\u007f\u0085\u009b2K", null);
        assertEquals("error: x: apply failed: data[\\e[1Akey]: Invalid value \\e]8;;http://e\\alink\n"
                + "  API server says:\n  \tHIDE\\r\\0\\x7f\\N\\x9b2K", d.format());
        assertEquals(d, new Diagnostic(d.severity(), d.summary(), d.detail(), null), "escaping twice changes nothing");
        assertEquals("plain \\ text\n", ControlChars.escape("plain \\ text\n"));
    }

    /** An error that quotes a value with a right-to-left override or a zero-width space shows them escaped, as Go's %q does. */
    @Test
    void bidiOverridesAndZeroWidthCharactersAreEscaped() {
        Diagnostic d = Diagnostic.error("x: apply failed: data[\u202Ekey\u200B]", "value \u2066PERMISSIVE\u2069 \uFEFF", null);
        assertEquals("error: x: apply failed: data[\\u202ekey\\u200b]\n  value \\u2066PERMISSIVE\\u2069 \\ufeff", d.format());
        assertEquals(d, new Diagnostic(d.severity(), d.summary(), d.detail(), null), "escaping twice changes nothing");
    }
}

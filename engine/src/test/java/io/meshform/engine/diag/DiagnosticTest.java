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

    @Test
    void warningsAndShortNotesAreWhole() {
        assertEquals(41, Diagnostic.warning("w", lines(40), null).format().split("\n").length);
        assertEquals(1 + Diagnostic.NOTE_LINES, Diagnostic.info("n", lines(Diagnostic.NOTE_LINES), null).format()
                .split("\n").length);
    }
}

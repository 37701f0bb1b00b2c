package io.meshform.engine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import org.junit.jupiter.api.Test;

class YamlReaderTest {
    private final YamlReader reader = new YamlReader();

    private Diagnostic failure(String text) {
        DiagnosticsException e = assertThrows(DiagnosticsException.class, () -> reader.parse("s.yaml", text));
        return e.diagnostics().get(0);
    }

    @Test
    void recordsTheLineAndColumnOfEveryKey() {
        YamlDocument doc = reader.parse("s.yaml", "a:\n  b:\n    - x: 1\n      y: yes\n");
        assertEquals(2, doc.rangeOf("/a/b").line());
        assertEquals(3, doc.rangeOf("/a/b").column());
        assertEquals(4, doc.rangeOf("/a/b/0/y").line());
        assertEquals(7, doc.rangeOf("/a/b/0/y").column());
        assertEquals("yes", doc.root().at("/a/b/0/y").asString(), "YAML 1.2: yes stays a string");
    }

    @Test
    void aTabSaysItIsATabWhereItIs() {
        Diagnostic d = failure("apiVersion: meshform.io/v1alpha1\nmetadata:\n\tname: x\n");
        assertTrue(d.summary().startsWith("invalid YAML: found character '\\t(TAB)' that cannot start any token"), d.summary());
        assertEquals("YAML does not allow tabs for indentation: indent with spaces", d.detail());
        assertEquals(3, d.range().line());
        assertEquals(1, d.range().column());
    }

    @Test
    void otherParserErrorsKeepTheParsersReason() {
        Diagnostic d = failure("a: [1, 2\nb: 3\n");
        assertTrue(d.summary().startsWith("invalid YAML: ") && !d.summary().equals("invalid YAML: parse error")
                && d.summary().length() > "invalid YAML: while parsing".length() + 5, d.summary());
    }

    @Test
    void refusesAliasesInsteadOfReadingTheAnchorName() {
        Diagnostic d = failure("base: &b {mode: STRICT}\nother: *b\n");
        assertTrue(d.summary().contains("aliases"), d.summary());
        assertEquals(2, d.range().line());
    }

    @Test
    void refusesMergeKeys() {
        Diagnostic d = failure("base: &b {mode: STRICT}\nother:\n  <<: {x: 1}\n");
        assertTrue(d.summary().contains("merge keys"), d.summary());
        assertEquals(3, d.range().line());
    }

    @Test
    void refusesDuplicateKeysNamingTheFirst() {
        Diagnostic d = failure("a: 1\nb: 2\na: 3\n");
        assertEquals("duplicate key `a`", d.summary());
        assertEquals(3, d.range().line());
        assertTrue(d.detail().contains("line 1"), d.detail());
    }

    @Test
    void refusesASecondDocument() {
        Diagnostic d = failure("a: 1\n---\nb: 2\n");
        assertTrue(d.summary().contains("more than one YAML document"), d.summary());
    }

    @Test
    void refusesDeepNestingQuickly() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        // A bound that stops the test, not one measured after it: a parser that walks 5,000 levels (or recurses into
        // a stack overflow) is cut off and fails here. Generous for a loaded CI machine; the refusal itself is at
        // the depth limit, long before the end of the input.
        Diagnostic d = assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> failure(deep));
        assertTrue(d.detail().contains("nests deeper"), d.detail());
    }

    @Test
    void refusesOversizedDocumentsBeforeParsing() {
        String big = "a: \"" + "x".repeat(YamlReader.MAX_BYTES) + "\"\n";
        Diagnostic d = failure(big);
        assertTrue(d.summary().contains("too large"), d.summary());
    }

    @Test
    void billionLaughsIsRefusedAtTheFirstAlias() {
        String lol = "a0: &a0 lol\na1: &a1 [*a0, *a0, *a0]\na2: [*a1, *a1]\n";
        Diagnostic d = failure(lol);
        assertEquals(2, d.range().line());
    }

    @Test
    void reportsSyntaxErrorsWithPosition() {
        Diagnostic d = failure("a: [1, 2\nb: 3\n");
        assertTrue(d.summary().startsWith("invalid YAML"), d.summary());
        assertTrue(d.range().line() > 0);
    }
}

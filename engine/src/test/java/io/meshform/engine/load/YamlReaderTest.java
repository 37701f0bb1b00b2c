package io.meshform.engine.load;

import io.meshform.engine.diag.SourceRange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import java.util.List;
import org.junit.jupiter.api.Test;

class YamlReaderTest {
    private final YamlReader reader = new YamlReader();

    private Diagnostic failure(String text) {
        DiagnosticsException e = assertThrows(DiagnosticsException.class, () -> reader.parse("s.yaml", text));
        return e.diagnostics().get(0);
    }

    @Test
    void aPropertysValueHasItsOwnPositionBesideItsKeys() {
        YamlDocument doc = reader.parse("s.yaml", "spec:\n  mtls: {mode: STRICTT}\n  list:\n    - a\n  mtlz:\n    STRICT\n");
        assertEquals(new SourceRange("s.yaml", 2, 10), doc.rangeOf("/spec/mtls/mode"), "the key");
        assertEquals(new SourceRange("s.yaml", 2, 16), doc.valueRangeOf("/spec/mtls/mode"), "the value");
        assertEquals(new SourceRange("s.yaml", 6, 5), doc.valueRangeOf("/spec/mtlz"), "a value on its own line");
        assertEquals(new SourceRange("s.yaml", 4, 7), doc.valueRangeOf("/spec/list/0"), "a list item is its own value");
        assertEquals(doc.rangeOf("/spec/nothing"), doc.valueRangeOf("/spec/nothing"), "not written: the nearest ancestor");
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
        // Whole, not cut off at the length limit ("...(while scanning for the next..."), and what to do.
        assertEquals("invalid YAML: a tab character where YAML expects indentation or a value; YAML forbids tabs for "
                + "indentation", d.summary());
        assertEquals("replace the tab at this position (and any other tab used to indent) with spaces", d.detail());
        assertEquals(3, d.range().line());
        assertEquals(1, d.range().column());
    }

    /**
     * A line indented to no level around it says so, with the levels it could take: the parser's "expected
     * &lt;block end&gt;, but found '&lt;block mapping start&gt;'" named neither (kept at the end of the hint).
     */
    @Test
    void aLineIndentedToNoLevelSaysItsIndentationAndTheLevelsAbove() {
        Diagnostic d = failure("resources:\n  - type: istio.peerAuthentication\n    spec:\n      namespace: demo\n"
                + "\n      # a comment\n     name: default\n      mtls: {mode: STRICT}\n");
        assertEquals("invalid YAML: line 7 is indented 5 spaces, which lines up with no key above it (those are at 6, 4, 2,"
                + " 0 spaces)", d.summary());
        assertTrue(d.detail().startsWith("indent it as deep as the other keys of the mapping it belongs to (the parser"
                + " said: expected <block end>"), d.detail());
        assertEquals(7, d.range().line());
        assertEquals(6, d.range().column());
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

    /** Jackson drops a tag it does not know and reads the value under it: `!Ref foo` would be the string "foo". */
    @Test
    void refusesAnUnknownTagAtTheTag() {
        Diagnostic d = failure("resources:\n  - type: istio.install\n    name: !Ref foo\n");
        assertEquals("YAML tag !Ref is not supported; meshform stacks are plain YAML", d.summary());
        assertEquals(3, d.range().line());
        assertEquals(11, d.range().column());
        for (String text : List.of("a: !Sub '${x}'\n", "a: !Ref {b: 1}\n", "a: [x, !GetAtt y]\n", "a: ! x\n",
                "a: !!binary aGk=\n", "a: !!timestamp 2001-12-14\n", "a: !!set {b: null}\n", "a: !<tag:example.com,2000:x> y\n",
                "%TAG !e! tag:example.com,2000:\n---\na: !e!x y\n")) {
            Diagnostic t = failure(text);
            assertTrue(t.summary().startsWith("YAML tag !") && t.summary().endsWith(" is not supported; meshform stacks are plain YAML"),
                    text + ": " + t.summary());
        }
        assertEquals("YAML tag !!binary is not supported; meshform stacks are plain YAML", failure("a: !!binary aGk=\n").summary());
        assertEquals("YAML tag !<tag:example.com,2000:x> is not supported; meshform stacks are plain YAML",
                failure("a: !<tag:example.com,2000:x> y\n").summary());
    }

    /** The parser reports no tag of a key: it is found in the text, after an anchor too. */
    @Test
    void refusesATagOnAKey() {
        Diagnostic d = failure("a: 1\n!Ref b: 2\n");
        assertEquals("YAML tag !Ref is not supported; meshform stacks are plain YAML", d.summary());
        assertEquals(2, d.range().line());
        assertEquals(1, d.range().column());
        assertEquals("YAML tag !!str is not supported; meshform stacks are plain YAML", failure("x: {&k !!str b: 2}\n").summary());
        assertEquals(2, failure("\u00e9\uD83D\uDE00: 1\n? !Ref c\n: 2\n").range().line());
        assertEquals("a!", reader.parse("s.yaml", "\"!b\": a!\nc: x != y\n").root().path("!b").asString(),
                "a ! inside a value or a quoted key is no tag");
    }

    /** A core-schema tag is accepted where the parser reads the value as the tag says, and only there. */
    @Test
    void acceptsACoreTagOnlyWhereTheValueReadsAsThatType() {
        YamlDocument doc = reader.parse("s.yaml", "s: !!str 123\ni: !!int \"12\"\nf: !!float 1.5\nb: !!bool true\n"
                + "n: !!null null\nm: !!map {a: 1}\nq: !!seq [1]\n");
        assertEquals("123", doc.root().path("s").asString());
        assertTrue(doc.root().path("s").isString());
        assertEquals(12, doc.root().path("i").intValue());
        assertTrue(doc.root().path("f").isNumber() && doc.root().path("b").booleanValue() && doc.root().path("n").isNull());
        assertTrue(doc.root().path("m").isObject() && doc.root().path("q").isArray());
        for (String text : List.of("a: !!bool yes\n", "a: !!int abc\n", "a: !!null\n", "a: !!null foo\n", "a: !!seq foo\n",
                "a: !!map [1]\n", "a: !!float abc\n")) {
            Diagnostic t = failure(text);
            assertTrue(t.summary().startsWith("YAML tag !!") && t.summary().contains(" does not fit its value"), text + ": " + t.summary());
            assertEquals(1, t.range().line());
            assertEquals(4, t.range().column());
        }
        assertEquals("YAML tag !!bool does not fit its value `yes`: it would be read as a string", failure("a: !!bool yes\n").summary());
    }

    /** Manifests and addon files (several documents) are read with the same rule. */
    @Test
    void everyDocumentOfAManifestFileIsJudgedToo() {
        DiagnosticsException e = assertThrows(DiagnosticsException.class,
                () -> reader.parseAll("m.yaml", "kind: A\n---\nkind: B\nmetadata: {name: !Ref x}\n"));
        Diagnostic d = e.diagnostics().get(0);
        assertEquals("YAML tag !Ref is not supported; meshform stacks are plain YAML", d.summary());
        assertEquals(4, d.range().line());
        assertEquals(18, d.range().column());
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

    /** A stack of the shape bench/run generates: flow mappings, block lists, quoted and plain scalars, numbers. */
    private static String benchLikeStack(int n) {
        StringBuilder sb = new StringBuilder("apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: b, environment: staging}\n"
                + "resources:\n");
        for (int i = 0; i < n; i++) {
            sb.append("  - type: kubernetes.manifest\n    name: cm-").append(i).append("\n    dependsOn: [kubernetes.namespace.ns-0]\n")
                    .append("    spec:\n      manifest:\n        apiVersion: v1\n        kind: ConfigMap\n")
                    .append("        metadata: {name: cm-").append(i).append(", namespace: b-0}\n")
                    .append("        data: {index: \"").append(i).append("\", team: platform, n: ").append(i)
                    .append(", f: 1.50, ok: true, none: null, tilde: ~, ver: 1.0e3, octal: 0o17, ' a/b~c': x}\n");
        }
        return sb.toString();
    }

    @Test
    void theTreeAndEveryPositionAreThoseOfAReadThatRecordsThemAsItGoes() {
        String text = benchLikeStack(40);
        YamlDocument doc = reader.parse("s.yaml", text);
        // The positions a document gives are found by the full read; the tree comes from the first read without marks.
        // Both must agree with a full read's own tree: the one whose positions are asked for first.
        YamlDocument placedFirst = reader.parse("s.yaml", text);
        java.util.Map<String, io.meshform.engine.diag.SourceRange> positions = new java.util.HashMap<>(placedFirst.positions());
        assertEquals(placedFirst.root(), doc.root());
        assertEquals(positions, new java.util.HashMap<>(doc.positions()));
        assertEquals(positions.size(), doc.positions().size());
        assertEquals(6, doc.rangeOf("/resources/0/name").line());
        assertEquals(5, doc.rangeOf("/resources/0/name").column());
        assertEquals(13, doc.rangeOf("/resources/0/spec/manifest/data/team").line());
        assertEquals(13, doc.rangeOf("/resources/0/spec/manifest/data/ a~1b~0c").line(), "escaped keys as before");
        assertEquals(java.math.BigInteger.valueOf(39), doc.root().at("/resources/39/spec/manifest/data/n").bigIntegerValue());
        assertEquals(new java.math.BigDecimal("1.50"), doc.root().at("/resources/0/spec/manifest/data/f").decimalValue());
        assertTrue(doc.root().at("/resources/0/spec/manifest/data/ok").isBoolean());
        assertTrue(doc.root().at("/resources/0/spec/manifest/data/none").isNull());
        assertEquals("39", doc.root().at("/resources/39/spec/manifest/data/index").asString());
        assertTrue(doc.root().at("/resources/39/spec/manifest/data/index").isString());
    }

    @Test
    void everyProblemIsStillReportedByTheFullReadWithItsPosition() {
        Diagnostic duplicate = failure("a: 1\nb:\n  c: 2\n  c: 3\n");
        assertTrue(duplicate.summary().startsWith("duplicate key `c`"), duplicate.summary());
        assertEquals(4, duplicate.range().line());
        assertTrue(duplicate.detail().contains("line 3"), duplicate.detail());
        Diagnostic two = failure("a: 1\n---\nb: 2\n");
        assertTrue(two.summary().startsWith("more than one YAML document"), two.summary());
        assertEquals(3, two.range().line());
        Diagnostic empty = failure("");
        assertEquals("the file is empty", empty.summary());
    }
}

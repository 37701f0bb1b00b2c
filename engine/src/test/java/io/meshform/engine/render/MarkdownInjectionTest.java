package io.meshform.engine.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.drift.DriftEntry;
import io.meshform.engine.drift.DriftKind;
import io.meshform.engine.drift.DriftReport;
import io.meshform.engine.plan.Plan;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A warning may quote what a stack's author or a tenant wrote (a coverage path, a provider name, a server's message):
 * in a Markdown report it is text, never HTML or Markdown that folds away the rest of a PR comment, fakes a verdict
 * or loads an image.
 */
class MarkdownInjectionTest {
    static final String EVIL = "/x`</details>**No changes.** <img src=https://evil.example/p.png> [ok](https://evil.example)"
            + " <details><summary>ok</summary> | &#x202e; \\<b>";

    @Test
    void aPlanWarningIsTextInTheComment() {
        Plan plan = new Plan("test", "s", "d", "l", 1, false, List.of(),
                List.of(Diagnostic.warning("ingress coverage: public path `GET example.com " + EVIL + "` goes to the auth proxy", "", null)));
        String md = new PlanMarkdown().render(plan);
        String listed = md.lines().filter(l -> l.startsWith("- ingress coverage")).findFirst().orElseThrow();
        assertInert(listed);
    }

    @Test
    void aDriftFindingAndNoteAreTextInTheReport() {
        DriftReport r = new DriftReport("s", List.of(),
                List.of(new DriftEntry(null, DriftKind.WEAKENED, "check says " + EVIL, null, null, List.of(), null)),
                List.of(), List.of(), List.of(Diagnostic.info("note " + EVIL, "", null)));
        String md = new DriftFormats().render(r, "markdown", Style.plain());
        String row = md.lines().filter(l -> l.contains("check says")).findFirst().orElseThrow();
        String note = md.lines().filter(l -> l.contains("note ")).findFirst().orElseThrow();
        assertInert(row.substring(row.indexOf("check says"), row.length() - " |".length()));
        assertInert(note.substring(note.indexOf("note ")));
    }

    @Test
    void plainTextStaysReadable() {
        assertEquals("spec.mtls.mode changed (a-b/c.d: 1)", MarkdownText.inline("spec.mtls.mode changed (a-b/c.d: 1)"));
        assertEquals("\\e\\[2K kept", MarkdownText.inline("\\e\\[2K kept").replace("\\\\", "\\"), "ControlChars' escapes read as written");
    }

    /** A quoted ``` on a line of its own stays inside the code block: what follows it is never Markdown. */
    @Test
    void aQuotedFenceDoesNotCloseTheCodeBlocks() {
        String quoted = "/x\n```\n</details>\n\n# Approved\n````\n";
        Plan plan = new Plan("test", "s", "d", "l", 1, false, List.of(),
                List.of(Diagnostic.warning("public path `GET example.com " + quoted + "` goes to the auth proxy", "", null)));
        assertOutsideCodeBlocksOnly(new PlanMarkdown().render(plan));
        assertOutsideCodeBlocksOnly(new DriftFormats().failure("s", "cannot read x: " + quoted, "markdown"));
    }

    /**
     * No line "# Approved" is read outside a code block, and each {@code </details>} there closes a {@code <details>}
     * (CommonMark's fences: a closing one is at least as long as the opening one).
     */
    private static void assertOutsideCodeBlocksOnly(String md) {
        int open = 0;
        int details = 0;
        for (String line : md.split("\n", -1)) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(" {0,3}(`{3,})(.*)").matcher(line);
            if (open == 0 && m.matches()) {
                open = m.group(1).length();
            } else if (open > 0 && m.matches() && m.group(1).length() >= open && m.group(2).isBlank()) {
                open = 0;
            } else if (open == 0) {
                assertFalse(line.startsWith("# Approved"), "read as Markdown: " + line + "\n" + md);
                details += line.startsWith("<details>") ? 1 : line.equals("</details>") ? -1 : 0;
                assertTrue(details >= 0, "a </details> outside the code block closes the comment's own: " + md);
            }
        }
        assertEquals(0, open, md);
    }

    /** No raw markup character is left: each is backslash-escaped, and so is a backslash that would escape one. */
    private static void assertInert(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ("`*_<>&|]~".indexOf(c) >= 0) {
                int slashes = 0;
                for (int j = i - 1; j >= 0 && text.charAt(j) == '\\'; j--) {
                    slashes++;
                }
                assertTrue(slashes % 2 == 1, "unescaped `" + c + "` at " + i + " in: " + text);
            }
        }
        assertFalse(text.contains("\n"), text);
    }
}

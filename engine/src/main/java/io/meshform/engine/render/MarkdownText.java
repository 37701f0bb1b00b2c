package io.meshform.engine.render;

import io.meshform.engine.diag.ControlChars;

/**
 * Text set into a Markdown report outside a code block (a plan comment's warning list and table, a drift report's
 * findings and notes). Such text may quote what a stack's author or a tenant wrote (a coverage path, a provider name,
 * an object's annotation, a server's message), and GitHub renders inline HTML and Markdown there: a quoted
 * {@code </details><details><summary>ok</summary>} folded the rest of the PR comment away, {@code **No changes.**}
 * faked a verdict, {@code <img src=...>} loaded an attacker's image. Each character that starts markup (CommonMark's
 * code spans, emphasis, links and images, raw HTML and entities, GFM's tables and strikethrough) is backslash-escaped,
 * as CommonMark allows for any ASCII punctuation, so the text reads as written, backticks included.
 */
public final class MarkdownText {
    /** The characters that open or close markup inline: {@code ]} ends every link and image, {@code <} all HTML. */
    private static final String MARKUP = "`*_<>&|]~";

    private MarkdownText() {
    }

    /** One line of inert text: controls and invisible characters escaped ({@link ControlChars}), markup escaped. */
    public static String inline(String s) {
        String text = ControlChars.escape(s).replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                // A backslash escapes the punctuation after it (which would then be escaped once more and read as
                // markup's own backslash): doubled there; before anything else (ControlChars' \e, \u202e) it is literal.
                boolean escapes = i + 1 < text.length() && isAsciiPunctuation(text.charAt(i + 1));
                out.append(escapes ? "\\\\" : "\\");
            } else {
                if (MARKUP.indexOf(c) >= 0) {
                    out.append('\\');
                }
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * A code block holding {@code content}: its fence is longer than any run of backticks in it, so no line of the
     * content (a value or a message quoting {@code ```} on a line of its own) can close the block and set what follows
     * as Markdown (CommonMark: a closing fence is at least as long as the opening one).
     */
    public static String codeBlock(String info, String content) {
        int longest = 0;
        int run = 0;
        for (int i = 0; i < content.length(); i++) {
            run = content.charAt(i) == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String fence = "`".repeat(Math.max(3, longest + 1));
        return fence + info + "\n" + content + (content.isEmpty() || content.endsWith("\n") ? "" : "\n") + fence + "\n";
    }

    private static boolean isAsciiPunctuation(char c) {
        return c >= 0x21 && c <= 0x7e && !Character.isLetterOrDigit(c);
    }
}

package io.meshform.engine.diag;

/**
 * Control characters in text meshform prints about the outside world (an API server's or istioctl's message, which
 * may quote what a stack wrote): C0 controls other than newline and tab, DEL and C1 controls are written as the
 * escapes plans already show them in (the YAML writer's double-quoted escapes: {@code \e}, {@code \r}, {@code \0},
 * {@code \a}, {@code \b}, {@code \v}, {@code \f}, {@code \N}, else {@code \xNN}), so an ESC sequence, a carriage
 * return or an OSC string from there cannot move the cursor, rewrite a line, set the clipboard or a link. A
 * backslash is left as it is, so escaping twice changes nothing.
 */
public final class ControlChars {
    private ControlChars() {
    }

    /** Whether {@code c} is escaped: C0 but newline and tab, DEL, C1. */
    public static boolean escaped(char c) {
        return (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f);
    }

    /** {@code text} with every {@linkplain #escaped escaped} character written as its escape; null for null. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !escaped(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 8).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!escaped(c)) {
                out.append(c);
                continue;
            }
            switch (c) {
                case 0x00 -> out.append("\\0");
                case 0x07 -> out.append("\\a");
                case 0x08 -> out.append("\\b");
                case 0x0b -> out.append("\\v");
                case 0x0c -> out.append("\\f");
                case 0x0d -> out.append("\\r");
                case 0x1b -> out.append("\\e");
                case 0x85 -> out.append("\\N");
                default -> out.append(String.format("\\x%02x", (int) c));
            }
        }
        return out.toString();
    }
}

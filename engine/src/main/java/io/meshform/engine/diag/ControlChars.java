package io.meshform.engine.diag;

/**
 * Control characters in text meshform prints about the outside world (an API server's or istioctl's message, which
 * may quote what a stack wrote; a value of the stack, the state or a live object in a plan or drift report): C0
 * controls other than newline and tab, DEL and C1 controls are written as the escapes plans already show them in
 * (the YAML writer's double-quoted escapes: {@code \e}, {@code \r}, {@code \0}, {@code \a}, {@code \b}, {@code \v},
 * {@code \f}, {@code \N}, else {@code \xNN}), so an ESC sequence, a carriage return or an OSC string from there cannot
 * move the cursor, rewrite a line, set the clipboard or a link.
 *
 * <p>Invisible characters that change how the rest of a line reads are escaped too, as <code>&#92;u202e</code> (or
 * <code>&#92;U000e0041</code> beyond the BMP): Unicode's format characters (category Cf: the bidirectional overrides and
 * isolates U+202A-U+202E and U+2066-U+2069, the marks U+200E, U+200F and U+061C, zero-width spaces and joiners,
 * U+FEFF, the tag characters U+E0000-U+E007F) and the line and paragraph separators U+2028 and U+2029. A right-to-left
 * override in a ConfigMap value written <code>x&#92;u202eexe.gnp</code> displays as {@code xpng.exe}, and reverses whatever follows it on
 * the line ("Trojan Source", CVE-2021-42574); a zero-width space makes two different values look the same. These are
 * the characters Go's {@code strconv.Quote} (kubectl's and istioctl's {@code %q}) escapes beyond the controls:
 * {@code unicode.IsPrint} is false for Cf, Zl and Zp. A backslash is left as it is, so escaping twice changes nothing.
 */
public final class ControlChars {
    private ControlChars() {
    }

    /** Whether the code point {@code cp} is escaped: C0 but newline and tab, DEL, C1, Unicode Cf, Zl and Zp. */
    public static boolean escaped(int cp) {
        if (cp < 0x20) {
            return cp != '\n' && cp != '\t';
        }
        if (cp < 0x7f) {
            return false;
        }
        if (cp <= 0x9f) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** {@code text} with every {@linkplain #escaped escaped} character written as its escape; null for null. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !escaped(text.codePointAt(i))) {
            i += Character.charCount(text.codePointAt(i));
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 8).append(text, 0, i);
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (!escaped(cp)) {
                out.appendCodePoint(cp);
                continue;
            }
            switch (cp) {
                case 0x00 -> out.append("\\0");
                case 0x07 -> out.append("\\a");
                case 0x08 -> out.append("\\b");
                case 0x0b -> out.append("\\v");
                case 0x0c -> out.append("\\f");
                case 0x0d -> out.append("\\r");
                case 0x1b -> out.append("\\e");
                case 0x85 -> out.append("\\N");
                default -> out.append(cp <= 0xff ? String.format("\\x%02x", cp)
                        : cp <= 0xffff ? String.format("\\u%04x", cp) : String.format("\\U%08x", cp));
            }
        }
        return out.toString();
    }
}

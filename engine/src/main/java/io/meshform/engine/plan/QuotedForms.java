package io.meshform.engine.plan;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The quoted forms of a sensitive value, so that {@link Sensitive#redact} finds it in the messages of programs that
 * quote what they echo: kube-apiserver's field errors (Go's JSON) and Go's {@code %q}. Each form is what one encoder
 * writes between the quotes; which encoders and flags are spelled out on {@link #of}.
 */
final class QuotedForms {
    private QuotedForms() {
    }

    /**
     * {@code s} as the encoders of the programs whose messages meshform prints write it inside quotes (the quotes
     * left out), other than {@code s} itself: JSON ({@code "}, {@code \}, {@code \n}, {@code \t}, controls as
     * <code>&#92;u00XX</code>; {@code \b}/{@code \f} short or not; hex digits lower or upper case; non-ASCII as is or as
     * <code>&#92;uXXXX</code>), Go's HTML-safe JSON (encoding/json also writes {@code <}, {@code >}, {@code &},
     * U+2028 and U+2029 as <code>&#92;u003c</code>, <code>&#92;u003e</code>, <code>&#92;u0026</code>,
     * <code>&#92;u2028</code>, <code>&#92;u2029</code>: kube-apiserver's field errors), Go's {@code strconv.Quote} ({@code %q}: {@code \a \b \f \n \r \t \v}, other controls and DEL
     * as {@code \xNN}, other unprintable runes as <code>&#92;uXXXX</code>/{@code \UXXXXXXXX}) and {@code QuoteToASCII}
     * ({@code %+q}), and each of these quoted once more (a quoted message inside another).
     */
    static Set<String> of(String s) {
        Set<String> out = new LinkedHashSet<>();
        if (s == null || s.chars().noneMatch(QuotedForms::quotable)) {
            return out;
        }
        for (int flags = 0; flags < 16; flags++) {
            out.add(json(s, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, (flags & 8) != 0));
        }
        out.add(goQuote(s, false));
        out.add(goQuote(s, true));
        for (String once : List.copyOf(out)) {
            out.add(json(once, false, false, false, true));
            out.add(json(once, true, false, false, true));
            out.add(goQuote(once, false));
        }
        out.remove(s);
        return out;
    }

    /** A character some encoder writes otherwise than as itself. */
    private static boolean quotable(int c) {
        return c == '"' || c == '\\' || c < 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '&';
    }

    /** JSON string escaping; {@code html}: also {@code <>&} and U+2028/9 (Go), {@code ascii}: all non-ASCII. */
    static String json(String s, boolean html, boolean ascii, boolean upperHex, boolean shortBf) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append(shortBf ? "\\b" : hex4(c, upperHex));
                case '\f' -> b.append(shortBf ? "\\f" : hex4(c, upperHex));
                default -> {
                    boolean escape = c < 0x20
                            || (html && (c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029))
                            || (ascii && c >= 0x7f);
                    b.append(escape ? hex4(c, upperHex) : String.valueOf(c));
                }
            }
        }
        return b.toString();
    }

    private static String hex4(int c, boolean upper) {
        String h = String.format("\\u%04x", c);
        return upper ? "\\u" + h.substring(2).toUpperCase(Locale.ROOT) : h;
    }

    /** Go's {@code strconv.Quote} (or {@code QuoteToASCII} when {@code ascii}) without the quotes. */
    static String goQuote(String s, boolean ascii) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        s.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case 0x07 -> b.append("\\a");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case 0x0b -> b.append("\\v");
                default -> {
                    if (ascii ? c >= 0x20 && c < 0x7f : goPrintable(c)) {
                        b.appendCodePoint(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\x%02x", c));
                    } else if (c < 0x10000) {
                        b.append(String.format("\\u%04x", c));
                    } else {
                        b.append(String.format("\\U%08x", c));
                    }
                }
            }
        });
        return b.toString();
    }

    /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    private static boolean goPrintable(int c) {
        if (c == ' ') {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }
}

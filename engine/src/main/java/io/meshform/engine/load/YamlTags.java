package io.meshform.engine.load;

import io.meshform.engine.diag.Quote;
import java.util.Set;
import tools.jackson.core.JsonToken;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * YAML tags ({@code !Ref foo}, {@code !!int 3}) in a file meshform reads from the user. Jackson's YAML parser
 * (jackson-dataformat-yaml 3.2, {@code YAMLParser._decodeScalar}) drops a tag it does not know and reads the value
 * under it: {@code name: !Ref foo} is the string "foo", so a stack written for a tool that evaluates tags would be read
 * as something other than it says. Of the core schema's tags it honours {@code !!str}, {@code !!map} and {@code !!seq}
 * always, and {@code !!int}, {@code !!float}, {@code !!bool} and {@code !!null} only where the value reads as that type:
 * {@code !!bool yes} is the string "yes", {@code !!int abc} the string "abc", {@code !!null} alone the empty string,
 * {@code !!null foo} null. It reports no tag of a mapping key at all. So a tag is accepted only where the parser reads
 * the value as the tag says; every other one is an error at the tag, as aliases are.
 *
 * <p>No tag can be written without a {@code !}: a file without one is not looked at (the fast first read of a stack,
 * {@link YamlReader#parse}, leaves a file with one to the full read, which places every tag).
 */
final class YamlTags {
    private static final String CORE = "tag:yaml.org,2002:";
    private static final Set<String> NULLS = Set.of("null", "Null", "NULL", "~");

    /** What to say about a tag: the diagnostic's summary and detail. */
    record Problem(String summary, String detail) {
    }

    private final String text;
    /** Where each line starts in {@link #text}, built when the first key is looked at. */
    private int[] lineStarts;

    private YamlTags(String text) {
        this.text = text;
    }

    /** The tags of {@code text}, or null when it holds no {@code !} and so no tag. */
    static YamlTags of(String text) {
        return text.indexOf('!') < 0 ? null : new YamlTags(text);
    }

    /** Whether {@code text} may hold a tag. */
    static boolean possible(String text) {
        return text.indexOf('!') >= 0;
    }

    /**
     * The problem with the tag of the value the parser is on (token {@code t}), or null when it has none or the
     * parser reads the value as the tag says. {@code YAMLParser.getRawTag} is reliable for values only: on a key it
     * gives the enclosing mapping's tag, or none.
     */
    static Problem ofValue(YAMLParser p, JsonToken t) {
        String tag = p.getRawTag();
        if (tag == null) {
            return null;
        }
        String core = tag.startsWith(CORE) ? tag.substring(CORE.length()) : null;
        boolean honoured = core != null && switch (core) {
            case "str" -> t == JsonToken.VALUE_STRING;
            case "int" -> t == JsonToken.VALUE_NUMBER_INT && isNumber(p);
            case "float" -> t == JsonToken.VALUE_NUMBER_FLOAT && isNumber(p);
            case "bool" -> t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE;
            case "null" -> t == JsonToken.VALUE_NULL && NULLS.contains(p.getString());
            case "map" -> t == JsonToken.START_OBJECT;
            case "seq" -> t == JsonToken.START_ARRAY;
            default -> false;
        };
        if (honoured) {
            return null;
        }
        String shown = shown(tag);
        if (core != null && Set.of("int", "float", "bool", "null", "map", "seq").contains(core)) {
            return new Problem("YAML tag " + shown + " does not fit its value" + (t.isScalarValue() ? " `"
                    + Quote.shortened(p.getString()) + "`" : "") + (isNumber(t) ? "" : ": it would be read as " + readAs(t)),
                    "meshform stacks are plain YAML (1.2, core schema), and a tag is accepted only where the value already"
                            + " reads as that type; write the value without the tag: true or false, a number, null, or a"
                            + " quoted string");
        }
        return unsupported(shown);
    }

    /**
     * The problem with a tag written before the mapping key at {@code line}:{@code column} (1-based, as the parser
     * counts them: in code points), or null when it has none. Read from the text, since the parser does not report
     * it; an anchor ({@code &a !Ref key}) may come first.
     */
    Problem ofKey(int line, int column) {
        int at = offset(line, column);
        if (at < 0) {
            return null;
        }
        if (at < text.length() && text.charAt(at) == '&') {
            while (at < text.length() && !Character.isWhitespace(text.charAt(at))) {
                at++;
            }
            while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
                at++;
            }
        }
        if (at >= text.length() || text.charAt(at) != '!') {
            return null;
        }
        int end = at;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && ",[]{}".indexOf(text.charAt(end)) < 0) {
            end++;
        }
        return unsupported(Quote.shortened(text.substring(at, end)));
    }

    /** The parser takes the tag's word for a number ({@code !!float abc} is a float token) and fails on reading it. */
    private static boolean isNumber(YAMLParser p) {
        try {
            p.getDecimalValue();
            return true;
        } catch (tools.jackson.core.JacksonException | NumberFormatException e) {
            return false;
        }
    }

    private static Problem unsupported(String shown) {
        return new Problem("YAML tag " + shown + " is not supported; meshform stacks are plain YAML",
                "meshform evaluates no tags (such as CloudFormation's !Ref or !Sub) and would otherwise read the value"
                        + " under it as if the tag were not there; remove the tag and write the value itself");
    }

    /** A tag as it is usually written: {@code !!str} for the core schema's, {@code !<uri>} for a %TAG-expanded one. */
    private static String shown(String tag) {
        if (tag.startsWith(CORE)) {
            return "!!" + Quote.shortened(tag.substring(CORE.length()));
        }
        return Quote.shortened(tag.startsWith("!") ? tag : "!<" + tag + ">");
    }

    private static boolean isNumber(JsonToken t) {
        return t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT;
    }

    private static String readAs(JsonToken t) {
        return switch (t) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a decimal number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_OBJECT -> "a mapping";
            case START_ARRAY -> "a list";
            default -> "something else";
        };
    }

    /** The char index of a 1-based line and code-point column, or -1 outside the text. */
    private int offset(int line, int column) {
        if (lineStarts == null) {
            java.util.List<Integer> starts = new java.util.ArrayList<>();
            starts.add(0);
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\n' || (c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n'))) {
                    starts.add(i + 1);
                }
            }
            lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
        }
        if (line < 1 || line > lineStarts.length || column < 1) {
            return -1;
        }
        try {
            return text.offsetByCodePoints(lineStarts[line - 1], column - 1);
        } catch (IndexOutOfBoundsException e) {
            return -1;
        }
    }
}

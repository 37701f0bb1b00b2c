package io.meshform.engine.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * A program's message about an input that held sensitive values (istioctl refusing an IstioOperator), made safe to
 * print. {@link Sensitive#redact} masks whole occurrences of a value; a parser's error quotes a part of it. Seen with
 * istioctl 1.30.3, {@code values.pilot.replicaCount} set to a text (protojson parses a quoted number's content as
 * JSON):
 * <ul>
 * <li>{@code invalid character 'S' looking for beginning of value} (the value's first character);
 * <li>{@code invalid character 'S' after top-level value} (for {@code 3S3cr3t}: the first character that is not part
 * of a number, and that the value begins with one);
 * <li>{@code invalid character '3' in literal true (expecting 'e')} (for {@code tru3tok}: the value begins with
 * {@code tru}, though {@code tru} is quoted nowhere).
 * </ul>
 * Those are Go's encoding/json SyntaxError texts (encoding/json/scanner.go, {@code quoteChar}); yaml.v3 quotes a value
 * cut short ({@code cannot unmarshal !!str `S3cr3tT...`}). So every quoted fragment (in {@code '}, {@code "} or
 * {@code `}) that is part of a sensitive value is masked, and a JSON syntax error whose character a sensitive value
 * holds (or that names a blank, the end of the value) is withheld from the error on, its wording telling how the value
 * begins: in its place meshform names the fields whose values hold that character and says what was wrong. The same objects' {@code istioctl validate} quotes a
 * RequestAuthentication's jwks the same way ({@code jwks parse error: failed to unmarshal JWK set: invalid character
 * 'S' looking for beginning of value}).
 */
public final class SensitiveMessage {
    private static final Pattern QUOTED = Pattern.compile("'([^'\\s]{1,12})'|\"((?:\\\\.|[^\"\\\\])*)\"|`([^`]*)`");
    /** encoding/json's SyntaxError: "invalid character " + quoteChar(c) + context (encoding/json/scanner.go). */
    private static final Pattern JSON_SYNTAX = Pattern.compile("invalid character '((?:\\\\.|[^'\\\\])+)'");

    private final Map<String, String> values;
    private final Set<String> secrets;

    private SensitiveMessage(Map<String, String> values, Set<String> secrets) {
        this.values = values;
        this.secrets = secrets;
    }

    /**
     * The sensitive values of {@code input} at {@code patterns} (digests and bools left out: neither can be given
     * away in part), each under the field it is at ({@code values.pilot.replicaCount}).
     */
    public static SensitiveMessage of(JsonNode input, Set<String> patterns) {
        Map<String, String> values = new LinkedHashMap<>();
        Sensitive.matches(input, patterns).forEach((pointer, v) -> leaves(pointer, v, values));
        return new SensitiveMessage(values, Sensitive.secrets(input, patterns));
    }

    private static void leaves(String pointer, JsonNode v, Map<String, String> out) {
        if (v.isContainer()) {
            v.propertyNames().forEach(k -> leaves(pointer + "/" + k.replace("~", "~0").replace("/", "~1"), v.get(k), out));
            for (int i = 0; v.isArray() && i < v.size(); i++) {
                leaves(pointer + "/" + i, v.get(i), out);
            }
        } else if (!v.isNull() && !v.isBoolean() && !Sensitive.isDigest(v)) {
            String text = v.isString() ? v.asString() : v.toString();
            if (!text.isEmpty()) {
                out.put(field(pointer), text);
            }
        }
    }

    /** {@code /values/pilot/replicaCount} as {@code values.pilot.replicaCount}; a list index as {@code [0]}. */
    static String field(String pointer) {
        StringBuilder sb = new StringBuilder();
        for (String part : pointer.isEmpty() ? new String[0] : pointer.substring(1).split("/", -1)) {
            String key = part.replace("~1", "/").replace("~0", "~");
            if (key.matches("\\d+")) {
                sb.append('[').append(key).append(']');
            } else {
                sb.append(sb.isEmpty() ? "" : ".").append(key);
            }
        }
        return sb.toString();
    }

    /** An input without sensitive values: its messages are shown as they are. */
    public static SensitiveMessage none() {
        return new SensitiveMessage(Map.of(), Set.of());
    }

    /**
     * {@code message}, which {@code who} ("istioctl") wrote about the input, with no part of a sensitive value in
     * it: whole values and quoted parts masked, JSON syntax errors withheld (see the class comment).
     */
    public String redact(String who, String message) {
        if (message == null || values.isEmpty()) {
            return message;
        }
        List<String> out = new ArrayList<>();
        for (String line : Sensitive.redact(message, secrets).split("\n", -1)) {
            Matcher syntax = JSON_SYNTAX.matcher(line);
            if (syntax.find()) {
                String c = unescape(syntax.group(1));
                List<String> fields = holding(c);
                boolean end = fields.isEmpty() && c.isBlank();
                // What comes before the error is kept ("jwks parse error: failed to unmarshal JWK set: "), after it not.
                String before = maskFragments(line.substring(0, syntax.start()));
                out.add(end ? before + withheld(who, List.copyOf(values.keySet()), false)
                        : fields.isEmpty() ? maskFragments(line) : before + withheld(who, fields, true));
            } else {
                out.add(maskFragments(line));
            }
        }
        return String.join("\n", out);
    }

    /**
     * The fields whose value holds {@code c}, the character a JSON syntax error names, as is or as JSON or Go quote it
     * ({@link QuotedForms}: {@code "x"} was parsed as {@code \"x\"}, "invalid character '\\'"). The parser read the
     * character from the text it parsed, so when no sensitive value holds it the error is about another value and is
     * shown as it is; a blank one is the end of the text ({@code tru} read as "tru "), handled by the caller.
     */
    private List<String> holding(String c) {
        return values.entrySet().stream()
                .filter(e -> e.getValue().contains(c) || QuotedForms.of(e.getValue()).stream().anyMatch(q -> q.contains(c)))
                .map(Map.Entry::getKey).toList();
    }

    /**
     * The line said in place of a JSON syntax error: {@code quoted} when its character is one the fields' values hold,
     * else (the value's end, a character not named) it may tell how they begin ("in literal false (expecting 'e')").
     */
    private static String withheld(String who, List<String> fields, boolean quoted) {
        boolean one = fields.size() == 1;
        return String.join(" or ", fields) + (one ? " (a sensitive value, not shown): " : " (sensitive values, not shown): ")
                + who + " could not read a value as JSON (a number, or a JSON document, where Istio expects one), and its"
                + " message is withheld: it " + (quoted ? "quotes a character that " : "may tell how ")
                + (one ? "this field's value " : "these fields' values ")
                + (quoted ? (one ? "holds" : "hold") : (one ? "begins" : "begin"))
                + ". Give the field a value of the type Istio expects";
    }

    /** These values and {@code other}'s: the input held both. */
    public SensitiveMessage and(SensitiveMessage other) {
        Map<String, String> v = new LinkedHashMap<>(values);
        // The same value under two names (a policy's spec field and its object's) is named once, by the first.
        other.values.forEach((field, value) -> {
            if (!v.containsValue(value)) {
                v.putIfAbsent(field, value);
            }
        });
        Set<String> s = new java.util.HashSet<>(secrets);
        s.addAll(other.secrets);
        return new SensitiveMessage(v, s);
    }

    private String maskFragments(String line) {
        Matcher m = QUOTED.matcher(line);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String quoted = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            m.appendReplacement(sb, Matcher.quoteReplacement(partOfValue(quoted) ? Sensitive.MASK : m.group()));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * Whether a quoted text is part of a sensitive value: as quoted, unescaped (Go's {@code %q} and JSON escapes),
     * without inner quotes (a quoted text quoted again) or the "..." a cut-short value ends with.
     */
    private boolean partOfValue(String quoted) {
        List<String> forms = new ArrayList<>(List.of(quoted, unescape(quoted)));
        for (String f : List.copyOf(forms)) {
            String s = f;
            while (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
                s = s.substring(1, s.length() - 1);
                forms.add(s);
            }
            if (s.endsWith("...")) {
                forms.add(s.substring(0, s.length() - 3));
            }
        }
        return forms.stream().filter(f -> !f.isEmpty() && !Sensitive.isMask(f))
                .anyMatch(f -> values.values().stream().anyMatch(v -> v.contains(f)));
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'x' -> {
                    if (i + 2 < s.length() && s.substring(i + 1, i + 3).matches("[0-9a-fA-F]{2}")) {
                        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                        i += 2;
                    } else {
                        sb.append(e);
                    }
                }
                case 'u' -> {
                    if (i + 4 < s.length() && s.substring(i + 1, i + 5).matches("[0-9a-fA-F]{4}")) {
                        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                        i += 4;
                    } else {
                        sb.append(e);
                    }
                }
                default -> sb.append(e);
            }
        }
        return sb.toString();
    }
}

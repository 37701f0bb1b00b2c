package io.meshform.engine.plan;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps values a provider marks sensitive out of everything meshform writes. Paths are JSON Pointer patterns in
 * which {@code *} stands for any one key or list index ({@code /jwtRules/*}{@code /jwks}, {@code /manifest/data/*}).
 *
 * <p>Plans show {@value #MASK}, or {@value #CHANGED} where the value differs between the two sides, so a reviewer
 * sees that a password changed without seeing it (as Terraform does). State keeps a keyed digest per value
 * ({@code sha256:...}, salted with the value's path), never the value: drift digests the live value the same way
 * and compares digests. A digest is not encryption: a weak password can still be guessed from it, so state stays
 * owner-only.
 */
public final class Sensitive {
    public static final String MASK = "(sensitive)";
    public static final String CHANGED = "(sensitive value changed)";
    private static final String DIGEST_PREFIX = "sha256:";
    /** Fixed key: the digest must be the same on every machine that plans, applies or checks drift. */
    // Static but not state: a constant never written after class init, handed only to SecretKeySpec, which copies it.
    private static final byte[] KEY = "meshform sensitive value digest v1".getBytes(StandardCharsets.UTF_8);
    /**
     * Values shorter than this are not searched for in free text: "on" or "1" would garble every message. A sensitive
     * variable's value that short is refused where it is declared ({@link #maskableInText}), so none is printed.
     */
    public static final int MIN_REDACTED_LENGTH = 4;

    private Sensitive() {
    }

    /** True for the text a masked value is shown as: {@value #MASK} or {@value #CHANGED}. */
    public static boolean isMask(String text) {
        return MASK.equals(text) || CHANGED.equals(text);
    }

    /** Every concrete pointer in {@code value} that one of the patterns matches, with the value there. */
    public static Map<String, JsonNode> matches(JsonNode value, Set<String> patterns) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (value == null || patterns.isEmpty()) {
            return out;
        }
        for (String pattern : patterns) {
            String[] parts = pattern.isEmpty() ? new String[0] : pattern.substring(1).split("/", -1);
            walk(value, parts, 0, "", out);
        }
        return out;
    }

    private static void walk(JsonNode node, String[] parts, int i, String at, Map<String, JsonNode> out) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        if (i == parts.length) {
            out.put(at, node);
            return;
        }
        String part = parts[i];
        if (node instanceof ObjectNode o) {
            if (part.equals("*")) {
                for (Map.Entry<String, JsonNode> e : o.properties()) {
                    walk(e.getValue(), parts, i + 1, at + "/" + escape(e.getKey()), out);
                }
            } else {
                walk(o.get(unescape(part)), parts, i + 1, at + "/" + part, out);
            }
        } else if (node instanceof ArrayNode a) {
            if (part.equals("*")) {
                for (int k = 0; k < a.size(); k++) {
                    walk(a.get(k), parts, i + 1, at + "/" + k, out);
                }
            } else if (part.matches("\\d+") && Integer.parseInt(part) < a.size()) {
                walk(a.get(Integer.parseInt(part)), parts, i + 1, at + "/" + part, out);
            }
        }
    }

    public static JsonNode mask(JsonNode value, Set<String> patterns) {
        Map<String, JsonNode> found = matches(value, patterns);
        if (found.isEmpty()) {
            return value;
        }
        JsonNode copy = value.deepCopy();
        found.keySet().forEach(p -> SpecPointers.set(copy, p, JsonNodeFactory.instance.stringNode(MASK)));
        return copy;
    }

    /**
     * Masks both sides of a change; a value present on both sides that differs is shown as {@value #CHANGED} on the
     * {@code after} side, so the diff says it changed. Returns {before, after}.
     */
    public static JsonNode[] maskPair(JsonNode before, JsonNode after, Set<String> patterns) {
        Map<String, JsonNode> b = matches(before, patterns);
        Map<String, JsonNode> a = matches(after, patterns);
        JsonNode maskedBefore = mask(before, patterns);
        JsonNode maskedAfter = mask(after, patterns);
        for (Map.Entry<String, JsonNode> e : a.entrySet()) {
            JsonNode old = b.get(e.getKey());
            if (old != null && !same(old, e.getValue(), e.getKey())) {
                SpecPointers.set(maskedAfter, e.getKey(), JsonNodeFactory.instance.stringNode(CHANGED));
            }
        }
        return new JsonNode[] {maskedBefore, maskedAfter};
    }

    /** Equal values, or a value and its digest (drift compares a digested live value with a recorded digest). */
    private static boolean same(JsonNode x, JsonNode y, String pointer) {
        return x.equals(y) || digestOf(pointer, x).equals(text(y)) || digestOf(pointer, y).equals(text(x));
    }

    /** The value with every sensitive value replaced by its digest; digests already there stay as they are. */
    public static JsonNode digest(JsonNode value, Set<String> patterns) {
        Map<String, JsonNode> found = matches(value, patterns);
        if (found.isEmpty()) {
            return value;
        }
        JsonNode copy = value.deepCopy();
        found.forEach((p, v) -> SpecPointers.set(copy, p, JsonNodeFactory.instance.stringNode(isDigest(v) ? text(v) : digestOf(p, v))));
        return copy;
    }

    /**
     * As {@link #digest(JsonNode, Set)}, leaving the values at the pointers in {@code inClear} as they are: drift
     * compares those in clear with the applied values it knows ({@link #restore}).
     */
    public static JsonNode digest(JsonNode value, Set<String> patterns, Set<String> inClear) {
        Map<String, JsonNode> found = matches(value, patterns);
        found.keySet().removeAll(inClear);
        if (found.isEmpty()) {
            return value;
        }
        JsonNode copy = value.deepCopy();
        found.forEach((p, v) -> SpecPointers.set(copy, p, JsonNodeFactory.instance.stringNode(isDigest(v) ? text(v) : digestOf(p, v))));
        return copy;
    }

    /**
     * {@code recorded} (a value as the state records it) with each digest put back in clear where {@code declared} (the
     * stack's value of the same resource) holds, at the same pointer, a value whose digest it is: that value is provably
     * the one applied, so a type that cannot compare digests (an install renders its spec with istioctl and compares the
     * render) is given what was applied. A digest whose value the stack no longer gives (a changed or removed variable)
     * stays a digest. Returns {@code recorded} itself when nothing is put back.
     */
    public static JsonNode restore(JsonNode recorded, JsonNode declared) {
        if (recorded == null || declared == null) {
            return recorded;
        }
        JsonNode copy = null;
        for (String pointer : digestPaths(recorded)) {
            JsonNode value = declared.at(pointer);
            if (value.isMissingNode() || value.isNull() || isDigest(value)
                    || !digestOf(pointer, value).equals(text(recorded.at(pointer)))) {
                continue;
            }
            if (copy == null) {
                copy = recorded.deepCopy();
            }
            SpecPointers.set(copy, pointer, value.deepCopy());
        }
        return copy == null ? recorded : copy;
    }

    /**
     * The sensitive values {@link #restore} could not put back, whose applied value meshform does not know: each pointer
     * of {@code applied} (a spec as restored) still holding a digest, with what the stack gives there. Either another
     * value (provably not the one applied, since its digest differs: a rotated secret not applied yet), or, where the
     * stack no longer gives a value at all (the variable or the field removed, or the resource no longer declared:
     * {@code declared} null), a {@link MissingNode}. Both are unknown alike: state keeps only the applied value's digest,
     * and a digest read as the value would be compared with the cluster as if it had been applied.
     */
    public static Map<String, JsonNode> rotated(JsonNode applied, JsonNode declared) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (applied == null) {
            return out;
        }
        for (String pointer : digestPaths(applied)) {
            JsonNode value = declared == null ? MissingNode.getInstance() : declared.at(pointer);
            if (value.isMissingNode() || value.isNull() || isDigest(value)) {
                out.put(pointer, MissingNode.getInstance());
            } else if (!digestOf(pointer, value).equals(text(applied.at(pointer)))) {
                out.put(pointer, value.deepCopy());
            }
        }
        return out;
    }

    /**
     * The pointers in {@code value} that hold a digest: a value recorded as sensitive stays sensitive on both sides
     * of every later plan and drift, whatever made it sensitive (a {@code sensitive} variable that a later stack no
     * longer uses, or a resource no longer declared), so the old value the cluster still holds is masked too.
     */
    public static Set<String> digestPaths(JsonNode value) {
        Set<String> out = new LinkedHashSet<>();
        collectDigests(value, "", out);
        return out;
    }

    private static void collectDigests(JsonNode node, String at, Set<String> out) {
        if (node == null) {
            return;
        }
        if (node instanceof ObjectNode o) {
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                collectDigests(e.getValue(), at + "/" + escape(e.getKey()), out);
            }
        } else if (node instanceof ArrayNode a) {
            for (int k = 0; k < a.size(); k++) {
                collectDigests(a.get(k), at + "/" + k, out);
            }
        } else if (isDigest(node) && !at.isEmpty()) {
            out.add(at);
        }
    }

    public static boolean isDigest(JsonNode v) {
        return v.isString() && v.asString().startsWith(DIGEST_PREFIX) && v.asString().length() == DIGEST_PREFIX.length() + 64;
    }

    static String digestOf(String pointer, JsonNode v) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
            mac.update(pointer.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return DIGEST_PREFIX + HexFormat.of().formatHex(mac.doFinal(text(v).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(JsonNode v) {
        return v.isString() ? v.asString() : v.toString();
    }

    /**
     * The texts a sensitive value may show up as in free text (an API server error that echoes the object): the
     * value, its base64 form, and for a base64 value (a Secret's {@code data}) the decoded text, each also as Go and
     * JSON quote it ({@link QuotedForms}: kube-apiserver and istioctl print values with {@code %q} or JSON, so
     * {@code Pa"ss\wo<rd} comes back as <code>Pa\"ss\\wo&#92;u003crd</code>). Digests are left out.
     */
    public static Set<String> secrets(JsonNode value, Set<String> patterns) {
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode v : matches(value, patterns).values()) {
            List<JsonNode> leaves = new ArrayList<>();
            collectLeaves(v, leaves);
            for (JsonNode leaf : leaves) {
                if (isDigest(leaf) || leaf.isBoolean()) {
                    continue;  // a bool's "true" cannot be told from every other "true" in a message
                }
                String s = text(leaf);
                addQuoted(out, s);
                add(out, Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)));
                try {
                    addQuoted(out, new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException notBase64) {
                    // a plain value
                }
            }
        }
        return out;
    }

    private static void collectLeaves(JsonNode v, List<JsonNode> out) {
        if (v.isContainer()) {
            v.forEach(c -> collectLeaves(c, out));
            if (v.isObject()) {
                out.add(v);  // an inline JWKS document is echoed whole as often as in parts
            }
        } else if (!v.isNull()) {
            out.add(v);
        }
    }

    /**
     * The value, its quoted forms, and the value with its control characters escaped as a diagnostic shows them
     * ({@link io.meshform.engine.diag.ControlChars}): a diagnostic is escaped before the redactor reads it.
     */
    private static void addQuoted(Set<String> out, String s) {
        add(out, s);
        add(out, io.meshform.engine.diag.ControlChars.escape(s));
        QuotedForms.of(s).forEach(q -> add(out, q));
    }

    /**
     * Whether {@link #redact} can find {@code value} in free text: a bool never is, by design (its {@code true} is in
     * every message), and is masked only where it lands; any other value needs {@value #MIN_REDACTED_LENGTH} characters
     * other than surrounding blanks.
     */
    public static boolean maskableInText(JsonNode value) {
        return !value.isValueNode() || value.isBoolean() || value.isNull() || maskableInText(text(value));
    }

    /**
     * Whether {@link #redact} can find {@code text} in free text ({@link #secrets} keeps only such forms): a Secret's
     * data value is checked by its decoded text with this, since that text is one of the forms masked.
     */
    public static boolean maskableInText(String text) {
        return text.strip().length() >= MIN_REDACTED_LENGTH;
    }

    private static void add(Set<String> out, String s) {
        if (s != null && s.strip().length() >= MIN_REDACTED_LENGTH) {
            out.add(s);
        }
    }

    /**
     * {@code text} with every place any of {@code secrets} occurs, in any letter case, replaced by {@value #MASK}: a
     * check that says how a value should be written ({@code methods: ["${var.m}"]} given {@code delete}: "Write
     * \"DELETE\"") or tries it in another case (ingress coverage's upper-case variant of a path) printed the value
     * upper-cased, which an exact match does not find.
     *
     * <p>All places are found in the text as given, and overlapping or adjoining ones become one mask. Replacing one
     * secret after another left the tail of a secret that overlapped one masked before it in clear ("abcd" and "cdef"
     * in "abcdef" printed "(sensitive)ef"), and a secret found inside a mask already there ("tive") mangled it into
     * "(sensi(sensitive))", which tells the secret's text. A place wholly inside a mask already in the text is not one.
     */
    public static String redact(String text, Set<String> secrets) {
        return TextMask.of(text, secrets, MASK);
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static String unescape(String part) {
        return part.replace("~1", "/").replace("~0", "~");
    }
}

package io.meshform.state;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The state file format: JSON with snake_case keys, pretty-printed, keys in a fixed order (attributes and
 * metadata sorted) so that two writes of the same state are byte-identical and diffs between versions are small.
 *
 * <pre>
 * { "format_version": 4, "serial": 3, "lineage": "…", "stack": "cortex-production", "meshform_version": "0.1.0",
 *   "creating": [ "…" ],
 *   "resources": [ { "address": "…", "type": "…", "attributes": { … }, "metadata": { … } } ],
 *   "deposed": [ { "address": "…", "key": "1a2b3c4d", "type": "…", "attributes": { … }, "metadata": { … } } ] }
 * </pre>
 *
 * {@code stack} (format 2) is the {@code metadata.name} of the stack whose runs write this state; it is left out
 * until a run records one (a format 1 state is read as one that records no stack). {@code creating} (format 3) lists
 * the addresses an apply wrote it was about to create ({@link StateSnapshot#creating}); it is left out when empty.
 * {@code deposed} (format 4) lists the old objects of moves still to delete ({@link DeposedObject}); left out when empty.
 *
 * Older formats are upgraded on read by a chain of {@link FormatUpgrade}s; newer ones are refused, since
 * rewriting them would drop what this meshform does not understand.
 */
public final class StateCodec {

    private static final Set<String> TOP_KEYS =
            Set.of("format_version", "serial", "lineage", "stack", "meshform_version", "creating", "deposed",
                    "resources");
    private static final Set<String> RESOURCE_KEYS = Set.of("address", "type", "attributes", "metadata");

    private final JsonMapper mapper;
    private final ObjectWriter writer;
    private final Map<Integer, FormatUpgrade> upgrades;

    /**
     * Stands in for a resource in the array while the document around it is written. The document around holds
     * only meshform's own fields (versions, serial, lineage), so the token cannot collide with user data.
     */
    private static final String PLACEHOLDER = "@@meshform-resource-";
    /** A resource object sits two levels deep (root object, resources array), two spaces a level. */
    private static final String NESTED_INDENT = "    ";
    private Map<ResourceState, String> encodedResources = new IdentityHashMap<>();

    public StateCodec() {
        this(List.of(new UpgradeFormat0To1(), new UpgradeFormat1To2(), new UpgradeFormat2To3(),
                new UpgradeFormat3To4()));
    }

    StateCodec(List<FormatUpgrade> upgrades) {
        this.mapper = JsonMapper.builder()
                // a hand-edited file with a key twice would otherwise silently keep the last value
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        DefaultIndenter indent = new DefaultIndenter("  ", "\n");
        Separators separators = Separators.createDefaultInstance()
                .withObjectNameValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        DefaultPrettyPrinter pretty = new DefaultPrettyPrinter(separators)
                .withObjectIndenter(indent)
                .withArrayIndenter(indent);
        this.writer = mapper.writer().with(pretty);
        Map<Integer, FormatUpgrade> byVersion = new HashMap<>();
        for (FormatUpgrade u : upgrades) {
            byVersion.put(u.fromVersion(), u);
        }
        this.upgrades = Map.copyOf(byVersion);
    }

    /** The snapshot in the current format, UTF-8, ending with a newline. */
    public byte[] encode(StateSnapshot s) {
        return encodeToString(s).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * An apply writes the state after every step, and between two writes one resource changes: each resource's
     * text is kept by identity (snapshots share their unchanged ResourceState instances) and only new ones are
     * encoded, so a write costs the changed resources plus copying text, not re-serialising every resource.
     */
    public synchronized String encodeToString(StateSnapshot s) {
        ObjectNode root = mapper.createObjectNode();
        root.put("format_version", StateSnapshot.CURRENT_FORMAT_VERSION);
        root.put("serial", s.serial());
        root.put("lineage", s.lineage());
        if (s.stack() != null) {
            root.put("stack", s.stack());
        }
        root.put("meshform_version", s.meshformVersion());
        if (!s.creating().isEmpty()) {
            s.creating().forEach(root.putArray("creating")::add);
        }
        ArrayNode list = root.putArray("resources");
        Map<ResourceState, String> fragments = new IdentityHashMap<>();
        for (int i = 0; i < s.resources().size(); i++) {
            ResourceState r = s.resources().get(i);
            String known = encodedResources.get(r);
            fragments.put(r, known != null ? known : encodeResource(r));
            list.add(PLACEHOLDER + i + "@@");
        }
        // After the resources: the placeholders are looked for in order, so user data in a deposed entry comes too late
        // to be taken for one.
        DeposedEntries.write(root, s.deposed(), this);
        encodedResources = fragments;
        String text = writer.writeValueAsString(root);
        StringBuilder out = new StringBuilder(text.length() + fragments.values().stream().mapToInt(String::length).sum());
        int from = 0;
        for (int i = 0; i < s.resources().size(); i++) {
            String token = "\"" + PLACEHOLDER + i + "@@\"";
            int at = text.indexOf(token, from);
            out.append(text, from, at).append(fragments.get(s.resources().get(i)));
            from = at + token.length();
        }
        return out.append(text, from, text.length()).append('\n').toString();
    }

    /** One resource as it appears inside the resources array (two levels deep), newlines re-indented to match. */
    private String encodeResource(ResourceState r) {
        ObjectNode n = mapper.createObjectNode();
        n.put("address", r.address());
        n.put("type", r.type());
        n.set("attributes", sortedCopy(r.attributes()));
        ObjectNode meta = n.putObject("metadata");
        r.metadata().forEach(meta::put); // already sorted: ResourceState keeps a TreeMap
        // JSON strings never hold a raw newline, so every newline here is the pretty printer's.
        return writer.writeValueAsString(n).replace("\n", "\n" + NESTED_INDENT);
    }

    /**
     * Parses and checks a state document, upgrading older formats.
     *
     * @param source names the document in messages, e.g. {@code state file ./meshform.state.json}
     * @throws CorruptStateException when it is not a valid state document
     * @throws StateException        when it was written in a newer format than this meshform reads
     */
    public StateSnapshot decode(byte[] bytes, String source) {
        JsonNode tree;
        try {
            tree = mapper.readTree(bytes);
        } catch (JacksonException e) {
            throw new CorruptStateException(source, syntaxProblem(e));
        }
        if (tree == null || tree.isMissingNode()) {
            throw new CorruptStateException(source, "it is empty (a write was probably cut short)");
        }
        try {
            if (!tree.isObject()) {
                throw new FormatProblem("expected a JSON object at the top, found " + kind(tree));
            }
            NotAState.refusePlan(tree);
            ObjectNode doc = upgrade((ObjectNode) tree, source);
            return toSnapshot(doc);
        } catch (FormatProblem p) {
            throw new CorruptStateException(source, p.getMessage());
        }
    }

    private ObjectNode upgrade(ObjectNode doc, String source) {
        int version = formatVersion(doc);
        if (version > StateSnapshot.CURRENT_FORMAT_VERSION) {
            throw new StateException(source + " was written by a newer meshform (format " + version
                    + "); this meshform reads up to format " + StateSnapshot.CURRENT_FORMAT_VERSION
                    + ": upgrade meshform");
        }
        while (version < StateSnapshot.CURRENT_FORMAT_VERSION) {
            FormatUpgrade u = upgrades.get(version);
            if (u == null) {
                throw new FormatProblem("format " + version + " is no longer supported; open it with the "
                        + "meshform release that wrote it and apply once to rewrite it in a newer format");
            }
            doc = u.upgrade(doc);
            version = formatVersion(doc);
        }
        return doc;
    }

    private static int formatVersion(ObjectNode doc) {
        String key = doc.has("format_version") ? "format_version" : doc.has("version") ? "version" : null;
        if (key == null) {
            throw new FormatProblem("format_version is missing");
        }
        JsonNode v = doc.get(key);
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
            throw new FormatProblem(key + " must be a whole number of 0 or more, found " + v);
        }
        return v.asInt();
    }

    private StateSnapshot toSnapshot(ObjectNode doc) {
        unknownKeys(doc, TOP_KEYS, "");
        long serial = requiredLong(doc, "serial", "serial");
        if (serial < 0) {
            throw new FormatProblem("serial is " + serial + "; it must be 0 or more");
        }
        String lineage = requiredString(doc, "lineage", "lineage");
        String version = requiredString(doc, "meshform_version", "meshform_version");
        String stack = doc.has("stack") ? requiredString(doc, "stack", "stack") : null;
        java.util.Set<String> creating = addresses(doc.get("creating"), "creating");
        List<DeposedObject> deposed = DeposedEntries.read(doc.get("deposed"), "deposed", this);
        JsonNode list = doc.get("resources");
        if (list == null) {
            throw new FormatProblem("resources is missing (an empty state has \"resources\": [])");
        }
        if (!list.isArray()) {
            throw new FormatProblem("resources: expected an array, found " + kind(list));
        }
        List<ResourceState> resources = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "resources[" + i + "]";
            JsonNode n = list.get(i);
            if (!n.isObject()) {
                throw new FormatProblem(at + ": expected an object, found " + kind(n));
            }
            ResourceState r = resource(n, at);
            Integer first = seen.putIfAbsent(r.address(), i);
            if (first != null) {
                throw new FormatProblem(at + ": address \"" + r.address() + "\" appears twice (also at resources["
                        + first + "]); each resource may be recorded once");
            }
            resources.add(r);
        }
        return new StateSnapshot(StateSnapshot.CURRENT_FORMAT_VERSION, serial, lineage, version, resources, stack, creating,
                deposed);
    }

    /**
     * The addresses of {@code creating} (in the state file or a journal record): an array of distinct non-empty
     * strings, or nothing (none).
     */
    java.util.Set<String> addresses(JsonNode n, String at) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        if (n == null) {
            return out;
        }
        if (!n.isArray()) {
            throw new FormatProblem(at + ": expected an array of resource addresses, found " + kind(n));
        }
        for (int i = 0; i < n.size(); i++) {
            JsonNode a = n.get(i);
            if (!a.isString() || a.asString().isBlank()) {
                throw new FormatProblem(at + "[" + i + "]: expected a resource address, found " + kind(a));
            }
            if (!out.add(a.asString())) {
                throw new FormatProblem(at + "[" + i + "]: \"" + a.asString() + "\" appears twice; each address is listed once");
            }
        }
        return out;
    }

    /** One entry of the resources array (or of a journal record), checked as the state file's entries are. */
    ResourceState resource(JsonNode n, String at) {
        unknownKeys(n, RESOURCE_KEYS, at + ".");
        String address = requiredString(n, "address", at + ".address");
        String type = requiredString(n, "type", at + ".type");
        JsonNode attributes = n.get("attributes");
        if (attributes == null || !attributes.isObject()) {
            throw new FormatProblem(at + ".attributes: expected an object, found " + kind(attributes));
        }
        return new ResourceState(address, type, (ObjectNode) attributes, metadata(n.get("metadata"), at));
    }

    /** One resource as a JSON object, keys sorted as in the state file, for a journal record. */
    ObjectNode resourceNode(ResourceState r) {
        ObjectNode n = mapper.createObjectNode();
        n.put("address", r.address());
        n.put("type", r.type());
        n.set("attributes", sortedCopy(r.attributes()));
        ObjectNode meta = n.putObject("metadata");
        r.metadata().forEach(meta::put);
        return n;
    }

    /** The mapper the state file is read with (strict about duplicate keys), for journal records. */
    JsonMapper mapper() {
        return mapper;
    }

    private static Map<String, String> metadata(JsonNode n, String at) {
        Map<String, String> out = new TreeMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw new FormatProblem(at + ".metadata: expected an object of strings, found " + kind(n));
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!e.getValue().isString()) {
                throw new FormatProblem(at + ".metadata." + e.getKey() + ": expected a string, found "
                        + kind(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().asString());
        }
        return out;
    }

    private static void unknownKeys(JsonNode n, Set<String> known, String prefix) {
        for (String k : n.propertyNames()) {
            if (!known.contains(k)) {
                throw new FormatProblem(prefix + k + ": unknown key (expected only "
                        + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    private static String requiredString(JsonNode n, String key, String path) {
        JsonNode v = n.get(key);
        if (v == null) {
            throw new FormatProblem(path + " is missing");
        }
        if (!v.isString() || v.asString().isBlank()) {
            throw new FormatProblem(path + ": expected a non-empty string, found " + kind(v));
        }
        return v.asString();
    }

    private static long requiredLong(JsonNode n, String key, String path) {
        JsonNode v = n.get(key);
        if (v == null) {
            throw new FormatProblem(path + " is missing");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new FormatProblem(path + ": expected a whole number, found " + kind(v));
        }
        return v.asLong();
    }

    private static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        if (n.isString()) {
            return "string \"" + n.asString() + "\"";
        }
        if (n.isNumber() || n.isBoolean() || n.isNull()) {
            return n.getNodeType().toString().toLowerCase(Locale.ROOT) + " " + n;
        }
        return n.isArray() ? "an array" : "an object";
    }

    private static String syntaxProblem(JacksonException e) {
        TokenStreamLocation loc = e.getLocation();
        String what = e.getOriginalMessage();
        int nl = what == null ? -1 : what.indexOf('\n');
        if (nl > 0) {
            what = what.substring(0, nl); // Jackson appends a source excerpt we do not want in the message
        }
        if (what != null) {
            // Jackson quotes the word it could not read: the start of whatever file was named (a token file, a key).
            what = what.replaceAll("Unrecognized token '[^']*'", "Unrecognized token");
        }
        if (loc == null || loc.getLineNr() < 1) {
            return "not valid JSON: " + what;
        }
        return "not valid JSON at line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": " + what;
    }

    /** Objects with keys sorted at every level, arrays in their order. */
    private JsonNode sortedCopy(JsonNode n) {
        if (n.isObject()) {
            ObjectNode out = mapper.createObjectNode();
            new TreeMap<>(toMap(n)).forEach((k, v) -> out.set(k, sortedCopy(v)));
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = mapper.createArrayNode();
            n.forEach(v -> out.add(sortedCopy(v)));
            return out;
        }
        return n;
    }

    private static Map<String, JsonNode> toMap(JsonNode n) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        n.properties().forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }
}

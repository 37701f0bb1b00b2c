package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.diag.Suggestions;
import io.meshform.engine.model.BackendConfig;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.Lifecycle;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.SourceLocator;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.ResourceType;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.state.BackendCatalog;
import io.meshform.state.BackendKind;
import io.meshform.state.SettingProblem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Loads a desired-state file (and the files it imports) into a {@link Stack}: strict structure checks,
 * variables, and each provider's spec validation. Every error in the files is collected and reported at
 * once, with file, line and column.
 *
 * <p>Longer than 400 lines because structure checks, imports, variables and spec validation are one walk over one
 * tree that keeps every position; splitting it waits for the input-confinement work (issue #13) now changing it.
 */
public final class StackLoader {
    public static final String API_VERSION = "meshform.io/v1alpha1";
    private static final Set<String> TOP_KEYS = Set.of("apiVersion", "kind", "metadata", "imports", "variables",
            "backend", "resources");
    private static final Set<String> METADATA_KEYS = Set.of("name", "environment", "description");
    private static final Set<String> RESOURCE_KEYS = Set.of("type", "name", "dependsOn", "spec", "lifecycle");
    private static final Set<String> LIFECYCLE_KEYS = Set.of("preventDestroy");
    private static final Set<String> VARIABLE_KEYS = Set.of("type", "default", "description");
    private static final Set<String> VARIABLE_TYPES = Set.of("string", "number", "bool");
    private static final int MAX_IMPORT_DEPTH = 8;

    private final YamlReader yaml = new YamlReader();
    private final TypeRegistry types;
    private final BackendCatalog backends;

    /** A loader for stacks whose {@code backend:} is one of the kinds on the class path. */
    public StackLoader(TypeRegistry types) {
        this(types, BackendCatalog.installed());
    }

    public StackLoader(TypeRegistry types, BackendCatalog backends) {
        this.types = types;
        this.backends = backends;
    }

    /** The loaded stack and any warnings; throws {@link DiagnosticsException} listing every error. */
    public record Loaded(Stack stack, List<Diagnostic> warnings) {
    }

    public Loaded load(Path file, VariableInputs inputs) {
        Diagnostics out = new Diagnostics();
        Parts parts = new Parts();
        collect(file.toAbsolutePath().normalize(), parts, out, new ArrayList<>(), file.toString());
        // Structural errors do not stop here: the resources that did parse are still validated, so one run
        // reports every error in the file.
        Map<String, JsonNode> values = resolveVariables(parts, inputs, out);
        Set<String> used = new HashSet<>();
        Interpolator interpolator = new Interpolator(values, used, out);
        List<ResourceDecl> resources = new ArrayList<>();
        for (RawResource raw : parts.resources.values()) {
            ObjectNode spec = (ObjectNode) interpolator.resolve(raw.spec, raw.source.document(),
                    raw.source.pointer() + "/spec");
            resources.add(new ResourceDecl(raw.address, raw.dependsOn, spec, raw.source, raw.lifecycle));
        }
        for (Map.Entry<String, VariableDecl> v : parts.variables.entrySet()) {
            if (!used.contains(v.getKey())) {
                out.warning("variable `" + v.getKey() + "` is declared but never used",
                        "remove it, or reference it as ${var." + v.getKey() + "}", v.getValue().range);
            }
        }
        checkDependsOn(resources, out);
        for (ResourceDecl r : resources) {
            validateSpec(r, out);
        }
        if (out.hasErrors()) {
            throw new DiagnosticsException(out);
        }
        Stack stack = new Stack(parts.name, parts.environment, file, parts.backend, resources,
                digest(parts, resources));
        return new Loaded(stack, out.warnings());
    }

    private static final class Parts {
        String name;
        Environment environment = Environment.PRODUCTION;
        BackendConfig backend = BackendConfig.localDefault();
        final Map<String, VariableDecl> variables = new LinkedHashMap<>();
        final Map<ResourceAddress, RawResource> resources = new LinkedHashMap<>();
    }

    private record VariableDecl(String type, JsonNode defaultValue, SourceRange range) {
    }

    private record RawResource(ResourceAddress address, List<ResourceAddress> dependsOn, ObjectNode spec,
                               SourceLocator source, Lifecycle lifecycle) {
    }

    /** Reads one file after the files it imports, so the importing file's values win. */
    private void collect(Path path, Parts parts, Diagnostics out, List<Path> chain, String shownName) {
        if (chain.contains(path)) {
            out.error("import cycle: " + String.join(" -> ", chain.stream().map(Path::toString).toList()) + " -> " + path,
                    "remove one of the imports", null);
            return;
        }
        if (chain.size() > MAX_IMPORT_DEPTH) {
            out.error("imports nest deeper than " + MAX_IMPORT_DEPTH + " files", null, null);
            return;
        }
        YamlDocument doc;
        try {
            doc = yaml.read(path, shownName);
        } catch (DiagnosticsException e) {
            e.diagnostics().forEach(out::add);
            return;
        }
        ObjectShape shape = new ObjectShape(doc, out);
        JsonNode root = doc.root();
        if (!shape.isObject(root, "", "a stack file")) {
            return;
        }
        shape.knownKeys(root, "", "the stack", TOP_KEYS);
        String apiVersion = shape.string(root, "", "apiVersion");
        if (shape.required(root, "", "apiVersion", "the stack") && apiVersion != null && !API_VERSION.equals(apiVersion)) {
            out.error("unsupported apiVersion `" + apiVersion + "`", "this meshform reads apiVersion: " + API_VERSION,
                    doc.rangeOf("/apiVersion"));
        }
        String kind = shape.string(root, "", "kind");
        if (shape.required(root, "", "kind", "the stack") && kind != null && !"Stack".equals(kind)) {
            out.error("unsupported kind `" + kind + "`", "expected kind: Stack", doc.rangeOf("/kind"));
        }
        chain.add(path);
        JsonNode imports = root.get("imports");
        if (imports != null) {
            if (!imports.isArray()) {
                out.error("`imports` must be a list of file paths", null, doc.rangeOf("/imports"));
            } else {
                for (int i = 0; i < imports.size(); i++) {
                    JsonNode imp = imports.get(i);
                    if (!imp.isString()) {
                        out.error("an import must be a file path", null, doc.rangeOf("/imports/" + i));
                        continue;
                    }
                    Path target = path.resolveSibling(imp.asString()).normalize();
                    if (!java.nio.file.Files.exists(target)) {
                        // Said where the import is written: the missing file has no line to point at.
                        out.error("imported file `" + imp.asString() + "` not found",
                                "looked for " + relativeName(shownName, imp.asString()) + "; imports are relative to the importing file",
                                doc.rangeOf("/imports/" + i));
                        continue;
                    }
                    collect(target, parts, out, chain, relativeName(shownName, imp.asString()));
                }
            }
        }
        chain.remove(chain.size() - 1);
        readMetadata(doc, shape, root, parts, out, chain.isEmpty());
        readVariables(doc, shape, root, parts, out);
        readBackend(doc, shape, root, parts, out);
        readResources(doc, shape, root, parts, out);
    }

    private static String relativeName(String importer, String imported) {
        Path parent = Path.of(importer).getParent();
        return parent == null ? imported : parent.resolve(imported).normalize().toString();
    }

    private void readMetadata(YamlDocument doc, ObjectShape shape, JsonNode root, Parts parts, Diagnostics out,
                              boolean topLevel) {
        JsonNode md = root.get("metadata");
        if (md == null) {
            if (topLevel) {
                shape.required(root, "", "metadata", "the stack");
            }
            return;
        }
        if (!shape.isObject(md, "/metadata", "`metadata`")) {
            return;
        }
        shape.knownKeys(md, "/metadata", "metadata", METADATA_KEYS);
        String name = shape.string(md, "/metadata", "name");
        if (name != null) {
            parts.name = name;
        } else if (topLevel && parts.name == null) {
            shape.required(md, "/metadata", "name", "metadata");
        }
        String env = shape.string(md, "/metadata", "environment");
        if (env != null) {
            try {
                parts.environment = Environment.valueOf(env.toUpperCase());
            } catch (IllegalArgumentException e) {
                out.error("unknown environment `" + env + "`",
                        Suggestions.hint(env, List.of("production", "staging", "development")),
                        doc.rangeOf("/metadata/environment"));
            }
        }
    }

    private void readVariables(YamlDocument doc, ObjectShape shape, JsonNode root, Parts parts, Diagnostics out) {
        JsonNode vars = root.get("variables");
        if (vars == null || !shape.isObject(vars, "/variables", "`variables`")) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : vars.properties()) {
            String p = "/variables/" + YamlReader.escape(e.getKey());
            JsonNode v = e.getValue();
            if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                out.error("invalid variable name `" + e.getKey() + "`", "use letters, digits and _", doc.rangeOf(p));
                continue;
            }
            if (!shape.isObject(v, p, "variable `" + e.getKey() + "`")) {
                continue;
            }
            shape.knownKeys(v, p, "variable `" + e.getKey() + "`", VARIABLE_KEYS);
            String type = v.has("type") ? shape.string(v, p, "type") : null;
            JsonNode def = v.get("default");
            if (type == null) {
                type = def == null || def.isString() ? "string" : def.isBoolean() ? "bool" : def.isNumber() ? "number" : "string";
            } else if (!VARIABLE_TYPES.contains(type)) {
                out.error("unknown variable type `" + type + "`", Suggestions.hint(type, VARIABLE_TYPES), doc.rangeOf(p + "/type"));
                continue;
            }
            if (def != null && !matchesType(def, type)) {
                out.error("default of variable `" + e.getKey() + "` is not a " + type,
                        "found " + ObjectShape.describe(def) + (type.equals("string") ? "; quote it (\"1.10\" is a string, 1.10 the number 1.1)" : ""),
                        doc.rangeOf(p + "/default"));
                continue;
            }
            VariableDecl prior = parts.variables.get(e.getKey());
            JsonNode effectiveDefault = def != null ? def : prior == null ? null : prior.defaultValue;
            parts.variables.put(e.getKey(), new VariableDecl(type, effectiveDefault, doc.rangeOf(p)));
        }
    }

    private void readBackend(YamlDocument doc, ObjectShape shape, JsonNode root, Parts parts, Diagnostics out) {
        JsonNode b = root.get("backend");
        if (b == null || !shape.isObject(b, "/backend", "`backend`")) {
            return;
        }
        String expected = "expected one of " + String.join(", ", backends.names().stream().map(n -> "`" + n + ":`").toList());
        if (b.size() != 1) {
            out.error("`backend` must name exactly one backend", expected, doc.rangeOf("/backend"));
            return;
        }
        String kind = b.propertyNames().iterator().next();
        Optional<BackendKind> found = backends.find(kind);
        if (found.isEmpty()) {
            out.error("unknown backend `" + kind + "`", Suggestions.hint(kind, backends.names()),
                    doc.rangeOf("/backend/" + YamlReader.escape(kind)));
            return;
        }
        JsonNode settings = b.get(kind);
        String p = "/backend/" + kind;
        Map<String, String> values = new TreeMap<>();
        if (settings != null && !settings.isNull()) {
            if (!shape.isObject(settings, p, "backend `" + kind + "`")) {
                return;
            }
            shape.knownKeys(settings, p, "backend `" + kind + "`", found.get().settings().keySet());
            settings.forEachEntry((k, v) -> values.put(k, v.isString() ? v.asString() : v.toString()));
        }
        // The backend kind owns its rules; each problem is shown where its setting is written.
        for (SettingProblem problem : found.get().check(values)) {
            String at = problem.key() != null && settings != null && settings.has(problem.key())
                    ? p + "/" + YamlReader.escape(problem.key()) : p;
            out.error(problem.message(), problem.hint(), doc.rangeOf(at));
        }
        parts.backend = new BackendConfig(kind, values);
    }

    private void readResources(YamlDocument doc, ObjectShape shape, JsonNode root, Parts parts, Diagnostics out) {
        JsonNode list = root.get("resources");
        if (list == null) {
            return;
        }
        if (!list.isArray()) {
            out.error("`resources` must be a list", "found " + ObjectShape.describe(list), doc.rangeOf("/resources"));
            return;
        }
        Map<ResourceAddress, String> seenHere = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String p = "/resources/" + i;
            JsonNode r = list.get(i);
            if (!shape.isObject(r, p, "a resource")) {
                continue;
            }
            shape.knownKeys(r, p, "a resource", RESOURCE_KEYS);
            boolean ok = shape.required(r, p, "type", "a resource") & shape.required(r, p, "name", "a resource");
            String type = shape.string(r, p, "type");
            String name = shape.string(r, p, "name");
            if (!ok || type == null || name == null) {
                continue;
            }
            if (types.find(type).isEmpty()) {
                out.error("unknown resource type `" + type + "`", Suggestions.hint(type, types.names()), doc.rangeOf(p + "/type"));
                continue;
            }
            if (!ResourceAddress.validName(name)) {
                out.error("invalid resource name `" + name + "`",
                        "use lower-case letters, digits, '-' and '_', starting and ending with a letter or digit",
                        doc.rangeOf(p + "/name"));
                continue;
            }
            ResourceAddress address = new ResourceAddress(type, name);
            if (seenHere.containsKey(address)) {
                out.error("duplicate resource `" + address + "`",
                        "it is already declared at " + doc.rangeOf(seenHere.get(address)) + "; rename one of them",
                        doc.rangeOf(p + "/name"));
                continue;
            }
            seenHere.put(address, p);
            List<ResourceAddress> deps = readDependsOn(doc, r, p, out);
            Lifecycle lifecycle = readLifecycle(doc, r, p, out, shape);
            JsonNode spec = r.get("spec");
            ObjectNode specObject;
            if (spec == null || spec.isNull()) {
                specObject = JsonNodeFactory.instance.objectNode();
            } else if (!spec.isObject()) {
                out.error("`spec` must be a mapping", "found " + ObjectShape.describe(spec), doc.rangeOf(p + "/spec"));
                continue;
            } else {
                specObject = (ObjectNode) spec;
            }
            RawResource prior = parts.resources.get(address);
            if (prior != null) {
                // An importing file refines a resource of its base: specs merge, the importer's values win.
                ObjectNode merged = prior.spec.deepCopy();
                deepMerge(merged, specObject);
                List<ResourceAddress> mergedDeps = r.has("dependsOn") ? deps : prior.dependsOn;
                Lifecycle mergedLifecycle = r.has("lifecycle") ? lifecycle : prior.lifecycle;
                parts.resources.put(address, new RawResource(address, mergedDeps, merged, new SourceLocator(doc, p, prior.source),
                        mergedLifecycle));
            } else {
                parts.resources.put(address, new RawResource(address, deps, specObject, new SourceLocator(doc, p), lifecycle));
            }
        }
    }

    private static Lifecycle readLifecycle(YamlDocument doc, JsonNode r, String p, Diagnostics out, ObjectShape shape) {
        JsonNode l = r.get("lifecycle");
        if (l == null || l.isNull()) {
            return Lifecycle.DEFAULT;
        }
        if (!shape.isObject(l, p + "/lifecycle", "`lifecycle`")) {
            return Lifecycle.DEFAULT;
        }
        shape.knownKeys(l, p + "/lifecycle", "lifecycle", LIFECYCLE_KEYS);
        JsonNode prevent = l.get("preventDestroy");
        if (prevent != null && !prevent.isBoolean()) {
            out.error("`preventDestroy` must be true or false", "found " + ObjectShape.describe(prevent),
                    doc.rangeOf(p + "/lifecycle/preventDestroy"));
            return Lifecycle.DEFAULT;
        }
        return new Lifecycle(prevent != null && prevent.booleanValue());
    }

    private List<ResourceAddress> readDependsOn(YamlDocument doc, JsonNode r, String p, Diagnostics out) {
        JsonNode deps = r.get("dependsOn");
        List<ResourceAddress> result = new ArrayList<>();
        if (deps == null) {
            return result;
        }
        if (!deps.isArray()) {
            out.error("`dependsOn` must be a list of resource addresses", "e.g. dependsOn: [istio.install.mesh]",
                    doc.rangeOf(p + "/dependsOn"));
            return result;
        }
        for (int j = 0; j < deps.size(); j++) {
            JsonNode d = deps.get(j);
            try {
                result.add(ResourceAddress.parse(d.isString() ? d.asString() : d.toString()));
            } catch (IllegalArgumentException e) {
                out.error(e.getMessage(), null, doc.rangeOf(p + "/dependsOn/" + j));
            }
        }
        return result;
    }

    static void deepMerge(ObjectNode base, ObjectNode overlay) {
        for (Map.Entry<String, JsonNode> e : overlay.properties()) {
            JsonNode existing = base.get(e.getKey());
            if (existing instanceof ObjectNode eo && e.getValue() instanceof ObjectNode oo) {
                deepMerge(eo, oo);
            } else {
                base.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }

    private Map<String, JsonNode> resolveVariables(Parts parts, VariableInputs inputs, Diagnostics out) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        Map<String, String> raw = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        inputs.environment().forEach((k, v) -> {
            if (k.startsWith(VariableInputs.ENV_PREFIX)) {
                String name = k.substring(VariableInputs.ENV_PREFIX.length());
                // Unlike --var, stray environment variables are not errors: CI environments carry many.
                if (parts.variables.containsKey(name)) {
                    raw.put(name, v);
                    origin.put(name, "environment variable " + k);
                }
            }
        });
        Map<String, JsonNode> fromFiles = new LinkedHashMap<>();
        for (Path f : inputs.varFiles()) {
            YamlDocument doc;
            try {
                doc = yaml.read(f);
            } catch (DiagnosticsException e) {
                e.diagnostics().forEach(out::add);
                continue;
            }
            if (doc.root() == null || !doc.root().isObject()) {
                out.error("a variables file must be a mapping of name: value", null, doc.rangeOf(""));
                continue;
            }
            for (Map.Entry<String, JsonNode> e : doc.root().properties()) {
                if (!parts.variables.containsKey(e.getKey())) {
                    out.error("variables file sets undeclared variable `" + e.getKey() + "`",
                            Suggestions.hint(e.getKey(), parts.variables.keySet()), doc.rangeOf("/" + YamlReader.escape(e.getKey())));
                    continue;
                }
                raw.remove(e.getKey());
                fromFiles.put(e.getKey(), e.getValue());
                origin.put(e.getKey(), f.toString());
            }
        }
        inputs.cliValues().forEach((k, v) -> {
            if (!parts.variables.containsKey(k)) {
                out.error("--var sets undeclared variable `" + k + "`",
                        parts.variables.isEmpty() ? "the stack declares no variables" : Suggestions.hint(k, parts.variables.keySet()), null);
                return;
            }
            fromFiles.remove(k);
            raw.put(k, v);
            origin.put(k, "--var " + k);
        });
        for (Map.Entry<String, VariableDecl> e : parts.variables.entrySet()) {
            String name = e.getKey();
            VariableDecl decl = e.getValue();
            JsonNode value;
            if (raw.containsKey(name)) {
                value = convert(raw.get(name), decl.type);
                if (value == null) {
                    out.error("variable `" + name + "` from " + origin.get(name) + " is not a " + decl.type,
                            "got \"" + raw.get(name) + "\"", decl.range);
                    continue;
                }
            } else if (fromFiles.containsKey(name)) {
                value = fromFiles.get(name);
                if (!matchesType(value, decl.type)) {
                    out.error("variable `" + name + "` from " + origin.get(name) + " is not a " + decl.type,
                            "found " + ObjectShape.describe(value), decl.range);
                    continue;
                }
            } else if (decl.defaultValue != null) {
                value = decl.defaultValue;
            } else {
                out.error("variable `" + name + "` has no value",
                        "set it with --var " + name + "=VALUE, a --var-file, or " + VariableInputs.ENV_PREFIX + name, decl.range);
                continue;
            }
            values.put(name, value);
        }
        return values;
    }

    private static boolean matchesType(JsonNode v, String type) {
        return switch (type) {
            case "string" -> v.isString();
            case "number" -> v.isNumber();
            case "bool" -> v.isBoolean();
            default -> false;
        };
    }

    private static JsonNode convert(String text, String type) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (type) {
            case "string" -> f.stringNode(text);
            case "bool" -> text.equals("true") ? f.booleanNode(true) : text.equals("false") ? f.booleanNode(false) : null;
            case "number" -> {
                try {
                    yield f.numberNode(new java.math.BigDecimal(text));
                } catch (NumberFormatException e) {
                    yield null;
                }
            }
            default -> null;
        };
    }

    private static void checkDependsOn(List<ResourceDecl> resources, Diagnostics out) {
        Set<ResourceAddress> declared = new HashSet<>();
        resources.forEach(r -> declared.add(r.address()));
        for (ResourceDecl r : resources) {
            for (int i = 0; i < r.dependsOn().size(); i++) {
                ResourceAddress d = r.dependsOn().get(i);
                if (!declared.contains(d)) {
                    out.error("`" + r.address() + "` depends on `" + d + "`, which the stack does not declare",
                            Suggestions.hint(d.toString(), declared.stream().map(ResourceAddress::toString).toList()),
                            r.source().range("/dependsOn/" + i));
                } else if (d.equals(r.address())) {
                    out.error("`" + r.address() + "` depends on itself", null, r.source().range("/dependsOn/" + i));
                }
            }
        }
    }

    private void validateSpec(ResourceDecl r, Diagnostics out) {
        ResourceType type = types.get(r.type());
        for (FieldProblem problem : type.validate(r.spec())) {
            String summary = r.address() + ": " + (problem.path().isEmpty() ? "spec" : "spec" + problem.path().replace('/', '.'))
                    + ": " + problem.message();
            SourceRange at = r.source().range("/spec" + problem.path());
            if (problem.warning()) {
                out.warning(summary, problem.hint(), at);
            } else {
                out.error(summary, problem.hint(), at);
            }
        }
    }

    private static String digest(Parts parts, List<ResourceDecl> resources) {
        ObjectNode canonical = JsonNodeFactory.instance.objectNode();
        canonical.put("name", parts.name);
        canonical.put("environment", parts.environment.label());
        var arr = canonical.putArray("resources");
        for (ResourceDecl r : resources) {
            ObjectNode o = arr.addObject();
            o.put("address", r.address().toString());
            var deps = o.putArray("dependsOn");
            r.dependsOn().forEach(d -> deps.add(d.toString()));
            if (r.lifecycle().preventDestroy()) {
                o.putObject("lifecycle").put("preventDestroy", true);  // absent otherwise, so older digests stay valid
            }
            o.set("spec", r.spec());
        }
        try {
            byte[] bytes = JsonMapper.builder().enable(tools.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .build().writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8);
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

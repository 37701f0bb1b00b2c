package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.diag.Suggestions;
import io.meshform.engine.model.Lifecycle;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.SourceLocator;
import io.meshform.engine.spi.TypeRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The resources a stack and its imports declare, as written (before variables are interpolated and files read):
 * the structure of each entry of {@code resources:} checked at its line and column, its type known to the registry,
 * its name valid and not declared twice in one file.
 *
 * <p>Used by one {@link StackLoader#load} and then dropped: it collects the declarations of every file the load reads.
 */
final class StackResources {
    private static final Set<String> RESOURCE_KEYS = Set.of("type", "name", "dependsOn", "spec", "lifecycle", "adopt");
    private static final Set<String> LIFECYCLE_KEYS = Set.of("preventDestroy");

    /** One declared resource, its spec still with {@code ${var.…}} references, and where it was written. */
    record Declared(ResourceAddress address, List<ResourceAddress> dependsOn, ObjectNode spec, SourceLocator source,
                    Lifecycle lifecycle) {
    }

    private final TypeRegistry types;
    private final Map<ResourceAddress, Declared> declared = new LinkedHashMap<>();
    private int leftOut;

    StackResources(TypeRegistry types) {
        this.types = types;
    }

    /**
     * How many entries of {@code resources:} were left out for an error reported at them (no type, an unknown type,
     * an invalid name, a spec that is not a mapping): a {@code dependsOn} naming one of them is not a
     * second mistake, and its message must not claim the stack declares nothing of that name.
     */
    int leftOut() {
        return leftOut;
    }

    /** Every resource declared so far, in the order first declared. */
    Collection<Declared> all() {
        return declared.values();
    }

    /**
     * Reads the {@code resources:} list of one file. Files are read imports first; a resource an earlier file declared
     * is refined: the specs merge (this file's values win), and {@code dependsOn}, {@code lifecycle} and {@code adopt}
     * are replaced when this file writes them.
     */
    void read(YamlDocument doc, ObjectShape shape, JsonNode root, Diagnostics out) {
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
                leftOut++;
                continue;
            }
            JsonNode typed = r.get("type");
            var declaredType = typed != null && typed.isString() ? types.find(typed.asString()) : java.util.Optional.<io.meshform.engine.spi.ResourceType>empty();
            shape.knownKeys(r, p, "a resource", RESOURCE_KEYS,
                    // A near miss of a resource's own field (`sepc`) keeps its "did you mean".
                    key -> Suggestions.closest(key, RESOURCE_KEYS).isPresent() ? java.util.Optional.empty()
                            : declaredType.flatMap(t -> MisplacedSpecField.hint(t, key, r.get(key))));
            boolean ok = shape.required(r, p, "type", "a resource") & shape.required(r, p, "name", "a resource");
            String type = shape.string(r, p, "type");
            String name = shape.string(r, p, "name");
            if (!ok || type == null || name == null) {
                leftOut++;
                continue;
            }
            if (types.find(type).isEmpty()) {
                out.error("unknown resource type `" + type + "`", Suggestions.hint(type, types.names()), doc.rangeOf(p + "/type"));
                leftOut++;
                continue;
            }
            if (!ResourceAddress.validName(name)) {
                out.error("invalid resource name `" + name + "`",
                        "use lower-case letters, digits, '-' and '_', starting and ending with a letter or digit",
                        doc.rangeOf(p + "/name"));
                leftOut++;
                continue;
            }
            ResourceAddress address = new ResourceAddress(type, name);
            if (seenHere.containsKey(address)) {
                out.error("duplicate resource `" + address + "`",
                        "it is already declared at " + doc.rangeOf(seenHere.get(address)) + "; rename one of them",
                        doc.rangeOf(p + "/name"));
                continue;   // its address stays declared by the first entry: not counted as left out
            }
            seenHere.put(address, p);
            List<ResourceAddress> deps = readDependsOn(doc, r, p, out);
            JsonNode spec = r.get("spec");
            ObjectNode specObject;
            if (spec == null || spec.isNull()) {
                specObject = JsonNodeFactory.instance.objectNode();
            } else if (!spec.isObject()) {
                out.error("`spec` must be a mapping", "found " + ObjectShape.describe(spec), doc.rangeOf(p + "/spec"));
                leftOut++;
                continue;
            } else {
                specObject = (ObjectNode) spec;
            }
            Boolean adopt = readAdopt(doc, r, p, out);
            Lifecycle lifecycle = readLifecycle(doc, r, p, out, shape);
            lifecycle = new Lifecycle(lifecycle.preventDestroy(), Boolean.TRUE.equals(adopt));
            Declared prior = declared.get(address);
            if (prior != null) {
                // An importing file refines a resource of its base: specs merge, the importer's values win.
                ObjectNode merged = prior.spec().deepCopy();
                deepMerge(merged, specObject);
                List<ResourceAddress> mergedDeps = r.has("dependsOn") ? deps : prior.dependsOn();
                Lifecycle mergedLifecycle = new Lifecycle(
                        r.has("lifecycle") ? lifecycle.preventDestroy() : prior.lifecycle().preventDestroy(),
                        adopt != null ? adopt : prior.lifecycle().adopt());
                declared.put(address, new Declared(address, mergedDeps, merged, new SourceLocator(doc, p, prior.source()),
                        mergedLifecycle));
            } else {
                declared.put(address, new Declared(address, deps, specObject, new SourceLocator(doc, p), lifecycle));
            }
        }
    }

    /** {@code adopt: true} on the resource; null when not written. */
    private static Boolean readAdopt(YamlDocument doc, JsonNode r, String p, Diagnostics out) {
        JsonNode v = r.get("adopt");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            out.error("`adopt` must be true or false", "found " + ObjectShape.describe(v), doc.rangeOf(p + "/adopt"));
            return null;
        }
        return v.booleanValue();
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

    private static List<ResourceAddress> readDependsOn(YamlDocument doc, JsonNode r, String p, Diagnostics out) {
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
}

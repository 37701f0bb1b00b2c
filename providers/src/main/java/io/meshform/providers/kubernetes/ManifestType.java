package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.AppliedResource;
import io.meshform.engine.spi.ApplyRequest;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.StackContext;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.ResourceType;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code kubernetes.manifest}: any object, given inline ({@code manifest}) or as a one-document YAML file
 * ({@code file}, relative to the stack file), applied with server-side apply. The plan asks the server for a
 * dry-run apply, so invalid objects fail at plan time, and compares the dry-run result with the live object at the
 * paths the manifest sets. Optional {@code wait: {condition: Available|Established|Ready, timeoutSeconds}}.
 */
public final class ManifestType implements ResourceType {
    public static final String NAME = "kubernetes.manifest";
    static final List<String> FIELDS = List.of("manifest", "file", "wait", "force");
    static final List<String> CONDITIONS = List.of("Available", "Established", "Ready");
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private final KubeConnection kube;

    public ManifestType(KubeConnection kube) {
        this.kube = kube;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<FieldProblem> validate(JsonNode spec) {
        SpecChecker c = new SpecChecker();
        if (!c.spec(spec, NAME, FIELDS)) {
            return c.problems();
        }
        boolean inline = spec.has("manifest") && !spec.get("manifest").isNull();
        boolean file = spec.has("file") && !spec.get("file").isNull();
        if (inline == file) {
            c.error("", "set exactly one of `manifest` (the object inline) or `file` (a YAML file)");
        }
        if (inline && c.object(spec.get("manifest"), "/manifest", "`manifest`")) {
            JsonNode m = spec.get("manifest");
            c.string(m, "/manifest", "apiVersion", true);
            c.string(m, "/manifest", "kind", true);
            JsonNode md = m.get("metadata");
            if (md == null || !md.isObject()) {
                c.error("/manifest/metadata", "missing `metadata` with at least a name");
            } else {
                c.dnsSubdomain(c.string(md, "/manifest/metadata", "name", true), "/manifest/metadata/name", "name");
                c.dnsLabel(c.string(md, "/manifest/metadata", "namespace", false), "/manifest/metadata/namespace", "namespace");
                for (String server : ServerFields.METADATA) {
                    if (md.has(server)) {
                        c.warning("/manifest/metadata/" + server, "`" + server + "` is set by the server; meshform drops it", null);
                    }
                }
            }
        }
        if (file) {
            c.string(spec, "", "file", true);
        }
        JsonNode wait = spec.get("wait");
        if (wait != null && !wait.isNull() && c.object(wait, "/wait", "`wait`")) {
            c.knownKeys(wait, "/wait", "wait", List.of("condition", "field", "value", "timeoutSeconds"));
            boolean byField = wait.has("field");
            if (byField == wait.has("condition")) {
                c.error("/wait", "`wait` needs either `condition` or `field` with `value`",
                        "e.g. wait: {condition: Available} or wait: {field: status.phase, value: Active}");
            } else if (byField) {
                c.string(wait, "/wait", "field", true);
                c.string(wait, "/wait", "value", true);
            } else {
                c.oneOf(wait, "/wait", "condition", true, CONDITIONS);
            }
            JsonNode t = wait.get("timeoutSeconds");
            if (t != null && (!t.isIntegralNumber() || t.intValue() < 1)) {
                c.error("/wait/timeoutSeconds", "timeoutSeconds must be a positive whole number");
            }
        }
        c.bool(spec, "", "force");
        return c.problems();
    }

    @Override
    public Set<ResourceAddress> implicitDependencies(ResourceDecl resource, Stack stack) {
        Set<ResourceAddress> deps = new TreeSet<>();
        JsonNode m = resource.spec().get("manifest");
        String ns = m == null ? null : Json.text(m.path("metadata"), "namespace");
        for (ResourceDecl d : stack.ofType(NamespaceType.NAME)) {
            if (ns != null && ns.equals(Json.text(d.spec(), "name"))) {
                deps.add(d.address());
            }
        }
        return deps;
    }

    /**
     * The object the spec declares (inline or from its file, relative to the stack file), without server-owned
     * fields.
     */
    ObjectNode manifest(ResourceAddress address, JsonNode spec, StackContext context) {
        return object(address, spec, context);
    }

    /**
     * The object a {@code kubernetes.manifest} spec declares, for other providers' checks (Istio's validator and
     * analyzers read the Istio kinds among them); the same read as plan and apply make.
     */
    public static ObjectNode object(ResourceAddress address, JsonNode spec, StackContext context) {
        JsonNode m = spec.get("manifest");
        if (m == null || m.isNull()) {
            Path p = context.resolve(Json.text(spec, "file"));
            try {
                if (Files.size(p) > 1_000_000) {
                    throw KubeErrors.error(address + ": " + p + " is larger than 1 MB", null);
                }
                List<JsonNode> docs = new ArrayList<>();
                try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(p))) {
                    while (it.hasNext()) {
                        JsonNode d = it.next();
                        if (d != null && d.isObject()) {
                            docs.add(d);
                        }
                    }
                }
                if (docs.size() != 1) {
                    throw KubeErrors.error(address + ": " + p + " holds " + docs.size() + " objects",
                            "a kubernetes.manifest file holds exactly one object; declare one resource per object");
                }
                m = docs.get(0);
            } catch (IOException e) {
                throw KubeErrors.error(address + ": cannot read " + p + ": " + e.getMessage(), null);
            }
        }
        return ServerFields.strip(Json.copy(m));
    }

    static Target target(JsonNode obj) {
        JsonNode md = obj.path("metadata");
        return new Target(Json.text(obj, "apiVersion"), Json.text(obj, "kind"), Json.text(md, "namespace"), Json.text(md, "name"));
    }

    @Override
    public Map<ResourceAddress, LiveObject> read(ReadRequest request) {
        Map<Target, List<ResourceRef>> groups = new LinkedHashMap<>();
        Map<ResourceAddress, ObjectNode> manifests = new HashMap<>();
        for (ResourceRef r : request.resources()) {
            ObjectNode m = manifest(r.address(), r.spec(), request.context());
            manifests.put(r.address(), m);
            groups.computeIfAbsent(target(m).collection(), k -> new ArrayList<>()).add(r);
        }
        Map<Target, Map<String, HasMetadata>> listed = ParallelLists.each(groups.keySet(), collection -> {
            Map<String, HasMetadata> byName = new HashMap<>();
            try {
                KubeObjects.list(kube.client(), collection).forEach(o -> byName.put(KubeObjects.nameOf(o), o));
            } catch (KubernetesClientException e) {
                if (!KubeErrors.notFound(e) && !unknownKind(e)) {
                    throw kube.explain(NAME, "list", collection.kind() + " objects", e);
                }
            }
            return byName;
        });
        Map<ResourceAddress, LiveObject> out = new LinkedHashMap<>();
        for (Map.Entry<Target, List<ResourceRef>> g : groups.entrySet()) {
            Map<String, HasMetadata> byName = listed.get(g.getKey());
            for (ResourceRef r : g.getValue()) {
                ObjectNode m = manifests.get(r.address());
                HasMetadata live = byName.get(target(m).name());
                if (live != null) {
                    ObjectNode value = Json.copy(r.spec());
                    value.remove("file");
                    value.set("manifest", Json.project(Json.toNode(live), m));
                    out.put(r.address(), new LiveObject(value, live.getMetadata().getResourceVersion()));
                }
            }
        }
        return out;
    }

    /** Asked once per namespace and run: a plan asks about the same few namespaces once per object. */
    private boolean namespaceExists(StackContext context, String namespace) {
        return context.memo(new NamespaceExists(namespace), () -> kube.client().namespaces().withName(namespace).get() != null);
    }

    /** The key of {@link #namespaceExists} in the run's memo. */
    private record NamespaceExists(String namespace) {
    }

    /** fabric8's discovery found no such kind ("Could not find the metadata ..." / "no registered handler"). */
    private static boolean unknownKind(KubernetesClientException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        return KubeErrors.code(e) <= 0 && KubeErrors.answered(e) && (m.contains("metadata") || m.contains("registered handler"));
    }

    @Override
    public PlannedChange plan(PlanRequest request) {
        ObjectNode m = manifest(request.address(), request.desired(), request.context());
        Target t = target(m);
        ObjectNode after = Json.copy(request.desired());
        after.remove("file");
        after.set("manifest", m);
        List<String> warnings = new ArrayList<>();
        List<PlanDetail> details = new ArrayList<>();
        if (request.live() != null && Json.paths(request.live().value().get("manifest"), m).isEmpty()) {
            // The live object already holds every declared field: no dry-run needed, so a no-op plan costs
            // no request per object (only the LIST that read() made per kind and namespace).
            return new PlannedChange(Action.NOOP, "the live object matches", request.live().value(), after, details,
                    warnings, Map.of());
        }
        JsonNode dryRun = null;
        if (t.namespace() != null && !namespaceExists(request.context(), t.namespace())) {
            details.add(PlanDetail.note("server dry-run skipped: namespace " + t.namespace() + " does not exist yet"));
        } else {
            try {
                HasMetadata result = KubeObjects.apply(kube.client().resource(Json.toGeneric(m)), kube.fieldManager(),
                        Json.bool(request.desired(), "force"), true);
                dryRun = Json.toNode(result);
            } catch (KubernetesClientException e) {
                if (unknownKind(e) || (KubeErrors.code(e) == 404 && request.live() == null)) {
                    details.add(PlanDetail.note("server dry-run skipped: the cluster does not serve " + t.apiVersion() + " "
                            + t.kind() + " yet (its CRD may come from an earlier resource)"));
                } else if (KubeErrors.code(e) == 409) {
                    warnings.add("the server reports a conflict: " + KubeErrors.serverSays(e)
                            + "; apply will fail unless the stack sets force: true");
                } else {
                    throw kube.explain(request.address().toString(), "dry-run apply", t.describe(), e);
                }
            }
        }
        if (request.live() == null) {
            return new PlannedChange(Action.CREATE, t.describe() + " does not exist", null, after, details, warnings, Map.of());
        }
        JsonNode before = request.live().value();
        JsonNode liveManifest = before.get("manifest");
        JsonNode wanted = dryRun != null ? Json.project(dryRun, m) : m;
        List<String> changed = Json.paths(liveManifest, wanted);
        if (changed.isEmpty()) {
            return new PlannedChange(Action.NOOP, "matches the server's dry-run", before, after, details, warnings, Map.of());
        }
        return new PlannedChange(Action.UPDATE, Json.changedReason("", changed), before, after, details, warnings, Map.of());
    }

    @Override
    public AppliedResource apply(ApplyRequest request) {
        ObjectNode m = manifest(request.address(), request.desired(), request.context());
        Target t = target(m);
        request.progress().note("server-side apply " + t.describe() + " as " + kube.fieldManager());
        GenericKubernetesResource obj = Json.toGeneric(m);
        HasMetadata applied;
        try {
            applied = KubeObjects.apply(kube.client().resource(obj), kube.fieldManager(), Json.bool(request.desired(), "force"), false);
        } catch (KubernetesClientException e) {
            throw kube.explain(request.address().toString(), "apply", t.describe(), e);
        }
        JsonNode wait = request.desired().get("wait");
        if (wait != null && wait.isObject()) {
            waitFor(request, t, WaitFor.of(wait), wait.has("timeoutSeconds") ? wait.get("timeoutSeconds").longValue() : 300);
        }
        Map<String, String> meta = ServerFields.recorded(applied, kube.fieldManager());
        ObjectNode attributes = Json.copy(request.desired());
        attributes.set("manifest", m); // so a destroy works after the file is gone
        return new AppliedResource(attributes, meta);
    }

    /** What `wait` asks for: a status condition that is True, or a field (dotted path) holding a value. */
    record WaitFor(String condition, String field, String value) {
        static WaitFor of(JsonNode wait) {
            return new WaitFor(Json.text(wait, "condition"), Json.text(wait, "field"), Json.text(wait, "value"));
        }

        boolean holds(JsonNode obj) {
            if (condition != null) {
                return hasCondition(obj, condition);
            }
            JsonNode at = obj;
            for (String part : field.split("\\.")) {
                at = at.path(part);
            }
            return !at.isMissingNode() && !at.isNull() && value.equals(at.asString());
        }

        @Override
        public String toString() {
            return condition != null ? condition : field + " = " + value;
        }
    }

    private void waitFor(ApplyRequest request, Target t, WaitFor wanted, long seconds) {
        request.progress().note("waiting up to " + seconds + "s for " + t.describe() + ": " + wanted);
        var op = kube.client().genericKubernetesResources(t.apiVersion(), t.kind());
        var res = t.namespace() == null ? op.withName(t.name()) : op.inNamespace(t.namespace()).withName(t.name());
        try {
            res.waitUntilCondition(o -> o != null && wanted.holds(Json.toNode(o)), seconds, TimeUnit.SECONDS);
        } catch (KubernetesClientException e) {
            throw KubeErrors.error(request.address() + ": " + t.describe() + " was applied but is not " + wanted
                    + " after " + seconds + "s", "meshform recorded nothing for it; check `kubectl describe` and apply again");
        }
    }

    public static boolean hasCondition(JsonNode obj, String type) {
        for (JsonNode c : obj.path("status").path("conditions")) {
            if (type.equals(Json.text(c, "type")) && "True".equals(Json.text(c, "status"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void delete(DeleteRequest request) {
        ObjectNode m = manifest(request.address(), request.recorded().attributes(), request.context());
        Target t = target(m);
        try {
            var op = kube.client().genericKubernetesResources(t.apiVersion(), t.kind());
            List<?> gone = t.namespace() == null ? op.withName(t.name()).delete() : op.inNamespace(t.namespace()).withName(t.name()).delete();
            request.progress().note(gone.isEmpty() ? t.describe() + " was already gone" : t.describe() + " deleted");
        } catch (KubernetesClientException e) {
            if (!KubeErrors.notFound(e)) {
                throw kube.explain(request.address().toString(), "delete", t.describe(), e);
            }
        }
    }
}

package io.meshform.providers.istio.policy;

import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.kubernetes.NamespaceType;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.AppliedResource;
import io.meshform.engine.spi.ApplyRequest;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.ResourceType;
import io.meshform.providers.kubernetes.BeingDeleted;
import io.meshform.providers.kubernetes.DeleteWait;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.KubeErrors;
import io.meshform.providers.kubernetes.KubeObjects;
import io.meshform.providers.kubernetes.LineageMark;
import io.meshform.providers.kubernetes.ServerFields;
import io.meshform.providers.kubernetes.SpecChecker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One Istio policy kind (PeerAuthentication, RequestAuthentication, AuthorizationPolicy, Telemetry) as a resource
 * type. The spec is {@code {namespace, name?, force?}} plus the Istio spec fields; the object is applied with
 * server-side apply and labelled {@code app.kubernetes.io/managed-by: meshform}. A ResourceDefinitionContext
 * addresses the kind, so no API discovery request is needed.
 */
public final class IstioPolicyType implements ResourceType {
    /** How long a delete waits for a policy a finalizer holds, as a manifest's delete does by default. */
    static final java.time.Duration DELETE_TIMEOUT = java.time.Duration.ofSeconds(300);
    /**
     * Fields of the typed spec that are meshform's, not Istio's: never part of the applied object. {@code coverage}
     * (AuthorizationPolicy only) holds the ingress coverage expectations ({@link IstioRules#coverage}).
     */
    static final List<String> META_FIELDS = List.of("namespace", "name", "force", IstioRules.COVERAGE);

    /** The Istio-specific checks of one kind: called with the spec and a checker. */
    @FunctionalInterface
    public interface Rules {
        void check(JsonNode spec, SpecChecker checker);
    }

    private final String typeName;
    private final String kind;
    private final ResourceDefinitionContext context;
    private final List<String> specFields;
    private final Rules rules;
    private final Set<String> sensitive;
    private final KubeConnection kube;
    private final io.meshform.providers.kubernetes.ServerSideApply ssa;

    public IstioPolicyType(KubeConnection kube, PolicyKind policyKind, Set<String> sensitive) {
        this(kube, policyKind, sensitive, IstioSpecSchemas.ReleaseInUse.NONE);
    }

    /** {@code release}: the Istio release the run is for, which decides whether Istio's schema judges (IstioSpecSchemas). */
    public IstioPolicyType(KubeConnection kube, PolicyKind policyKind, Set<String> sensitive, IstioSpecSchemas.ReleaseInUse release) {
        this.kube = kube;
        this.typeName = policyKind.type();
        this.kind = policyKind.kind();
        this.context = new ResourceDefinitionContext.Builder().withGroup(policyKind.group()).withVersion(policyKind.version())
                .withKind(kind).withPlural(policyKind.plural()).withNamespaced(true).build();
        this.specFields = IstioObjects.of(kind).fields();
        this.rules = IstioObjects.withSchema(kind, release);
        this.sensitive = Set.copyOf(sensitive);
        // The policy's fixed definition, as op() uses: no discovery request for Istio's kinds.
        this.ssa = new io.meshform.providers.kubernetes.ServerSideApply(kube, t -> op());
    }

    @Override
    public String name() {
        return typeName;
    }

    public String kind() {
        return kind;
    }

    public String apiVersion() {
        return context.getGroup() + "/" + context.getVersion();
    }

    /** The policy object's namespace and name. */
    @Override
    public Set<String> identityPaths() {
        return Set.of("/namespace", "/name");
    }

    /** The policy object, as a {@code kubernetes.manifest} of the same kind and place names it (DeclaredTwice). */
    @Override
    public java.util.Optional<String> declaredObject(ResourceAddress address, JsonNode spec) {
        String ns = Json.text(spec, "namespace");
        return ns == null ? java.util.Optional.empty()
                : new KubeObjects.Target(apiVersion(), kind, ns, objectName(address, spec)).identity();
    }

    @Override
    public Set<String> sensitivePaths() {
        return sensitive;
    }

    @Override
    public List<FieldProblem> validate(JsonNode spec) {
        List<String> allowed = new ArrayList<>(META_FIELDS);
        allowed.addAll(specFields);
        SpecChecker c = new SpecChecker();
        if (!c.spec(spec, typeName, allowed)) {
            return c.problems();
        }
        c.dnsLabel(c.string(spec, "", "namespace", true), "/namespace", "namespace");
        c.dnsSubdomain(c.string(spec, "", "name", false), "/name", "name");
        c.bool(spec, "", "force");
        if (spec.has(IstioRules.COVERAGE) && !kind.equals("AuthorizationPolicy")) {
            c.error("/" + IstioRules.COVERAGE, "`coverage` is only for istio.authorizationPolicy",
                    "the ingress coverage expectations (public:, protected:) belong on the CUSTOM AuthorizationPolicy of the gateway");
        }
        rules.check(spec, c);
        return c.problems();
    }

    /** Policies come after the Istio install (its CRDs) and after the namespace they live in. */
    @Override
    public Set<ResourceAddress> implicitDependencies(ResourceDecl resource, Stack stack) {
        Set<ResourceAddress> deps = new TreeSet<>();
        stack.ofType(Mesh.INSTALL_TYPE).forEach(d -> deps.add(d.address()));
        String ns = Json.text(resource.spec(), "namespace");
        for (ResourceDecl d : stack.ofType(NamespaceType.NAME)) {
            if (ns != null && ns.equals(Json.text(d.spec(), "name"))) {
                deps.add(d.address());
            }
        }
        return deps;
    }

    /** The object name: spec.name, else the resource name ('_' becomes '-'). */
    static String objectName(ResourceAddress address, JsonNode spec) {
        String n = Json.text(spec, "name");
        return n != null && !n.isBlank() ? n : address.name().replace('_', '-');
    }

    /** The Istio part of the spec: everything but namespace, name and force. */
    ObjectNode istioSpec(JsonNode spec) {
        ObjectNode out = Json.object();
        for (Map.Entry<String, JsonNode> e : spec.properties()) {
            if (!META_FIELDS.contains(e.getKey())) {
                out.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return out;
    }

    MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> op() {
        return kube.client().genericKubernetesResources(context);
    }

    /** One LIST per namespace of every object of the kind there (PolicyReads says why unfiltered). */
    @Override
    public Map<ResourceAddress, LiveObject> read(ReadRequest request) {
        return new PolicyReads(this, kube).read(request);
    }

    /** The live object in the spec's shape ({@link PolicyReads#project}). */
    ObjectNode project(JsonNode spec, JsonNode live) {
        return new PolicyReads(this, kube).project(spec, live);
    }

    @Override
    public PlannedChange plan(PlanRequest request) {
        JsonNode desired = request.desired();
        String where = kind + " " + Json.text(desired, "namespace") + "/" + objectName(request.address(), desired);
        String was = request.recorded() == null ? null : kind + " " + Json.text(request.recorded().attributes(), "namespace")
                + "/" + objectName(request.address(), request.recorded().attributes());
        if (was != null && !was.equals(where)) {
            // The object is read where the file now puts it; the one applied keeps its old namespace/name. A create
            // would leave it in the cluster with this state's mark, unmanaged, still in force (a PERMISSIVE exception
            // moved by a typo stays where it was): the delete half of a replacement removes it. The two are
            // different objects, so the new one is created first: a create refused (the new namespace does not
            // exist) leaves the old policy in force instead of the gateway without its CUSTOM policy. A policy
            // already where the file now puts it is not the one applied either (made by hand, or by an earlier move
            // whose delete failed): the engine judges whose it is (Planner), and the old one still goes.
            return PlannedChange.of(Action.REPLACE, "namespace or name changed: apply creates " + where
                    + ", then deletes " + was.substring(kind.length() + 1), request.recorded().attributes(), desired)
                    .createdBeforeDeleted();
        }
        if (request.live() == null) {
            return PlannedChange.of(Action.CREATE, where + " does not exist", null, desired);
        }
        JsonNode before = request.live().value();
        var deleting = request.recorded() == null ? java.util.Optional.<BeingDeleted>empty()
                : request.live().data(BeingDeleted.class);
        if (deleting.isPresent()) {
            // Its spec may match, yet it vanishes once nothing holds it (a destroy stopped while DeleteWait waited).
            return deleting.get().replacement(where, before, desired);
        }
        List<String> changed = Json.paths(istioSpec(before), istioSpec(desired));
        if (changed.isEmpty()) {
            return PlannedChange.of(Action.NOOP, "spec matches", before, desired);
        }
        // Named as the diff below the reason shows them and as `drift --ignore ADDR:FIELD` takes them (mtls.mode, not
        // spec.mtls.mode): a field copied from the message must be one --ignore leaves out.
        PlannedChange update = PlannedChange.of(Action.UPDATE, Json.changedReason("", changed), before, desired);
        // Drift runs with read-only rights and plans nothing it would apply: no dry-run there.
        return request.context().drift() ? update : update.withWarnings(ApplyConflicts.of(ssa, kube.fieldManager(),
                desiredJson(request.address(), desired, Map.of()), Json.bool(desired, "force"), where));
    }

    /** The object applied: the Istio spec, meshform's managed-by label and its lineage {@code mark}. */
    ObjectNode desiredJson(ResourceAddress address, JsonNode spec, Map<String, String> mark) {
        ObjectNode obj = Json.NODES.objectNode();
        obj.put("apiVersion", apiVersion());
        obj.put("kind", kind);
        ObjectNode md = obj.putObject("metadata");
        md.put("name", objectName(address, spec));
        String namespace = Json.text(spec, "namespace");
        if (namespace != null) {
            md.put("namespace", namespace);
        }
        md.putObject("labels").put(KubeConnection.MANAGED_BY_LABEL, kube.fieldManager());
        if (!mark.isEmpty()) {
            new TreeMap<>(mark).forEach(md.putObject("annotations")::put);
        }
        obj.set("spec", istioSpec(spec));
        return obj;
    }

    @Override
    public AppliedResource apply(ApplyRequest request) {
        JsonNode spec = request.desired();
        ObjectNode obj = desiredJson(request.address(), spec, request.mark());
        String what = kind + " " + Json.text(obj.get("metadata"), "namespace") + "/" + Json.text(obj.get("metadata"), "name");
        request.progress().note("server-side apply " + what + " as " + kube.fieldManager());
        JsonNode applied;
        try {
            applied = ssa.apply(obj, kube.fieldManager(), Json.bool(spec, "force"), false);
        } catch (KubernetesClientException e) {
            throw kube.explain(request.address().toString(), "apply", what, e);
        }
        Map<String, String> meta = ServerFields.recorded(applied, kube.fieldManager());
        meta.put("apiVersion", apiVersion());
        return new AppliedResource(spec.deepCopy(), meta);
    }

    /** The one write of an import: this state's mark on the policy, nothing else ({@code LineageMark.write}). */
    @Override
    public void markImported(io.meshform.engine.spi.ApplyRequest request) {
        JsonNode spec = request.desired();
        String ns = Json.text(spec, "namespace");
        String name = objectName(request.address(), spec);
        try {
            io.meshform.providers.kubernetes.LineageMark.write(kube, op().inNamespace(ns).withName(name).get(), kube.fieldManager(),
                    request.mark(), request.address().toString());
        } catch (KubernetesClientException e) {
            throw kube.explain(request.address().toString(), "read", kind + " " + ns + "/" + name, e);
        }
    }

    /** An adopted policy leaves management: it stays, without meshform's mark. */
    @Override
    public void release(DeleteRequest request) {
        JsonNode spec = request.recorded().attributes();
        String ns = Json.text(spec, "namespace");
        String name = objectName(request.address(), spec);
        try {
            io.meshform.providers.kubernetes.LineageMark.remove(kube, op().inNamespace(ns).withName(name).get());
        } catch (KubernetesClientException e) {
            if (!KubeErrors.notFound(e)) {
                throw kube.explain(request.address().toString(), "read", kind + " " + ns + "/" + name, e);
            }
        }
        request.progress().note(kind + " " + ns + "/" + name + " was adopted: it stays in the cluster, no longer managed by meshform");
    }

    /**
     * Deletes the policy and returns once it is gone, as a {@code kubernetes.manifest} delete does ({@link DeleteWait}):
     * a finalizer (another controller's) keeps it, being deleted, and it was said "deleted" while it still acted, and
     * the create half of a replacement applied onto it, which then vanished.
     */
    @Override
    public void delete(DeleteRequest request) {
        JsonNode spec = request.recorded().attributes();
        String ns = Json.text(spec, "namespace");
        String name = objectName(request.address(), spec);
        String what = kind + " " + ns + "/" + name;
        try {
            List<io.fabric8.kubernetes.api.model.StatusDetails> gone = op().inNamespace(ns).withName(name).delete();
            if (gone.isEmpty()) {
                request.progress().note(what + " was already gone");
                return;
            }
            DeleteWait.untilGone(request.address().toString(), what, DeleteWait.uidOf(gone),
                    () -> op().inNamespace(ns).withName(name).get(), DELETE_TIMEOUT, request.progress());
            request.progress().note(what + " deleted");
        } catch (KubernetesClientException e) {
            if (!KubeErrors.notFound(e)) {
                throw kube.explain(request.address().toString(), "delete", kind + " " + ns + "/" + name, e);
            }
        }
    }

    @Override
    public boolean importable() {
        return true;
    }

    /** id {@code namespace/name}. */
    @Override
    public Optional<AppliedResource> importExisting(String id, JsonNode declared) {
        String ns = Json.text(declared, "namespace");
        String name = Json.text(declared, "name");
        // The declared object is the one the address manages: adopting another would have the next destroy, or a
        // rename, act on an object the file never named (another stack's, even).
        if (ns != null && name != null && !(ns + "/" + name).equals(id)) {
            throw KubeErrors.error("cannot import `" + id + "`: this resource declares " + kind + " " + ns + "/"
                    + name, "import it as " + ns + "/" + name + ", or change namespace and name in the file first");
        }
        return importExisting(id);
    }

    /** A policy is imported as namespace/name. */
    @Override
    public Optional<String> importId(JsonNode recorded) {
        String ns = Json.text(recorded, "namespace");
        String name = Json.text(recorded, "name");
        return ns == null || name == null ? Optional.empty() : Optional.of(ns + "/" + name);
    }

    @Override
    public Optional<AppliedResource> importExisting(String id) {
        int slash = id.indexOf('/');
        if (slash <= 0) {
            throw KubeErrors.error("cannot import " + typeName + " `" + id + "`", "the id is namespace/name, e.g. istio-system/default");
        }
        String ns = id.substring(0, slash);
        String name = id.substring(slash + 1);
        GenericKubernetesResource live = op().inNamespace(ns).withName(name).get();
        if (live == null) {
            return Optional.empty();
        }
        ObjectNode spec = Json.object().put("namespace", ns).put("name", name);
        JsonNode liveSpec = Json.toNode(live).get("spec");
        if (liveSpec != null && liveSpec.isObject()) {
            liveSpec.properties().forEach(f -> spec.set(f.getKey(), f.getValue()));
        }
        return Optional.of(new AppliedResource(spec, ServerFields.recorded(live, kube.fieldManager())));
    }
}

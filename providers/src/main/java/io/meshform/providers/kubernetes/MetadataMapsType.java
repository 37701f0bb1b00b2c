package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.StackContext;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.ResourceType;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The shared logic of {@code kubernetes.namespace} and {@code kubernetes.labels}: meshform owns exactly the label
 * and annotation keys it declares (server-side apply of a minimal object), sees only those keys (plus keys it
 * still owns from an earlier apply, so a key dropped from the file shows as removed), and warns when another
 * field manager owns a key it would change.
 */
abstract class MetadataMapsType implements ResourceType {
    static final String LABELS = "labels";
    static final String ANNOTATIONS = "annotations";
    static final String RESTART = "restartWorkloads";
    static final String RESTART_TIMEOUT = "restartTimeoutSeconds";

    protected final KubeConnection kube;
    /** What another provider makes of a namespace's labels (Istio: sidecar injection); NONE when nothing. */
    protected final NamespaceLabelEffects effects;
    private final ServerSideApply ssa;

    /**
     * What read() saw and plan() needs, carried in {@link LiveObject#data()}: field owners, every live label
     * (injection depends on labels meshform does not own), and when this resource's field manager last changed the
     * object (null when it never applied).
     */
    record Owners(ManagedFields labels, ManagedFields annotations, BeingDeleted deleting, Map<String, String> liveLabels,
                  java.time.Instant appliedAt) {
        /** Whether the object is being deleted (Terminating); {@link #deleting} says since when and what holds it. */
        boolean terminating() {
            return deleting != null;
        }
    }

    MetadataMapsType(KubeConnection kube, NamespaceLabelEffects effects) {
        this.kube = kube;
        this.ssa = new ServerSideApply(kube);
        this.effects = effects;
    }

    /** The object a spec (desired, or recorded attributes) is about. */
    abstract Target target(JsonNode spec);

    /** Every annotation value of a Secret: it may hold the Secret's data (see {@link #sensitivePaths(JsonNode)}). */
    static final Set<String> SECRET_ANNOTATIONS = Set.of("/" + ANNOTATIONS + "/*");
    /** kubectl's last-applied copy of the object, on any kind. */
    static final Set<String> LAST_APPLIED = Set.of("/" + ANNOTATIONS + "/" + ManifestSensitive.LAST_APPLIED_KEY);

    /**
     * Annotation values that never leave meshform in clear text (plans, saved plans, state, drift, warnings): on a
     * Secret every annotation, since annotations of a Secret may hold its data ({@code kubectl apply}'s
     * {@value ManifestSensitive#LAST_APPLIED} copy of the whole object, or a tool's copy of a token); on any other kind
     * that last-applied copy, which echoes the whole object. The live value of a declared key is read into the plan's
     * "before", so without this a stack could print any Secret it can name. Keys stay visible, and a changed value
     * shows as changed ({@link io.meshform.engine.plan.Sensitive#maskPair}). Labels stay visible: a label value is at
     * most 63 characters of a restricted alphabet, and selectors read them.
     */
    @Override
    public Set<String> sensitivePaths(JsonNode value) {
        if (value == null || !value.isObject()) {
            return Set.of();
        }
        return isSecret(target(value)) ? SECRET_ANNOTATIONS : LAST_APPLIED;
    }

    /** The object whose labels or annotations the resource owns: its kind, namespace and name. */
    @Override
    public Set<String> identityPaths() {
        return Set.of("/apiVersion", "/kind", "/namespace", "/name");
    }

    /** Annotation values are sensitive as possible copies of a secret, never as the secret itself. */
    @Override
    public Set<String> secretValuePaths(JsonNode value) {
        return Set.of();
    }

    static boolean isSecret(Target t) {
        return "v1".equals(t.apiVersion()) && "Secret".equals(t.kind());
    }

    /** Whether the value of annotation {@code key} of {@code t} is sensitive ({@link #sensitivePaths(JsonNode)}). */
    static boolean sensitiveAnnotation(Target t, String key) {
        return isSecret(t) || ManifestSensitive.LAST_APPLIED.equals(key);
    }

    /**
     * Each resource applies under a field manager of its own, so two resources of one stack that own keys of the
     * same object (a kubernetes.namespace and a kubernetes.labels on it) never remove each other's keys: with one
     * shared manager, server-side apply would drop whatever the last applier left out.
     */
    String manager(ResourceAddress address) {
        return kube.resourceManager(address.toString());
    }

    @Override
    public Map<ResourceAddress, LiveObject> read(ReadRequest request) {
        Map<Target, List<ResourceRef>> byCollection = new LinkedHashMap<>();
        for (ResourceRef ref : request.resources()) {
            byCollection.computeIfAbsent(SecretGets.readKey(target(ref.spec())), k -> new ArrayList<>()).add(ref);
        }
        Map<ResourceAddress, LiveObject> out = new LinkedHashMap<>();
        KubernetesClient client = kube.client();
        for (Map.Entry<Target, List<ResourceRef>> e : byCollection.entrySet()) {
            List<JsonNode> items = e.getKey().name() != null  // a Secret, read by its name: get, not list, secrets
                    ? SecretGets.get(kube, e.getValue().get(0).address().toString(), e.getKey())
                    : list(request, client, e.getKey());
            if (items == null) {
                continue; // the namespace (or API) is absent: so is every object in it
            }
            if (e.getKey().isNamespace()) {
                ListedNamespaces.of(request.context()).listed(items);
            }
            Map<String, JsonNode> byName = new HashMap<>();
            items.forEach(i -> byName.put(KubeObjects.nameOf(i), i));
            for (ResourceRef ref : e.getValue()) {
                JsonNode live = byName.get(target(ref.spec()).name());
                if (live != null) {
                    out.put(ref.address(), new LiveObject(project(ref.spec(), live, manager(ref.address())),
                            KubeObjects.resourceVersionOf(live), owners(ref.address(), live))
                            .withOwnership(ownership(ref.address(), live)));
                }
            }
        }
        return out;
    }

    /** The objects of {@code collection}, or null when the API server answers 404 (no such namespace or API). */
    private List<JsonNode> list(ReadRequest request, KubernetesClient client, Target collection) {
        try {
            // kubernetes.namespace and kubernetes.labels (kind Namespace) read at once: one LIST serves both.
            return InFlightLists.of(request.context()).list(collection, () -> KubeObjects.list(client, collection));
        } catch (KubernetesClientException ex) {
            if (KubeErrors.notFound(ex)) {
                return null;
            }
            throw kube.explain(name(), "list", collection.kind() + " objects", ex);
        }
    }

    private Owners owners(ResourceAddress address, JsonNode live) {
        return new Owners(ManagedFields.of(live, "metadata", LABELS), ManagedFields.of(live, "metadata", ANNOTATIONS),
                BeingDeleted.of(live).orElse(null), LiveLabels.of(live),
                appliedAt(live, manager(address)));
    }

    /**
     * Whether meshform made {@code live}, for the engine's adoption rule. Shared by default: labels on an object
     * that belongs to someone else are the point of {@code kubernetes.labels}.
     */
    io.meshform.engine.spi.Ownership ownership(ResourceAddress address, JsonNode live) {
        return io.meshform.engine.spi.Ownership.SHARED;
    }

    /** The live object in the spec's shape: the spec with labels/annotations replaced by the live values meshform sees. */
    ObjectNode project(JsonNode spec, JsonNode live, String manager) {
        ObjectNode out = Json.copy(spec);
        ManagedFields labelOwners = ManagedFields.of(live, "metadata", LABELS);
        ManagedFields annotationOwners = ManagedFields.of(live, "metadata", ANNOTATIONS);
        projectMap(out, LABELS, spec.get(LABELS), LiveLabels.stringsAt(live, LABELS), labelOwners, manager);
        projectMap(out, ANNOTATIONS, spec.get(ANNOTATIONS), LiveLabels.stringsAt(live, ANNOTATIONS), annotationOwners, manager);
        return out;
    }

    private void projectMap(ObjectNode out, String field, JsonNode declared, Map<String, String> live, ManagedFields mf,
                            String manager) {
        Set<String> keys = new LinkedHashSet<>(Json.stringMap(declared).keySet());
        keys.addAll(mf.keysOf(manager));
        keys.removeIf(LineageMark::isMark);  // bookkeeping, not something the stack declares
        Map<String, String> seen = new TreeMap<>();
        if (live != null) {
            for (String k : keys) {
                if (live.containsKey(k)) {
                    seen.put(k, live.get(k));
                }
            }
        }
        if (seen.isEmpty() && (declared == null || declared.isNull())) {
            out.remove(field);
        } else {
            out.set(field, Json.fromMap(seen));
        }
    }

    /** Desired with empty or absent maps normalised, for comparison. */
    static ObjectNode normalised(JsonNode spec) {
        ObjectNode o = Json.object();
        o.set(LABELS, Json.fromMap(Json.stringMap(spec.get(LABELS))));
        o.set(ANNOTATIONS, Json.fromMap(Json.stringMap(spec.get(ANNOTATIONS))));
        return o;
    }

    /** UPDATE/NOOP of an existing object: the differing keys, and the conflicts another manager would raise. */
    PlannedChange planExisting(PlanRequest request) {
        JsonNode desired = request.desired();
        JsonNode before = request.live().value();
        List<String> changed = Json.paths(normalised(before), normalised(desired));
        Owners o = request.live().data(Owners.class).orElse(null);
        if (o == null) {
            // A live value from elsewhere than read() (a hand-made request): ask the server.
            HasMetadata live = KubeObjects.get(kube.client(), target(desired));
            o = live == null ? new Owners(ManagedFields.NONE, ManagedFields.NONE, null, Map.of(), null)
                    : owners(request.address(), Json.toNode(live));
        }
        List<String> warnings = new ArrayList<>();
        if (o.terminating()) {
            warnings.add(target(desired).describe() + " is being deleted (Terminating); changes to it will be lost");
        }
        boolean force = Json.bool(desired, "force");
        String manager = manager(request.address());
        Target t = target(desired);
        conflicts(LABELS, "label", desired, before, o.labels(), force, warnings, manager, k -> false);
        conflicts(ANNOTATIONS, "annotation", desired, before, o.annotations(), force, warnings, manager,
                k -> sensitiveAnnotation(t, k));
        if (changed.isEmpty()) {
            var pending = t.isNamespace() && o.appliedAt() != null
                    ? effects.pending(request.address().toString(), t.name(), o.liveLabels(), o.appliedAt(), desired,
                            request.context())
                    : java.util.Optional.<NamespaceLabelEffects.Pending>empty();
            if (pending.isPresent()) {
                return new PlannedChange(Action.UPDATE, "labels match, but " + pending.get().reason(),
                        before, desired, pending.get().details(), warnings, Map.of(PENDING_RESTART, "true"));
            }
            return new PlannedChange(Action.NOOP, "labels and annotations match", before, desired, List.of(), warnings, Map.of());
        }
        List<PlanDetail> details = new ArrayList<>();
        if (t.isNamespace()) {
            effects.plan(request.address().toString(), t.name(), o.liveLabels(), LiveLabels.after(o.liveLabels(), before, desired),
                    desired, request.context(), details, warnings);
        }
        return new PlannedChange(Action.UPDATE, Json.changedReason("", changed), before, desired, details, warnings, Map.of());
    }

    static final String PENDING_RESTART = "pendingRestart";

    /** When {@code manager} last changed the object: the time of its managedFields entry. */
    static java.time.Instant appliedAt(HasMetadata obj, String manager) {
        return obj == null ? null : appliedAt(Json.toNode(obj), manager);
    }

    /** The effects a plan found still owed (see {@link NamespaceLabelEffects#pending}), done after the labels are applied. */
    void restartPending(io.meshform.engine.spi.ApplyRequest request, Target t, JsonNode applied) {
        if (t.isNamespace() && "true".equals(request.privateData().get(PENDING_RESTART))) {
            effects.finishPending(request.address().toString(), t.name(), LiveLabels.of(applied),
                    appliedAt(applied, manager(request.address())), request.desired(), request.context(), request.progress());
        }
    }


    /** The same, for an object read as JSON. */
    static java.time.Instant appliedAt(JsonNode obj, String manager) {
        for (JsonNode entry : obj.path("metadata").path("managedFields")) {
            String time = Json.text(entry, "time");
            if (manager.equals(Json.text(entry, "manager")) && time != null) {
                try {
                    return KubeTime.parse(time);
                } catch (java.time.format.DateTimeParseException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * What a removal of meshform's labels from a namespace (a labels delete, an adopted namespace's release) does to
     * its workloads, for the plan, judged as the removal's {@link #afterApply} judges it: from the live labels plus the
     * recorded keys already gone ({@link LiveLabels#beforeRemoval}), to those labels less the keys no other field manager
     * keeps (server-side apply keeps those).
     */
    List<PlanDetail> removalDetails(ResourceAddress address, io.meshform.state.ResourceState recorded, LiveObject live,
                                    StackContext context, List<String> warnings) {
        Target t = target(recorded.attributes());
        Owners o = live.data(Owners.class).orElse(null);
        if (o == null || o.terminating()) {
            return List.of();
        }
        Map<String, String> before = LiveLabels.beforeRemoval(o.liveLabels(), recorded.attributes());
        Map<String, String> after = new TreeMap<>(before);
        Map<String, List<String>> others = o.labels().othersThan(manager(address));
        Json.stringMap(recorded.attributes().get(LABELS)).keySet().stream().filter(k -> !others.containsKey(k))
                .forEach(after::remove);
        List<PlanDetail> details = new ArrayList<>();
        effects.plan(address.toString(), t.name(), before, after, recorded.attributes(), context, details, warnings);
        return details;
    }

    /**
     * After the labels of a namespace were applied: when injection turned on or off, restart the workloads (if the
     * spec says restartWorkloads: true) or say that their pods keep their old sidecar state until they restart.
     */
    void afterApply(ResourceAddress address, Target t, Map<String, String> before, JsonNode applied, JsonNode spec,
                    StackContext context, ProgressSink progress) {
        if (t.isNamespace()) {
            effects.afterApply(address.toString(), t.name(), before, LiveLabels.of(applied), spec, context, progress);
        }
    }

    /**
     * A warning per declared key another field manager owns and this apply would change, naming the value it has now,
     * unless that value is {@code sensitive} (then only that it is set): the engine masks the plan's values, but a
     * warning is free text, and a substring search is no guard for a value the stack never saw.
     */
    private void conflicts(String field, String word, JsonNode desired, JsonNode before, ManagedFields mf, boolean force,
                           List<String> warnings, String manager, java.util.function.Predicate<String> sensitive) {
        Map<String, String> want = Json.stringMap(desired.get(field));
        Map<String, String> have = Json.stringMap(before.get(field));
        Map<String, List<String>> others = mf.othersThan(manager);
        for (Map.Entry<String, String> e : want.entrySet()) {
            List<String> who = others.get(e.getKey());
            if (who == null || e.getValue().equals(have.get(e.getKey()))) {
                continue;
            }
            String current = !have.containsKey(e.getKey()) ? "unset"
                    : sensitive.test(e.getKey()) ? "set, value " + io.meshform.engine.plan.Sensitive.MASK
                    : "\"" + have.get(e.getKey()) + "\"";
            warnings.add(force
                    ? word + " `" + e.getKey() + "` is owned by field manager " + String.join(", ", who)
                        + " (now " + current + "); force: true takes it over"
                    : word + " `" + e.getKey() + "` is owned by field manager " + String.join(", ", who) + " (now " + current
                        + "); apply will fail with a conflict - use force: true to take it over");
        }
    }

    /** The minimal object meshform applies: identity plus exactly the declared labels and annotations. */
    HasMetadata minimalObject(Target t, Map<String, String> labels, Map<String, String> annotations) {
        if (t.isNamespace()) {
            Namespace ns = new NamespaceBuilder().withNewMetadata().withName(t.name()).endMetadata().build();
            ns.getMetadata().setLabels(labels.isEmpty() ? null : new TreeMap<>(labels));
            ns.getMetadata().setAnnotations(annotations.isEmpty() ? null : new TreeMap<>(annotations));
            return ns;
        }
        GenericKubernetesResource g = new GenericKubernetesResourceBuilder().withApiVersion(t.apiVersion()).withKind(t.kind())
                .withNewMetadata().withName(t.name()).withNamespace(t.namespace()).endMetadata().build();
        g.getMetadata().setLabels(labels.isEmpty() ? null : new TreeMap<>(labels));
        g.getMetadata().setAnnotations(annotations.isEmpty() ? null : new TreeMap<>(annotations));
        return g;
    }

    /** The same object as JSON, for {@link ServerSideApply}. */
    static ObjectNode minimalJson(Target t, Map<String, String> labels, Map<String, String> annotations) {
        ObjectNode obj = Json.NODES.objectNode();
        obj.put("apiVersion", t.apiVersion());
        obj.put("kind", t.kind());
        ObjectNode md = obj.putObject("metadata");
        md.put("name", t.name());
        if (!t.isNamespace() && t.namespace() != null) {
            md.put("namespace", t.namespace());
        }
        if (!labels.isEmpty()) {
            new TreeMap<>(labels).forEach(md.putObject(LABELS)::put);
        }
        if (!annotations.isEmpty()) {
            new TreeMap<>(annotations).forEach(md.putObject(ANNOTATIONS)::put);
        }
        return obj;
    }

    /** Applies exactly these labels and annotations as this resource's field manager; the server's answer as JSON. */
    JsonNode applyMinimal(ResourceAddress address, Target t, Map<String, String> labels, Map<String, String> annotations,
                          boolean force) {
        ObjectNode obj = minimalJson(t, labels, annotations);
        try {
            return ssa.resolves(obj) ? ssa.apply(obj, manager(address), force, false)
                    : Json.toNode(KubeObjects.apply(kube.client().resource(minimalObject(t, labels, annotations)),
                            manager(address), force, false));
        } catch (KubernetesClientException e) {
            throw kube.explain(address.toString(), "apply", labelsWhat(labels, annotations) + " on " + t.describe(), e);
        }
    }

    private static String labelsWhat(Map<String, String> labels, Map<String, String> annotations) {
        return annotations.isEmpty() ? "labels" : "labels and annotations";
    }

    static Map<String, String> metadata(JsonNode applied, String fieldManager) {
        return ServerFields.recorded(applied, fieldManager);
    }

    static Map<String, String> metadata(HasMetadata live, String fieldManager) {
        return ServerFields.recorded(live, fieldManager);
    }
}

package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.AppliedResource;
import io.meshform.engine.spi.ApplyRequest;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.StackContext;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code kubernetes.namespace}: {@code {name, labels?, annotations?, force?, restartWorkloads?, restartTimeoutSeconds?}}. Creates the namespace, or adopts an
 * existing one, with the declared labels and annotations (server-side apply; meshform owns only those keys).
 * Destroying a namespace meshform created deletes it; destroying one it adopted (it existed before the first
 * apply, or came in by import) removes only meshform's labels and annotations: the namespace and everything in
 * it belong to someone else.
 */
public final class NamespaceType extends MetadataMapsType {
    public static final String NAME = "kubernetes.namespace";
    static final List<String> FIELDS = List.of("name", "labels", "annotations", "force", RESTART, RESTART_TIMEOUT);
    /** How long destroy waits for a deleted namespace to be gone, as {@code kubectl delete --wait} does. */
    static final java.time.Duration DELETE_TIMEOUT = java.time.Duration.ofSeconds(300);

    public NamespaceType(KubeConnection kube) {
        this(kube, NamespaceLabelEffects.NONE);
    }

    public NamespaceType(KubeConnection kube, NamespaceLabelEffects effects) {
        super(kube, effects);
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
        c.dnsLabel(c.string(spec, "", "name", true), "/name", "namespace name");
        c.labelMap(spec, "", LABELS, true);
        c.labelMap(spec, "", ANNOTATIONS, false);
        c.bool(spec, "", "force");
        RestartSettings.validate(c, spec);
        return c.problems();
    }

    @Override
    public java.util.Optional<String> declaredObject(ResourceAddress address, JsonNode spec) {
        return target(spec).identity();
    }

    @Override
    Target target(JsonNode spec) {
        return new Target("v1", "Namespace", null, Json.text(spec, "name"));
    }

    /** A namespace meshform made carries its mark; one made by hand (or by istioctl) does not. */
    @Override
    io.meshform.engine.spi.Ownership ownership(ResourceAddress address, JsonNode live) {
        return LineageMark.ofResource(live, kube, address.toString(), "Namespace " + KubeObjects.nameOf(live),
                KubeObjects.nameOf(live));
    }

    @Override
    public PlannedChange plan(PlanRequest request) {
        if (request.live() == null) {
            return PlannedChange.of(Action.CREATE, "namespace " + Json.text(request.desired(), "name") + " does not exist",
                    null, request.desired());
        }
        Owners o = request.recorded() == null ? null : request.live().data(Owners.class).orElse(null);
        if (o != null && o.terminating()) {
            // Terminating until the namespace controller has emptied it, then gone, whatever its labels (a destroy
            // stopped while it waited): "No changes" would be untrue, and a labels apply would go with it.
            return o.deleting().replacement("namespace " + Json.text(request.desired(), "name"), request.live().value(),
                    request.desired());
        }
        return planExisting(request);
    }

    static final String ADOPTED = "adopted";

    @Override
    public AppliedResource apply(ApplyRequest request) {
        JsonNode spec = request.desired();
        Target t = target(spec);
        // The labels before apply matter only when injection may turn on or off (costs one GET).
        Map<String, String> before = touchesInjection(spec, request) ? LiveLabels.of(kube.client().namespaces().withName(t.name()).get())
                : null;
        request.progress().note("server-side apply Namespace " + t.name() + " as " + manager(request.address()));
        Map<String, String> annotations = new TreeMap<>(Json.stringMap(spec.get(ANNOTATIONS)));
        annotations.putAll(request.mark());
        JsonNode applied = applyMinimal(request.address(), t, Json.stringMap(spec.get(LABELS)), annotations,
                Json.bool(spec, "force"));
        if (before != null) {
            afterApply(request.address(), t, before, applied, spec, request.context(), request.progress());
        }
        restartPending(request, t, applied);
        // Whether it was adopted is the engine's record (adopt: true, import), kept for the life of the entry.
        return new AppliedResource(spec.deepCopy(), metadata(applied, manager(request.address())));
    }

    private static Map<String, String> withAdopted(Map<String, String> metadata, boolean adopted) {
        if (adopted) {
            metadata.put(ADOPTED, "true");
        }
        return metadata;
    }


    private boolean touchesInjection(JsonNode spec, ApplyRequest request) {
        Set<String> keys = new java.util.HashSet<>(Json.stringMap(spec.get(LABELS)).keySet());
        if (request.recorded() != null) {
            keys.addAll(Json.stringMap(request.recorded().attributes().get(LABELS)).keySet());
        }
        return effects.concerns(keys);
    }

    /**
     * The one write of an import: this state's mark on the namespace, as this resource's field manager (the one its
     * reads check), nothing else ({@link LineageMark#write}).
     */
    @Override
    public void markImported(io.meshform.engine.spi.ApplyRequest request) {
        LineageMark.write(kube, kube.client().namespaces().withName(Json.text(request.desired(), "name")).get(),
                manager(request.address()), request.mark(), request.address().toString());
    }

    /** The release removes the declared labels and may restart workloads ({@link #release}): the plan says so. */
    @Override
    public java.util.Optional<String> releaseEffect(io.meshform.state.ResourceState recorded) {
        return InjectionRemoval.effect(effects, target(recorded.attributes()), recorded.attributes(), "the release");
    }

    /**
     * The workloads the release restarts (or whose pods keep their sidecar state), as a labels delete lists them: the
     * plan said only that the release "restarts each workload whose running pods keep the old sidecar state", and named
     * none. Judged as {@link #release} judges it ({@link #removalDetails}).
     */
    @Override
    public List<io.meshform.engine.spi.PlanDetail> releaseDetails(ResourceAddress address, io.meshform.state.ResourceState recorded,
                                                                io.meshform.engine.spi.LiveObject live, StackContext context,
                                                                List<String> warnings) {
        return removalDetails(address, recorded, live, context, warnings);
    }

    /** An adopted namespace stays: meshform removes only its labels, annotations and mark. */
    @Override
    public void release(DeleteRequest request) {
        String name = Json.text(request.recorded().attributes(), "name");
        Target t = target(request.recorded().attributes());
        Namespace live = kube.client().namespaces().withName(name).get();
        if (live == null || live.getMetadata().getDeletionTimestamp() != null) {
            request.progress().note("namespace " + name + (live == null ? " is gone" : " is being deleted since "
                    + live.getMetadata().getDeletionTimestamp()) + "; nothing to remove");
            return;
        }
        request.progress().note("namespace " + name + " was adopted: removing meshform's labels and annotations, keeping it");
        JsonNode applied = applyMinimal(request.address(), t, Map.of(), Map.of(), false);
        // The mark import wrote is no part of the apply above (a merge patch owns it): it goes on its own.
        LineageMark.remove(kube, kube.client().namespaces().withName(name).get());
        // A delete reads the injectors afresh (a context of its own): it is ordered before no install, so a read it
        // shared could precede an install of this apply that the other steps' restarts must see.
        afterApply(request.address(), t, LiveLabels.beforeRemoval(LiveLabels.of(live), request.recorded().attributes()), applied,
                request.recorded().attributes(), StackContext.detached(), request.progress());
    }

    @Override
    public void delete(DeleteRequest request) {
        String name = Json.text(request.recorded().attributes(), "name");
        try {
            List<io.fabric8.kubernetes.api.model.StatusDetails> gone = kube.client().namespaces().withName(name).delete();
            if (gone.isEmpty()) {
                request.progress().note("namespace " + name + " was already gone");
                return;
            }
            // A namespace stays, Terminating, until the namespace controller has deleted what it holds; a replacement's
            // apply meanwhile changes that namespace, which then vanishes.
            DeleteWait.untilGone(request.address().toString(), "Namespace " + name, DeleteWait.uidOf(gone),
                    () -> kube.client().namespaces().withName(name).get(), DELETE_TIMEOUT, request.progress());
            request.progress().note("namespace " + name + " deleted");
        } catch (KubernetesClientException e) {
            if (!KubeErrors.notFound(e)) {
                throw kube.explain(request.address().toString(), "delete", "Namespace " + name, e);
            }
        }
    }

    @Override
    public boolean importable() {
        return true;
    }

    /** The declared namespace only: adopting another would have the next destroy act on what the file never named. */
    @Override
    public Optional<AppliedResource> importExisting(String id, JsonNode declared) {
        String name = Json.text(declared, "name");
        if (name != null && !name.equals(id)) {
            throw KubeErrors.error("cannot import `" + id + "`: this resource declares Namespace " + name,
                    "import it as " + name + ", or change the name in the file first");
        }
        return importExisting(id);
    }

    /** A namespace is imported by its name. */
    @Override
    public Optional<String> importId(JsonNode recorded) {
        return Optional.ofNullable(Json.text(recorded, "name"));
    }

    /** Adopts an existing namespace by name, with its current labels and annotations (system keys left out). */
    @Override
    public Optional<AppliedResource> importExisting(String id) {
        Namespace ns = kube.client().namespaces().withName(id).get();
        if (ns == null) {
            return Optional.empty();
        }
        ObjectNode spec = Json.object().put("name", id);
        Map<String, String> labels = new TreeMap<>(ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels());
        labels.remove("kubernetes.io/metadata.name");
        if (!labels.isEmpty()) {
            spec.set(LABELS, Json.fromMap(labels));
        }
        Map<String, String> annotations = new TreeMap<>(ns.getMetadata().getAnnotations() == null ? Map.of()
                : ns.getMetadata().getAnnotations());
        for (String k : new TreeSet<>(annotations.keySet())) {
            if (k.startsWith("kubectl.kubernetes.io/") || k.startsWith("meshform.io/")) {
                annotations.remove(k);
            }
        }
        if (!annotations.isEmpty()) {
            spec.set(ANNOTATIONS, Json.fromMap(annotations));
        }
        return Optional.of(new AppliedResource(spec, withAdopted(metadata(ns, kube.fieldManager()), true)));
    }
}

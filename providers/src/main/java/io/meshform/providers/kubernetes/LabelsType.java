package io.meshform.providers.kubernetes;

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
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.StackContext;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * {@code kubernetes.labels}: {@code {kind: Namespace, apiVersion?, name, namespace?, labels, annotations?, force?,
 * restartWorkloads?, restartTimeoutSeconds?}}.
 * Owns just the declared labels (and annotations) of an object someone else created, e.g. {@code istio-injection}
 * on the Cortex namespaces. The object must exist: a server-side apply would otherwise create it. Destroying the
 * resource removes meshform's keys, never the object.
 */
public final class LabelsType extends MetadataMapsType {
    public static final String NAME = "kubernetes.labels";
    static final List<String> FIELDS = List.of("kind", "apiVersion", "name", "namespace", "labels", "annotations", "force",
            RESTART, RESTART_TIMEOUT);

    public LabelsType(KubeConnection kube) {
        this(kube, NamespaceLabelEffects.NONE);
    }

    public LabelsType(KubeConnection kube, NamespaceLabelEffects effects) {
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
        String kind = c.string(spec, "", "kind", false);
        String apiVersion = c.string(spec, "", "apiVersion", false);
        String name = c.string(spec, "", "name", true);
        String namespace = c.string(spec, "", "namespace", false);
        if (kind == null || kind.equals("Namespace")) {
            c.dnsLabel(name, "/name", "namespace name");
            if (namespace != null) {
                c.error("/namespace", "a Namespace has no namespace", "remove `namespace`");
            }
            if (apiVersion != null && !apiVersion.equals("v1")) {
                c.error("/apiVersion", "Namespace is apiVersion v1, not " + apiVersion);
            }
        } else {
            if (apiVersion == null) {
                // `kind: Namespce` is the default kind mistyped far more often than a kind without its apiVersion:
                // "apiVersion is required, e.g. apps/v1" sent the user to add one. Said at the kind, then.
                java.util.Optional<String> meant = io.meshform.engine.diag.Suggestions.closest(kind, List.of("Namespace"));
                if (meant.isPresent()) {
                    c.error("/kind", "unknown kind `" + kind + "` without an `apiVersion`", "did you mean `" + meant.get()
                            + "` (the default, which needs no apiVersion)? Any other kind needs its apiVersion, e.g. apps/v1"
                            + " for a Deployment");
                } else {
                    c.error("/apiVersion", "`apiVersion` is required for kind " + kind, "e.g. apps/v1 for a Deployment");
                }
            }
            c.dnsSubdomain(name, "/name", "name");
            c.dnsLabel(namespace, "/namespace", "namespace");
            if (Json.bool(spec, RESTART)) {
                c.error("/" + RESTART, "restartWorkloads applies only to the labels of a Namespace",
                        "sidecar injection is switched per namespace; remove restartWorkloads here");
            }
        }
        JsonNode labels = spec.get(LABELS);
        if (labels == null || labels.isNull()) {
            c.error("/labels", "missing required field `labels`", "list the labels meshform should own, e.g. istio-injection: enabled");
        } else {
            c.labelMap(spec, "", LABELS, true);
            effects.validate(labels, "/labels", c);
        }
        c.labelMap(spec, "", ANNOTATIONS, false);
        c.bool(spec, "", "force");
        RestartSettings.validate(c, spec);
        return c.problems();
    }

    @Override
    Target target(JsonNode spec) {
        String kind = Json.text(spec, "kind", "Namespace");
        String apiVersion = Json.text(spec, "apiVersion", kind.equals("Namespace") ? "v1" : null);
        return new Target(apiVersion, kind, kind.equals("Namespace") ? null : Json.text(spec, "namespace"), Json.text(spec, "name"));
    }

    /**
     * The namespace the labels are on (or in). Labels that other providers give a meaning (Istio's injection labels)
     * get their edges from those providers' dependency rules.
     */
    @Override
    public Set<ResourceAddress> implicitDependencies(ResourceDecl resource, Stack stack) {
        Target t = target(resource.spec());
        String ns = t.isNamespace() ? t.name() : t.namespace();
        Set<ResourceAddress> deps = new TreeSet<>();
        for (ResourceDecl d : stack.ofType(NamespaceType.NAME)) {
            if (ns != null && ns.equals(Json.text(d.spec(), "name"))) {
                deps.add(d.address());
            }
        }
        return deps;
    }

    @Override
    public PlannedChange plan(PlanRequest request) {
        Target t = target(request.desired());
        if (request.live() == null) {
            if (t.isNamespace() && declaresNamespace(request.context().stack(), t.name())) {
                return PlannedChange.of(Action.CREATE, "labels for " + t.describe() + ", which the stack creates first",
                        null, request.desired());
            }
            if (t.isNamespace()) {
                throw missing(request, "namespace " + t.name() + " does not exist; declare it with kubernetes.namespace"
                        + " or create it", "kubernetes.labels only labels existing objects (a server-side apply would create a bare one)");
            }
            throw missing(request, t.describe() + " does not exist; create it first",
                    "kubernetes.labels only labels existing objects");
        }
        return planExisting(request);
    }

    /**
     * An error at the resource's {@code name} in the stack file (file:line:col), so the planner reports it with every
     * other resource's errors at once rather than as the run's only failure.
     */
    private static io.meshform.engine.diag.DiagnosticsException missing(PlanRequest request, String summary, String detail) {
        io.meshform.engine.diag.SourceRange range = request.context().stack().find(request.address()).map(d -> {
            try {
                return d.source().range("/spec/name");
            } catch (RuntimeException e) {
                return null;
            }
        }).orElse(null);
        return new io.meshform.engine.diag.DiagnosticsException(io.meshform.engine.diag.Diagnostic.error(
                request.address() + ": " + summary, detail, range));
    }

    /** The stack creates the namespace with kubernetes.namespace (before the labels: see implicitDependencies). */
    private static boolean declaresNamespace(Stack stack, String namespace) {
        return stack.ofType(NamespaceType.NAME).stream().anyMatch(d -> namespace.equals(Json.text(d.spec(), "name")));
    }

    @Override
    public AppliedResource apply(ApplyRequest request) {
        JsonNode spec = request.desired();
        Target t = target(spec);
        HasMetadata live = requireExists(request.address(), t);
        request.progress().note("server-side apply labels of " + t.describe() + " as " + manager(request.address()));
        JsonNode applied = applyMinimal(request.address(), t, Json.stringMap(spec.get(LABELS)),
                Json.stringMap(spec.get(ANNOTATIONS)), Json.bool(spec, "force"));
        afterApply(request.address(), t, LiveLabels.of(live), applied, spec, request.context(), request.progress());
        restartPending(request, t, applied);
        return new AppliedResource(spec.deepCopy(), metadata(applied, manager(request.address())));
    }

    /** The delete removes injection labels and may restart workloads ({@link #delete}): the plan says so. */
    @Override
    public java.util.Optional<String> deleteEffect(io.meshform.state.ResourceState recorded) {
        return InjectionRemoval.effect(effects, target(recorded.attributes()), recorded.attributes(), "the delete");
    }

    /**
     * The workloads the delete restarts (or whose pods keep their sidecar state), as an update of the labels lists them:
     * the plan said only that the delete "restarts each workload whose running pods keep the old sidecar state", and
     * named none, also when it retried a delete cut short after removing the labels. Judged as {@link #delete} judges
     * it ({@link #removalDetails}).
     */
    @Override
    public List<io.meshform.engine.spi.PlanDetail> deleteDetails(ResourceAddress address, io.meshform.state.ResourceState recorded,
                                                               io.meshform.engine.spi.LiveObject live, StackContext context,
                                                               List<String> warnings) {
        return target(recorded.attributes()).isNamespace() ? removalDetails(address, recorded, live, context, warnings)
                : List.of();
    }

    /** Applies no labels: the server drops the keys only meshform owned. The object stays. */
    @Override
    public void delete(DeleteRequest request) {
        Target t = target(request.recorded().attributes());
        HasMetadata live;
        try {
            live = KubeObjects.get(kube.client(), t);
        } catch (KubernetesClientException e) {
            throw kube.explain(request.address().toString(), "read", t.describe(), e);
        }
        if (live == null || live.getMetadata().getDeletionTimestamp() != null) {
            request.progress().note(t.describe() + (live == null ? " is gone" : " is being deleted since "
                    + live.getMetadata().getDeletionTimestamp()) + "; nothing to remove");
            return;
        }
        request.progress().note("removing meshform's labels from " + t.describe());
        JsonNode applied = applyMinimal(request.address(), t, Map.of(), Map.of(), false);
        // Removing istio-injection turns injection off: restart as the recorded spec asked.
        // A delete reads the injectors afresh (a context of its own): it is ordered before no install, so a read it
        // shared could precede an install of this apply that the other steps' restarts must see.
        afterApply(request.address(), t, LiveLabels.beforeRemoval(LiveLabels.of(live), request.recorded().attributes()), applied,
                request.recorded().attributes(), StackContext.detached(), request.progress());
    }

    private HasMetadata requireExists(ResourceAddress address, Target t) {
        HasMetadata live;
        try {
            live = KubeObjects.get(kube.client(), t);
        } catch (KubernetesClientException e) {
            throw kube.explain(address.toString(), "read", t.describe(), e);
        }
        if (live == null) {
            throw KubeErrors.error(address + ": " + t.describe() + " does not exist",
                    "meshform will not create it just to label it; create it (kubernetes.namespace for a namespace) and plan again");
        }
        return live;
    }
}

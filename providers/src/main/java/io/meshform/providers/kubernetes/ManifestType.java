package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.load.InputFiles;
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
import io.meshform.engine.spi.ResourceType;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

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

    private final KubeConnection kube;
    private final ManifestChecks checks;
    private final ManifestSensitive sensitive;
    private final ServerSideApply ssa;
    private final DeclaredManifests manifests;
    private final ManifestReads reads;
    private final ManifestAdoption adoption;

    public ManifestType(KubeConnection kube) {
        this(kube, ObjectRules.NONE);
    }

    /** {@code rules}: checks of kinds other providers know (Istio's), run in validate like the built-in ones. */
    public ManifestType(KubeConnection kube, ObjectRules rules) {
        this.kube = kube;
        this.checks = new ManifestChecks(KnownKinds.builtIn(), rules);
        this.sensitive = new ManifestSensitive(rules);
        this.ssa = new ServerSideApply(kube);
        this.manifests = new DeclaredManifests(kube);
        this.reads = new ManifestReads(kube, manifests);
        this.adoption = new ManifestAdoption(kube, manifests);
    }

    /** The loader reads {@code file} into {@code manifest}: validated offline, bound to saved plans, masked. */
    @Override
    public Map<String, String> fileFields() {
        return Map.of("file", "manifest");
    }

    /** The declared object's group, version, kind, namespace and name. */
    @Override
    public Set<String> identityPaths() {
        return Set.of("/manifest/apiVersion", "/manifest/kind", "/manifest/metadata/namespace", "/manifest/metadata/name");
    }

    @Override
    public Set<String> sensitivePaths(JsonNode value) {
        return sensitive.paths(value);
    }

    @Override
    public Set<String> secretValuePaths(JsonNode value) {
        return sensitive.secretValuePaths(value);
    }

    /** A Secret is declared, digested and recorded as the API server stores it: stringData folded into data. */
    @Override
    public JsonNode normalise(JsonNode spec) {
        if (spec instanceof ObjectNode o && o.get("manifest") instanceof ObjectNode m && isSecret(m)) {
            SecretData.fold(m);
        }
        return spec;
    }

    static boolean isSecret(JsonNode m) {
        return ManifestSensitive.isSecret(m);
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
        if (inline) {
            checks.check(spec.get("manifest"), "/manifest", c);
        }
        if (file) {
            // The loader reads `file` into `manifest` before validating (fileFields); here only in library use.
            c.string(spec, "", "file", true);
        }
        ManifestWait.validate(spec.get("wait"), c);
        c.bool(spec, "", "force");
        return c.problems();
    }

    @Override
    public java.util.Optional<String> declaredObject(ResourceAddress address, JsonNode spec) {
        JsonNode m = spec.get("manifest");
        return m == null || !m.isObject() ? java.util.Optional.empty() : target(m).identity();
    }

    @Override
    public Set<ResourceAddress> implicitDependencies(ResourceDecl resource, Stack stack) {
        Set<ResourceAddress> deps = new TreeSet<>();
        JsonNode m = resource.spec().get("manifest");
        String ns = m == null ? null : Json.text(m.path("metadata"), "namespace");
        if (ns != null) {
            StackNamespaces.creators(stack, ns).stream().filter(a -> !a.equals(resource.address())).forEach(deps::add);
        }
        return deps;
    }

    /**
     * The object a {@code kubernetes.manifest} spec declares, for other providers' checks (Istio's validator and
     * analyzers read the Istio kinds among them), in the form plan and apply use. The loader has read a {@code file:}
     * into {@code manifest} already; a spec without one (library use) is refused rather than read here, outside the
     * stack's file rules.
     */
    public static ObjectNode object(ResourceAddress address, JsonNode spec) {
        JsonNode m = spec.get("manifest");
        if (m == null || m.isNull()) {
            throw new IllegalArgumentException(address + ": the spec holds no manifest");
        }
        return DeclaredManifests.normalized(m);
    }

    private static StackContext.Written written(Target t) {
        return new StackContext.Written(t.apiVersion(), t.kind(), t.namespace(), t.name());
    }

    static Target target(JsonNode obj) {
        JsonNode md = obj.path("metadata");
        return new Target(Json.text(obj, "apiVersion"), Json.text(obj, "kind"), Json.text(md, "namespace"), Json.text(md, "name"));
    }

    @Override
    public Map<ResourceAddress, LiveObject> read(ReadRequest request) {
        return reads.read(request);
    }

    /**
     * Answered by the run's LIST of namespaces when its read made one ({@link ListedNamespaces}), else asked once per
     * namespace and run: a plan asks about the same few namespaces once per object.
     */
    private boolean namespaceExists(StackContext context, String namespace) {
        return ListedNamespaces.of(context).exists(namespace).orElseGet(() -> context.memo(new NamespaceExists(namespace),
                () -> kube.client().namespaces().withName(namespace).get() != null));
    }

    /** The key of {@link #namespaceExists} in the run's memo. */
    private record NamespaceExists(String namespace) {
    }

    @Override
    public PlannedChange plan(PlanRequest request) {
        ObjectNode m = manifests.manifest(request.address(), request.desired(), request.context());
        Target t = target(m);
        ObjectNode after = Json.copy(request.desired());
        after.remove("file");
        after.set("manifest", m);
        List<String> warnings = new ArrayList<>();
        List<PlanDetail> details = new ArrayList<>();
        ObjectNode recorded = request.recorded() == null ? null
                : manifests.manifest(request.address(), request.recorded().attributes(), request.context());
        Target was = recorded == null ? t : target(recorded);
        boolean moved = !was.sameObject(t);  // then what is read where the manifest now puts it is not the one applied
        var deleting = moved || request.live() == null || recorded == null ? java.util.Optional.<BeingDeleted>empty()
                : request.live().data(BeingDeleted.class);
        if (deleting.isPresent()) {
            // Its fields may all match, yet it vanishes once nothing holds it (a destroy stopped while it waited).
            return deleting.get().replacement(t.describe(), request.live().value(), after);
        }
        if (!moved && request.live() != null && Json.paths(request.live().value().get("manifest"), m).isEmpty()) {
            // The live object already holds every declared field: no dry-run needed, so a no-op plan costs
            // no request per object (only the LIST that read() made per kind and namespace).
            return unlessWaitOwed(new PlannedChange(Action.NOOP, "the live object matches", request.live().value(), after,
                    details, warnings, Map.of()), request, t, m, recorded);
        }
        if (!moved && request.live() != null && isSecret(m)) {
            // A Secret's values are opaque bytes the server does not canonicalise, so no dry-run is needed to compare
            // them; drift compares digests here, which must never be sent to the server, or the applied values it knows
            // (the stack still gives them), for which it sends nothing either: the dry-run below serves only a plan's
            // warning, and drift runs with read-only rights. A plan still asks the server
            // (dry-run) whether the apply would conflict: without it, taking over a kubectl-made Secret (adopt: true)
            // planned as a plain update and failed at apply, where any other kind's plan warned of the conflict.
            if (SecretData.holdsValues(m) && !request.context().drift()) {
                try {
                    dryRun(request, t, m, warnings);
                } catch (KubernetesClientException e) {
                    throw explain(request.address(), request.context(), "dry-run apply", t, m, e);
                }
            }
            List<String> changed = Json.paths(request.live().value().get("manifest"), m);
            return new PlannedChange(Action.UPDATE, Json.changedReason("", changed), request.live().value(), after,
                    details, warnings, Map.of());
        }
        JsonNode dryRun = null;
        if (t.namespace() != null && !namespaceExists(request.context(), t.namespace())) {
            details.add(PlanDetail.note("server dry-run skipped: namespace " + t.namespace() + " does not exist yet"));
            var stack = request.context().stack();
            if (!stack.resources().isEmpty() && StackNamespaces.creators(stack, t.namespace()).isEmpty()) {
                // "does not exist yet" alone read as if the run would create it; a plain plan then failed at apply.
                warnings.add("namespace " + t.namespace() + " does not exist, and no kubernetes.namespace or Namespace manifest"
                        + " of this stack creates it: applying " + t.describe() + " fails unless another resource (e.g."
                        + " istio.install for its own namespace) or someone else creates it first");
            }
        } else {
            try {
                dryRun = dryRun(request, t, m, warnings);
            } catch (KubernetesClientException e) {
                if (ManifestReads.unknownKind(e) || (KubeErrors.code(e) == 404 && request.live() == null)) {
                    details.add(PlanDetail.note("server dry-run skipped: the cluster does not serve " + t.apiVersion() + " "
                            + t.kind() + " yet (its CRD may come from an earlier resource)"));
                } else {
                    throw explain(request.address(), request.context(), "dry-run apply", t, m, e);
                }
            }
        }
        if (moved) {
            // The object is read where the manifest now puts it; the one applied keeps its old identity. A create
            // would leave it in the cluster with this state's mark, unmanaged. The two are different objects, so
            // the new one is created first and the old deleted after: a create refused leaves the old in force. An
            // object already where the manifest now puts it is not the one applied either (made by hand, or by an
            // earlier move whose delete failed): the engine judges whose it is, the old one still goes.
            return new PlannedChange(Action.REPLACE, "kind, namespace or name changed: apply creates " + t.describe()
                    + ", then deletes " + was.describe(), request.recorded().attributes(), after, details, warnings,
                    Map.of()).createdBeforeDeleted();
        }
        if (request.live() == null) {
            return new PlannedChange(Action.CREATE, t.describe() + " does not exist", null, after, details, warnings, Map.of());
        }
        JsonNode before = request.live().value();
        JsonNode liveManifest = before.get("manifest");
        JsonNode wanted = dryRun != null ? Json.project(dryRun, m) : m;
        List<String> changed = Json.paths(liveManifest, wanted);
        if (changed.isEmpty()) {
            return unlessWaitOwed(new PlannedChange(Action.NOOP, "matches the server's dry-run", before, after, details,
                    warnings, Map.of()), request, t, m, recorded);
        }
        return new PlannedChange(Action.UPDATE, Json.changedReason("", changed), before, after, details, warnings, Map.of());
    }

    /**
     * {@code noop}, or an update whose apply finishes the wait no apply finished ({@link OwedWait}); marked as one that
     * only waits, so the plan says "will be waited for", not "updated in-place": nothing in the object changes.
     */
    private PlannedChange unlessWaitOwed(PlannedChange noop, PlanRequest request, Target t, ObjectNode m, ObjectNode recorded) {
        return OwedWait.reason(request, t, m, recorded, () -> {
            HasMetadata live = KubeObjects.get(kube.client(), t);
            return live == null ? null : Json.toNode(live);
        }).map(reason -> new PlannedChange(Action.UPDATE, reason, noop.before(), noop.after(), noop.details(),
                noop.warnings(), noop.privateData()).waitOnly()).orElse(noop);
    }

    /**
     * The server's dry-run of the apply: what it would store, or null when it reports a conflict (then a warning says
     * apply fails without force). Other errors are the caller's.
     */
    private JsonNode dryRun(PlanRequest request, Target t, ObjectNode m, List<String> warnings) {
        try {
            return Json.toNode(KubeObjects.apply(BuiltInKinds.resource(kube.client(), Json.toGeneric(m)), kube.fieldManager(),
                    Json.bool(request.desired(), "force"), true));
        } catch (KubernetesClientException e) {
            if (KubeErrors.code(e) != 409) {
                throw e;
            }
            warnings.add(scrub(m, KubeErrors.conflictWarning(e)));
            return null;
        }
    }

    @Override
    public AppliedResource apply(ApplyRequest request) {
        ObjectNode m = manifests.manifest(request.address(), request.desired(), request.context());
        Target t = target(m);
        request.progress().note("server-side apply " + t.describe() + " as " + kube.fieldManager());
        // The mark goes into what is applied, not into what plans compare: it is meshform's bookkeeping.
        ObjectNode marked = m.deepCopy();
        if (!request.mark().isEmpty()) {
            ObjectNode md = marked.get("metadata") instanceof ObjectNode o ? o : marked.putObject("metadata");
            ObjectNode annotations = md.get("annotations") instanceof ObjectNode a ? a : md.putObject("annotations");
            request.mark().forEach(annotations::put);
        }
        boolean force = Json.bool(request.desired(), "force");
        Map<String, String> meta;
        try {
            meta = ssa.resolves(marked)
                    ? ServerFields.recorded(ssa.apply(marked, kube.fieldManager(), force, false), kube.fieldManager())
                    : ServerFields.recorded(KubeObjects.apply(kube.client().resource(Json.toGeneric(marked)),
                            kube.fieldManager(), force, false), kube.fieldManager());
        } catch (KubernetesClientException e) {
            throw explain(request.address(), request.context(), "apply", t, m, e);
        }
        // answers of this run read from such objects (the injector webhooks) are read again by the steps after this one
        request.context().wrote(written(t));
        JsonNode wait = request.desired().get("wait");
        if (wait != null && wait.isObject()) {
            ManifestWait.of(wait).await(kube, request, t);
        }
        ObjectNode attributes = Json.copy(request.desired());
        attributes.set("manifest", m); // so a destroy works after the file is gone
        return new AppliedResource(attributes, meta);
    }

    /**
     * The API server's error, with a Secret's values taken out: a webhook or a decoding error may echo the object it
     * was sent, and the error reaches the terminal, CI logs and the apply report.
     */
    private io.meshform.engine.diag.DiagnosticsException explain(ResourceAddress address, StackContext context, String verb,
                                                                  Target t, ObjectNode m, KubernetesClientException e) {
        return ServerFieldRange.placed(sensitive.scrub(m, kube.explain(address.toString(), verb, t.describe(), e)), e,
                context, address);
    }

    private String scrub(ObjectNode m, String text) {
        return sensitive.scrub(m, text);
    }

    /** The recorded manifest (kept in the state so a destroy works without the file) names the object. */
    @Override
    public java.util.Optional<String> importId(JsonNode recorded) {
        return ManifestAdoption.importId(recorded);
    }

    @Override
    public boolean importable() {
        return true;
    }

    @Override
    public java.util.Optional<AppliedResource> importExisting(String id, JsonNode declared) {
        return adoption.importExisting(id, declared);
    }

    @Override
    public void markImported(io.meshform.engine.spi.ApplyRequest request) {
        adoption.markImported(request);
    }

    @Override
    public void release(DeleteRequest request) {
        adoption.release(request);
    }

    @Override
    public void delete(DeleteRequest request) {
        ObjectNode m = manifests.manifest(request.address(), request.recorded().attributes(), request.context());
        Target t = target(m);
        try {
            var op = BuiltInKinds.operation(kube.client(), t.apiVersion(), t.kind());
            List<io.fabric8.kubernetes.api.model.StatusDetails> gone = t.namespace() == null ? op.withName(t.name()).delete()
                    : op.inNamespace(t.namespace()).withName(t.name()).delete();
            request.context().wrote(written(t));
            if (gone.isEmpty()) {
                request.progress().note(t.describe() + " was already gone");
                return;
            }
            // An object with finalizers stays, being deleted, until they are removed; a replacement's apply would
            // change it, and it would then vanish.
            JsonNode wait = request.recorded().attributes().get("wait");
            DeleteWait.untilGone(request.address().toString(), t.describe(), DeleteWait.uidOf(gone),
                    () -> KubeObjects.get(kube.client(), t), java.time.Duration.ofSeconds(wait == null || wait.isNull()
                            ? ManifestWait.DEFAULT_SECONDS : ManifestWait.of(wait).seconds()), request.progress());
            request.progress().note(t.describe() + " deleted");
        } catch (KubernetesClientException e) {
            if (!KubeErrors.notFound(e)) {
                throw kube.explain(request.address().toString(), "delete", t.describe(), e);
            }
        }
    }
}

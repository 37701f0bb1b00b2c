package io.meshform.providers.istio;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.providers.istio.IstioAddons.Addon;
import io.meshform.providers.istio.IstioAddons.AddonObject;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.AppliedResource;
import io.meshform.engine.spi.ApplyRequest;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.ResourceType;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.KubeErrors;
import io.meshform.providers.kubernetes.KubeObjects;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import io.meshform.providers.kubernetes.ParallelLists;
import io.meshform.providers.kubernetes.injection.InjectionChanges.RestartSettings;
import io.meshform.providers.kubernetes.SpecChecker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code istio.install}: Istio installed by istioctl from an IstioOperator written from the spec
 * ({@code version, profile, revision?, hub?, tag?, components?, meshConfig?, values?, addons?, purge?}). The plan
 * renders the manifests ({@code istioctl manifest generate}), digests them and compares each rendered object with
 * the cluster; apply runs {@code istioctl install -y -f}.
 */
public final class IstioInstallType implements ResourceType {
    public static final String NAME = "istio.install";
    public static final String ISTIO_NAMESPACE = "istio-system";
    static final List<String> FIELDS = List.of("version", "profile", "revision", "hub", "tag", "components", "meshConfig",
            "values", "addons", "purge", "timeoutSeconds", ExtAuthzProviders.FIELD, "restartWorkloads",
            "restartTimeoutSeconds", "istioctl");
    static final List<String> PROFILES = List.of("default", "demo", "minimal", "empty", "remote", "preview", "ambient",
            "openshift", "openshift-ambient", "stable");
    static final List<String> ADDONS = List.of("kiali", "prometheus", "grafana", "tracing");
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private final KubeConnection kube;
    private final Istioctl defaultIstioctl;
    /** Per binary path: the istioctl a spec names for itself (a canary of another release). */
    private final Map<String, Istioctl> ownIstioctls = new ConcurrentHashMap<>();
    private final IstioAddons addons;
    /** Directory of the stack file per resource, learnt when the graph is built; addons.manifests resolves against it. */
    private final Map<ResourceAddress, Path> baseDirs = new ConcurrentHashMap<>();

    public IstioInstallType(KubeConnection kube, Istioctl istioctl) {
        this.kube = kube;
        this.defaultIstioctl = istioctl;
        this.addons = new IstioAddons(kube, this::listByName);
    }

    @Override
    public Set<ResourceAddress> implicitDependencies(ResourceDecl resource, Stack stack) {
        if (stack.file() != null && stack.file().toAbsolutePath().getParent() != null) {
            baseDirs.put(resource.address(), stack.file().toAbsolutePath().getParent());
        }
        return Set.of();
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
        JsonNode version = spec.get("version");
        if (version == null || version.isNull()) {
            c.error("/version", "missing required field `version`", "the Istio version istioctl must have, e.g. version: \"1.28\"");
        } else if (version.isNumber()) {
            c.error("/version", "version must be a string, quote it",
                    "YAML reads " + version + " as a number (1.30 would become 1.3); write version: \"" + version + "\"");
        } else if (!version.isString() || !version.asString().matches("\\d+\\.\\d+(\\.\\d+)?(-[0-9A-Za-z.-]+)?")) {
            c.error("/version", "version must look like \"1.28\" or \"1.28.5\"", "found " + SpecChecker.describe(version));
        }
        c.oneOf(spec, "", "profile", false, PROFILES);
        c.dnsLabel(c.string(spec, "", "revision", false), "/revision", "revision");
        c.string(spec, "", "hub", false);
        c.string(spec, "", "tag", false);
        for (String m : List.of("components", "meshConfig", "values")) {
            if (spec.has(m) && !spec.get(m).isNull()) {
                c.object(spec.get(m), "/" + m, "`" + m + "`");
            }
        }
        JsonNode addons = spec.get("addons");
        if (addons != null && !addons.isNull() && c.object(addons, "/addons", "`addons`")) {
            List<String> keys = new ArrayList<>(ADDONS);
            keys.add("manifests");
            c.knownKeys(addons, "/addons", "addons", keys);
            for (String a : ADDONS) {
                c.bool(addons, "/addons", a);
            }
            String dir = c.string(addons, "/addons", "manifests", false);
            for (String a : List.of("kiali", "prometheus", "grafana")) {
                if (dir == null && Json.bool(addons, a)) {
                    c.error("/addons/" + a, "addons." + a + " is on, but istioctl does not install " + a
                                    + " and `addons.manifests` is not set",
                            "set addons.manifests to a directory holding Istio's sample addons (samples/addons of the"
                                    + " Istio release: " + a + ".yaml), or turn " + a + " off");
                }
            }
        }
        ExtAuthzProviders.validate(c, spec);
        if (Boolean.TRUE.equals(c.bool(spec, "", "purge"))) {
            c.warning("/purge", "purge: true makes destroy delete all Istio CRDs and every Istio policy in the cluster"
                            + " (istioctl uninstall --purge), including policies and control planes meshform does not manage",
                    "keep purge off unless Istio is leaving the cluster for good; without it destroy removes only this revision");
        }
        JsonNode timeout = spec.get("timeoutSeconds");
        if (timeout != null && !timeout.isNull() && (!timeout.isIntegralNumber() || timeout.intValue() < 1)) {
            c.error("/timeoutSeconds", "timeoutSeconds must be a positive whole number");
        }
        RestartSettings.validate(c, spec);
        String own = c.string(spec, "", "istioctl", false);
        if (own != null && !own.isBlank() && !allowedToRun(ownProgram(own, null))) {
            // Known without a cluster, so validate says it, not only plan.
            c.error("/istioctl", "the stack names its own istioctl (" + own + "), and meshform runs a program a stack names"
                    + " only when the command line allows it", "pass --allow-stack-istioctl, or name the same program with"
                    + " --istioctl " + ownProgram(own, null) + "; or remove `istioctl` to use the istioctl of --istioctl,"
                    + " MESHFORM_ISTIOCTL or PATH");
        }
        if (addons != null && !addons.isNull() && c.ok() && kube.files().base() != null) {
            // The addon files are the stack's too: inside its root, readable, Kubernetes objects, checked offline
            // (when the settings say where the stack lives; a type driven by hand has no stack).
            try {
                IstioAddons.load(ResourceAddress.parse(NAME + ".addons"), spec, kube.files(), null);
            } catch (io.meshform.engine.diag.DiagnosticsException e) {
                c.error("/addons/manifests", e.diagnostics().get(0).summary().replace(NAME + ".addons: ", ""),
                        e.diagnostics().get(0).detail());
            }
        }
        return c.problems();
    }

    /** The IstioOperator meshctl hands to istioctl; addons.tracing becomes meshConfig.enableTracing. */
    static ObjectNode istioOperator(JsonNode spec) {
        ObjectNode iop = Json.object();
        iop.put("apiVersion", "install.istio.io/v1alpha1");
        iop.put("kind", "IstioOperator");
        ObjectNode s = iop.putObject("spec");
        s.put("profile", Json.text(spec, "profile", "default"));
        for (String f : List.of("revision", "hub", "tag")) {
            if (Json.text(spec, f) != null) {
                s.put(f, Json.text(spec, f));
            }
        }
        if (spec.has("components")) {
            s.set("components", spec.get("components").deepCopy());
        }
        ObjectNode mesh = spec.has("meshConfig") && spec.get("meshConfig").isObject()
                ? (ObjectNode) spec.get("meshConfig").deepCopy() : Json.object();
        JsonNode addons = spec.get("addons");
        if (addons != null && addons.has("tracing") && !mesh.has("enableTracing")) {
            mesh.put("enableTracing", Json.bool(addons, "tracing"));
        }
        if (spec.path(ExtAuthzProviders.FIELD).isArray() && !spec.path(ExtAuthzProviders.FIELD).isEmpty()) {
            tools.jackson.databind.node.ArrayNode providers = mesh.path("extensionProviders").isArray()
                    ? (tools.jackson.databind.node.ArrayNode) mesh.get("extensionProviders") : mesh.putArray("extensionProviders");
            providers.addAll(ExtAuthzProviders.extensionProviders(spec));
        }
        if (!mesh.isEmpty()) {
            s.set("meshConfig", mesh);
        }
        if (spec.has("values")) {
            s.set("values", spec.get("values").deepCopy());
        }
        return iop;
    }

    private Path writeOperator(JsonNode spec) {
        try {
            Path file = Files.createTempFile("meshform-iop-", ".yaml",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, YAML.writeValueAsString(istioOperator(spec)));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the IstioOperator file", e);
        }
    }

    /**
     * The istioctl for this install: the spec's own {@code istioctl} path (relative to the stack file) when it names
     * one, so a canary revision of the next release can sit in the same stack as the running one; else the provider's
     * (--istioctl, MESHFORM_ISTIOCTL, PATH).
     */
    Istioctl istioctl(ResourceAddress address, JsonNode spec) {
        String own = Json.text(spec, "istioctl");
        if (own == null || own.isBlank()) {
            return defaultIstioctl;
        }
        Path program = ownProgram(own, baseDirs.get(address));
        if (!allowedToRun(program)) {
            throw KubeErrors.error(address + ": the stack names its own istioctl (" + own + "), and meshform runs a program"
                            + " a stack names only when the command line allows it",
                    "whoever can edit the stack could otherwise run any program in the pipeline that plans it. If you trust"
                            + " this stack's istioctl, pass --allow-stack-istioctl, or name the same program with --istioctl "
                            + program + "; or remove `istioctl` from the spec to use the istioctl of --istioctl,"
                            + " MESHFORM_ISTIOCTL or PATH");
        }
        return ownIstioctls.computeIfAbsent(program.toString(), path -> defaultIstioctl.withBinary(path, "the istioctl field of " + address));
    }

    /** The program an install's {@code istioctl} names: relative to the stack file. */
    private Path ownProgram(String own, Path learnt) {
        Path p = Path.of(own);
        Path base = kube.files().base() != null ? kube.files().base() : learnt;
        if (!p.isAbsolute() && base != null) {
            p = base.resolve(p);
        }
        return p.toAbsolutePath().normalize();
    }

    /** --allow-stack-istioctl, or the program is the one the user named with --istioctl (or MESHFORM_ISTIOCTL). */
    private boolean allowedToRun(Path program) {
        if (kube.settings().get("allowStackIstioctl").map("true"::equals).orElse(false)) {
            return true;
        }
        String chosen = kube.settings().get("istioctl").orElse(null);
        if (chosen == null) {
            return false;
        }
        try {
            return Files.isSameFile(Path.of(chosen).toAbsolutePath(), program);
        } catch (IOException e) {
            return Path.of(chosen).toAbsolutePath().normalize().equals(program);
        }
    }

    private void checkVersion(ResourceAddress address, JsonNode spec) {
        String wanted = Json.text(spec, "version");
        Istioctl istioctl = istioctl(address, spec);
        String found = istioctl.version();
        if (!Istioctl.versionMatches(found, wanted)) {
            throw KubeErrors.error(address + ": istioctl is version " + found + ", the stack wants " + wanted,
                    "found istioctl " + found + " at " + istioctl.binary() + "; wanted " + wanted
                            + ". Point --istioctl (or MESHFORM_ISTIOCTL, or this install's `istioctl` field) at istioctl "
                            + wanted + ", or change `version`");
        }
    }

    /**
     * What validate can learn from istioctl without a cluster (its version, {@code manifest generate} of the spec), so a
     * stack that passes validate fails plan only for reasons that need the cluster. Runs only an istioctl the command
     * line chose or allowed; one that cannot be run is a warning here (plan needs it, and says so).
     */
    List<io.meshform.engine.diag.Diagnostic> checkOffline(ResourceDecl decl) {
        JsonNode spec = decl.spec();
        String own = Json.text(spec, "istioctl");
        if (own != null && !own.isBlank() && !allowedToRun(ownProgram(own, null))) {
            return List.of();  // validate() already refused it
        }
        Istioctl istioctl = istioctl(decl.address(), spec);
        try {
            istioctl.version();
        } catch (io.meshform.engine.diag.DiagnosticsException e) {
            return List.of(io.meshform.engine.diag.Diagnostic.warning(decl.address() + ": " + e.diagnostics().get(0).summary(),
                    "validate could not check the install's istioctl version and render; plan will need istioctl",
                    decl.source().range("/spec")));
        }
        try {
            checkVersion(decl.address(), spec);
            render(decl.address(), spec);
            return List.of();
        } catch (io.meshform.engine.diag.DiagnosticsException e) {
            var d = e.diagnostics().get(0);
            return List.of(io.meshform.engine.diag.Diagnostic.error(d.summary(), d.detail(), decl.source().range("/spec/version")));
        }
    }

    /** The rendered manifests (one JSON tree per object) and their digest. */
    record Render(List<JsonNode> objects, String digest) {
    }

    Render render(ResourceAddress address, JsonNode spec) {
        Path file = writeOperator(spec);
        try {
            Istioctl.Result r = istioctl(address, spec).run(List.of("manifest", "generate", "-f", file.toString()), Duration.ofMinutes(2),
                    ProgressSink.NONE, false);
            if (r.exit() != 0) {
                throw KubeErrors.error(address + ": istioctl manifest generate failed (exit " + r.exit() + ")", r.tail(15));
            }
            return parseRender(r.out());
        } finally {
            deleteQuietly(file);
        }
    }

    static Render parseRender(String yaml) {
        List<JsonNode> objects = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && doc.isObject() && doc.has("kind")) {
                    objects.add(doc);
                }
            }
        }
        List<String> canonical = objects.stream().map(o -> Json.canonical(o).toString()).sorted().toList();
        objects.sort(Comparator.comparing(IstioInstallType::describe));
        return new Render(objects, "sha256:" + Json.sha256(String.join("\n", canonical)));
    }

    static String describe(JsonNode obj) {
        JsonNode md = obj.path("metadata");
        String ns = Json.text(md, "namespace");
        return Json.text(obj, "kind") + " " + (ns == null ? "" : ns + "/") + Json.text(md, "name");
    }

    /** The istiod Deployment of the revision: one LIST of istiod Deployments in istio-system for all installs. */
    @Override
    public Map<ResourceAddress, LiveObject> read(List<ResourceRef> resources) {
        List<Deployment> istiods;
        try {
            istiods = kube.client().apps().deployments().inNamespace(ISTIO_NAMESPACE).withLabel("app", "istiod").list().getItems();
        } catch (KubernetesClientException e) {
            if (KubeErrors.notFound(e)) {
                return Map.of();
            }
            throw kube.explain(NAME, "list", "istiod Deployments in " + ISTIO_NAMESPACE, e);
        }
        Map<ResourceAddress, LiveObject> out = new LinkedHashMap<>();
        for (ResourceRef ref : resources) {
            String want = istiodName(ref.spec());
            for (Deployment d : istiods) {
                // A terminating istiod (an uninstall under way) is no install to compare with.
                if (d.getMetadata().getName().equals(want) && d.getMetadata().getDeletionTimestamp() == null) {
                    ObjectNode value = Json.copy(ref.spec());
                    String v = liveVersion(d);
                    if (v != null) {
                        value.put("version", v);
                    }
                    out.put(ref.address(), new LiveObject(value, d.getMetadata().getResourceVersion(),
                            io.meshform.providers.kubernetes.LineageMark.of(d, kube.fieldManager(),
                                    "Istio control plane " + ISTIO_NAMESPACE + "/" + want, null)));
                }
            }
        }
        return out;
    }

    static String istiodName(JsonNode spec) {
        String rev = Json.text(spec, "revision");
        return rev == null || rev.isBlank() || rev.equals("default") ? "istiod" : "istiod-" + rev;
    }

    static String liveVersion(Deployment d) {
        Map<String, String> labels = d.getMetadata().getLabels() == null ? Map.of() : d.getMetadata().getLabels();
        for (String k : List.of("operator.istio.io/version", "app.kubernetes.io/version")) {
            if (labels.containsKey(k)) {
                return labels.get(k);
            }
        }
        var containers = d.getSpec().getTemplate().getSpec().getContainers();
        if (!containers.isEmpty() && containers.get(0).getImage() != null) {
            String image = containers.get(0).getImage();
            int colon = image.lastIndexOf(':');
            return colon > 0 ? image.substring(colon + 1) : null;
        }
        return null;
    }

    /**
     * Fails when the cluster's Kubernetes is older than the Istio release supports, warns when it is newer than
     * tested. One request ({@code GET /version}); a server that refuses it gets a warning, not a failure.
     */
    void checkKubernetes(ResourceAddress address, JsonNode spec, List<String> warnings) {
        String istio = Json.text(spec, "version");
        VersionInfo server;
        try {
            server = kube.client().getKubernetesVersion();
        } catch (KubernetesClientException e) {
            if (!KubeErrors.answered(e)) {
                throw kube.explain(address.toString(), "read", "the Kubernetes version", e);
            }
            warnings.add("could not read the Kubernetes version (" + KubeErrors.serverSays(e)
                    + "); the check against Istio " + istio + "'s supported range was skipped");
            return;
        }
        KubernetesSupport.Verdict v = KubernetesSupport.judge(istio, server.getMajor(), server.getMinor());
        if (v.error() != null) {
            throw KubeErrors.error(address + ": " + v.error(),
                    "upgrade the cluster first, or choose an Istio release that supports it (`version` in the spec);"
                            + " see https://istio.io/latest/docs/releases/supported-releases/");
        }
        if (v.warning() != null) {
            warnings.add(v.warning());
        }
    }

    @Override
    public PlannedChange plan(PlanRequest request) {
        JsonNode desired = request.desired();
        checkVersion(request.address(), desired);
        List<String> warnings = new ArrayList<>();
        checkKubernetes(request.address(), desired, warnings);
        Render render = render(request.address(), desired);
        List<String> details = new ArrayList<>(compare(render.objects(), Json.text(desired, "revision", "default"),
                istioctl(request.address(), desired).version()));
        Map<Addon, List<ObjectNode>> wanted = IstioAddons.load(request.address(), desired, kube.files(), baseDirs.get(request.address()));
        details.addAll(addonDetails(desired, wanted, request.recorded() == null ? Map.of() : request.recorded().metadata()));
        Map<String, String> priv = Map.of("renderDigest", digest(render, wanted), ISTIO_DIGEST, render.digest(),
                "istioctlVersion", istioctl(request.address(), desired).version());
        warnings.addAll(addonWarnings(desired));
        if (request.live() != null) {
            String running = Json.text(request.live().value(), "version");
            warnings.addAll(upgradePath(running, Json.text(desired, "version")));
            if (!IstioRelease.sameMinor(running, Json.text(desired, "version"))) {
                List<String> lagging = ProxySkew.planDetails(ProxySkew.injectedPods(kube), Json.text(desired, "revision", "default"),
                        Json.text(desired, "version"));
                details.addAll(lagging);
                if (!lagging.isEmpty() && RestartSettings.of(desired).enabled()) {
                    details.add("restartWorkloads: after the install, apply restarts the workloads whose sidecar is not the"
                            + " new proxy, one at a time, waiting for each rollout");
                }
            }
        }
        JsonNode before = request.recorded() != null ? request.recorded().attributes() : null;
        if (before != null && request.live() != null) {
            ((ObjectNode) before).set("version", request.live().value().get("version"));
        } else if (request.live() != null) {
            before = request.live().value();
        }
        if (request.live() == null) {
            return new PlannedChange(Action.CREATE, istiodName(desired) + " is not installed in " + ISTIO_NAMESPACE,
                    null, desired, details, warnings, priv);
        }
        // Only an apply rewrites the CRDs: a no-op plan of the older revision during a canary has nothing to warn of.
        List<String> updateWarnings = new ArrayList<>(warnings);
        if (details.stream().anyMatch(d -> d.startsWith(NEWER_CRDS))) {
            updateWarnings.add("a newer revision's CRDs are installed: applying this install makes istioctl write this"
                    + " release's CRDs over them; apply the newer revision afterwards, or retire this one");
        }
        String recordedDigest = request.recorded() == null ? null : request.recorded().metadata().get("renderDigest");
        long drifted = details.stream().filter(d -> d.startsWith("+ ") || d.startsWith("~ ") || d.startsWith("- ")).count();
        if (recordedDigest != null && !recordedDigest.equals(priv.get("renderDigest"))) {
            return new PlannedChange(Action.UPDATE, whatChanged(request.recorded().metadata(), render, wanted)
                    + (drifted > 0 ? "; " + drifted + " object(s) differ from the cluster" : ""),
                    before, desired, details, updateWarnings, priv);
        }
        if (drifted > 0) {
            return new PlannedChange(Action.UPDATE, drifted + " rendered object(s) missing or different in the cluster",
                    before, desired, details, updateWarnings, priv);
        }
        if (recordedDigest == null && request.recorded() == null) {
            // Installed but not recorded (the engine decides whether it may be taken over): apply runs the install again,
            // which changes nothing in the cluster, to record its digests.
            return new PlannedChange(Action.UPDATE, "the install matches the render but is not recorded in state",
                    before, desired, details, updateWarnings, priv);
        }
        return new PlannedChange(Action.NOOP, "the cluster matches the rendered manifests", before, desired, List.of(),
                warnings, priv);
    }

    static List<String> addonWarnings(JsonNode spec) {
        if (Json.bool(spec.get("addons"), "tracing") && IstioAddons.manifestsDir(spec) == null) {
            return List.of("addons.tracing turns on meshConfig.enableTracing only: no tracing backend is applied"
                    + " (set addons.manifests to apply Istio's jaeger.yaml, or run your own Zipkin-compatible collector)");
        }
        return List.of();
    }

    /**
     * Istio supports in-place upgrades one minor release at a time and downgrades one back; anything else works
     * on paper and breaks proxies. Warnings, so --strict refuses them; a canary revision is the way round.
     */
    static List<String> upgradePath(String running, String wanted) {
        var r = IstioRelease.parse(running);
        var w = IstioRelease.parse(wanted);
        if (r.isEmpty() || w.isEmpty() || r.get().major() != w.get().major()) {
            return List.of();
        }
        int from = r.get().minor();
        int to = w.get().minor();
        String canary = "; install " + wanted + " beside it as a canary (`revision`) and move namespaces over instead";
        if (to > from + 1) {
            return List.of("in-place upgrade from " + running + " to " + wanted + " skips " + (to - from - 1)
                    + " minor release(s); Istio supports in-place upgrades one minor release at a time: upgrade through "
                    + r.get().major() + "." + (from + 1) + " first" + canary);
        }
        if (to < from) {
            return List.of("in-place downgrade from " + running + " to " + wanted + (to < from - 1
                    ? ": Istio supports downgrading only one minor release back" + canary
                    : ": Istio supports it only back to the release you upgraded from; CRDs of " + running + " stay installed"));
        }
        return List.of();
    }

    /** The digest of istioctl's render alone, recorded beside the combined one so a plan can say which part changed. */
    static final String ISTIO_DIGEST = "istioDigest";

    static final String ADDONS_DIGEST = "addonsDigest";

    /**
     * "rendered manifests changed", "addons changed", or both, from the digests recorded at the last apply (a state
     * from before these were recorded counts as a render change).
     */
    static String whatChanged(Map<String, String> recorded, Render render, Map<Addon, List<ObjectNode>> wanted) {
        String istio = recorded.get(ISTIO_DIGEST);
        boolean renderChanged = istio == null || !istio.equals(render.digest());
        boolean addonsChanged = istio != null && !recorded.getOrDefault(ADDONS_DIGEST, "").equals(addonsDigest(wanted));
        return renderChanged && addonsChanged ? "rendered manifests and addons changed"
                : addonsChanged ? "addons changed" : "rendered manifests changed";
    }

    static String addonsDigest(Map<Addon, List<ObjectNode>> wanted) {
        return wanted.isEmpty() ? "" : IstioAddons.digest(wanted);
    }

    /** The render digest, with the addon objects folded in when there are any (so a changed sample file plans an update). */
    static String digest(Render render, Map<Addon, List<ObjectNode>> wanted) {
        return wanted.isEmpty() ? render.digest() : "sha256:" + Json.sha256(render.digest() + "\n" + IstioAddons.digest(wanted));
    }

    /**
     * "+ Deployment istio-system/kiali [addon kiali]" for addon objects to create or update, and
     * "- ... [addon kiali is off]" for the objects of an addon switched off (or recorded and no longer wanted).
     */
    private List<String> addonDetails(JsonNode spec, Map<Addon, List<ObjectNode>> wanted, Map<String, String> recordedMeta) {
        List<String> out = new ArrayList<>();
        wanted.forEach((a, objects) -> compare(List.copyOf(objects)).forEach(line -> out.add(line + " [addon " + a.key + "]")));
        List<AddonObject> removals = new ArrayList<>(removals(spec, wanted, recordedMeta));
        removals.sort(Comparator.comparing(o -> Addon.of(o.addon())));  // one addon's objects together
        for (AddonObject o : removals) {
            boolean off = IstioAddons.off(spec).contains(Addon.of(o.addon()));
            out.add("- " + o.describe() + " [addon " + o.addon() + (off ? " is off" : ": no longer in the addon manifests") + "]");
        }
        return out;
    }

    private List<AddonObject> removals(JsonNode spec, Map<Addon, List<ObjectNode>> wanted, Map<String, String> recordedMeta) {
        List<AddonObject> recorded = IstioAddons.recorded(recordedMeta);
        List<AddonObject> candidates = IstioAddons.candidates(spec, recorded, wanted);
        if (candidates.isEmpty()) {
            return List.of();
        }
        Set<Target> recordedTargets = new java.util.HashSet<>();
        recorded.forEach(r -> recordedTargets.add(r.target()));
        return addons.present(candidates, recordedTargets);
    }

    /** Kinds istioctl installs per component in istio-system, listed even when the render has none left of a kind. */
    static final List<Target> COMPONENT_KINDS = List.of(
            new Target("apps/v1", "Deployment", ISTIO_NAMESPACE, null), new Target("v1", "Service", ISTIO_NAMESPACE, null),
            new Target("v1", "ServiceAccount", ISTIO_NAMESPACE, null), new Target("v1", "ConfigMap", ISTIO_NAMESPACE, null),
            new Target("autoscaling/v2", "HorizontalPodAutoscaler", ISTIO_NAMESPACE, null),
            new Target("policy/v1", "PodDisruptionBudget", ISTIO_NAMESPACE, null),
            new Target("rbac.authorization.k8s.io/v1", "Role", ISTIO_NAMESPACE, null),
            new Target("rbac.authorization.k8s.io/v1", "RoleBinding", ISTIO_NAMESPACE, null));
    static final String COMPONENT_LABEL = "operator.istio.io/component";

    /** Lines for objects only (addons): missing or different. */
    List<String> compare(List<JsonNode> rendered) {
        return compare(rendered, null, null);
    }

    /**
     * One line per rendered object that is missing ("+ Deployment istio-system/istiod") or differs ("~ ... (paths)"),
     * from one LIST per kind and namespace (four at a time). Given the revision, also one line per live object of that
     * revision's Istio components that the render no longer has ("- Deployment istio-system/istio-egressgateway"):
     * istioctl install prunes those. Webhook caBundle/failurePolicy and replicas are ignored.
     */
    List<String> compare(List<JsonNode> rendered, String revision, String release) {
        Map<Target, List<JsonNode>> groups = new LinkedHashMap<>();
        for (JsonNode o : rendered) {
            String ns = Json.text(o.path("metadata"), "namespace");
            groups.computeIfAbsent(new Target(Json.text(o, "apiVersion"), Json.text(o, "kind"), ns, null),
                    k -> new ArrayList<>()).add(o);
        }
        if (revision != null) {
            COMPONENT_KINDS.forEach(k -> groups.putIfAbsent(k, new ArrayList<>()));
        }
        Map<Target, Map<String, HasMetadata>> listed = ParallelLists.each(groups.keySet(), this::listByName);
        List<String> details = new ArrayList<>();
        java.util.TreeSet<String> newerShared = new java.util.TreeSet<>();
        for (Map.Entry<Target, List<JsonNode>> g : groups.entrySet()) {
            Map<String, HasMetadata> live = listed.get(g.getKey());
            Set<String> renderedNames = new java.util.HashSet<>();
            for (JsonNode want : g.getValue()) {
                renderedNames.add(Json.text(want.path("metadata"), "name"));
                HasMetadata have = live.get(Json.text(want.path("metadata"), "name"));
                if (have == null) {
                    details.add("+ " + describe(want));
                    continue;
                }
                String newer = newerRelease(have, want, release);
                if (newer != null && "CustomResourceDefinition".equals(Json.text(want, "kind"))) {
                    // CRDs are shared by all revisions; a canary of a newer release installs its own, which serve the
                    // older control plane too. They are not drift of this (older) install.
                    newerShared.add(newer);
                    continue;
                }
                JsonNode liveObj = ignored(Json.toNode(have));
                JsonNode wantObj = withoutZeroesMissingIn(ignored(want), liveObj);
                List<String> paths = summarize(Json.paths(Json.project(liveObj, wantObj), wantObj));
                if ("ConfigMap".equals(Json.text(want, "kind"))) {
                    paths = insideConfig(paths, liveObj.path("data"), wantObj.path("data"));
                }
                if (!paths.isEmpty()) {
                    details.add("~ " + describe(want) + " (" + String.join(", ", paths.subList(0, Math.min(3, paths.size())))
                            + (paths.size() > 3 ? ", ..." : "") + ")");
                }
            }
            if (revision != null) {
                new TreeMap<>(live).forEach((name, o) -> {
                    if (!renderedNames.contains(name) && prunable(o, revision)) {
                        details.add("- " + new Target(g.getKey().apiVersion(), g.getKey().kind(), KubeObjects.namespaceOf(o), name)
                                .describe() + " (component " + o.getMetadata().getLabels().get(COMPONENT_LABEL) + ")");
                    }
                });
            }
        }
        if (!newerShared.isEmpty()) {
            details.add(NEWER_CRDS + String.join(", ", newerShared) + " (a newer revision installed them; they serve this one too)");
        }
        return details;
    }

    /** A detail line, not drift: the shared CRDs come from a newer release than this install renders. */
    static final String NEWER_CRDS = "  CRDs kept at Istio ";
    static final String VERSION_LABEL = "operator.istio.io/version";

    /**
     * The live object's Istio release when it is newer than the rendered one's: istioctl install labels what it
     * writes with its version; {@code manifest generate} may not, so the rendering istioctl's version stands in.
     */
    static String newerRelease(HasMetadata have, JsonNode want, String release) {
        String live = have.getMetadata().getLabels() == null ? null : have.getMetadata().getLabels().get(VERSION_LABEL);
        String rendered = Json.text(want.path("metadata").path("labels"), VERSION_LABEL, release);
        return live != null && rendered != null && IstioRelease.compare(live, rendered) > 0 ? live : null;
    }

    private Map<String, HasMetadata> listByName(Target collection) {
        Map<String, HasMetadata> live = new HashMap<>();
        try {
            KubeObjects.list(kube.client(), collection).forEach(o -> live.put(KubeObjects.nameOf(o), o));
        } catch (KubernetesClientException e) {
            if (!KubeErrors.notFound(e) && KubeErrors.answered(e)) {
                throw kube.explain(NAME, "list", collection.kind() + " objects", e);
            }
            // unknown kind (CRD not installed yet) or namespace absent: all missing
        } catch (RuntimeException e) {
            // discovery could not resolve the kind: all missing
        }
        return live;
    }

    /**
     * An object istioctl installed for this revision's components and would prune: it carries the component label and
     * the revision, and not the mark istioctl puts on what it keeps across installs (the revision-tag webhook).
     */
    static boolean prunable(HasMetadata o, String revision) {
        Map<String, String> labels = o.getMetadata().getLabels();
        return labels != null && labels.containsKey(COMPONENT_LABEL) && revision.equals(labels.get("istio.io/rev"))
                && !"true".equals(labels.get("install.operator.istio.io/owning-resource-not-pruned"));
    }

    /**
     * Istio keeps its mesh config and values as YAML (or JSON) text in ConfigMaps; "data.mesh" would hide which
     * setting changed, so a changed text that parses on both sides is diffed inside: "mesh.enableTracing".
     */
    static List<String> insideConfig(List<String> paths, JsonNode liveData, JsonNode wantData) {
        List<String> out = new ArrayList<>();
        for (String p : paths) {
            String key = p.startsWith("data.") ? p.substring("data.".length()) : null;
            JsonNode before = key == null ? null : parseConfig(liveData.path(key));
            JsonNode after = key == null ? null : parseConfig(wantData.path(key));
            if (before == null || after == null) {
                out.add(p);
                continue;
            }
            for (String inner : Json.paths(before, after)) {
                String shown = key + "." + inner;
                if (!out.contains(shown)) {
                    out.add(shown);
                }
            }
        }
        return out;
    }

    private static JsonNode parseConfig(JsonNode text) {
        if (text == null || !text.isString()) {
            return null;
        }
        try {
            JsonNode tree = YAML.readTree(text.asString());
            return tree != null && tree.isObject() ? tree : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * A CRD schema change lists hundreds of characters per field; "spec.versions[0].schema" says enough to a reviewer,
     * who reads the CRD itself for detail.
     */
    static List<String> summarize(List<String> paths) {
        List<String> out = new ArrayList<>();
        for (String p : paths) {
            int schema = p.indexOf(".schema.");
            String shown = schema > 0 ? p.substring(0, schema + ".schema".length()) : p;
            if (!out.contains(shown)) {
                out.add(shown);
            }
        }
        return out;
    }

    /**
     * Removes the fields that istiod, istioctl or the HPA set after install, so they never count as drift, and
     * the empty values the charts render but the server never stores (null fields, {@code value: ""}).
     */
    static JsonNode ignored(JsonNode obj) {
        ObjectNode o = Json.copy(obj);
        dropEmpty(o);
        String kind = Json.text(o, "kind");
        boolean injector = "sidecar-injector".equals(o.path("metadata").path("labels").path("app").asString(""));
        if (kind != null && kind.endsWith("WebhookConfiguration") && o.get("webhooks") instanceof tools.jackson.databind.node.ArrayNode hooks) {
            for (JsonNode h : hooks) {
                if (h instanceof ObjectNode ho) {
                    ho.remove("failurePolicy");
                    if (injector) {
                        // istioctl install moves injection to the istio-revision-tag-default webhook and sets these
                        // selectors to never match on the revision's own webhook.
                        ho.remove("namespaceSelector");
                        ho.remove("objectSelector");
                    }
                    if (ho.get("clientConfig") instanceof ObjectNode cc) {
                        cc.remove("caBundle");
                    }
                }
            }
        }
        if (o.get("spec") instanceof ObjectNode spec) {
            spec.remove("replicas");
        }
        if (o.get("metadata") instanceof ObjectNode md) {
            md.remove("creationTimestamp");
        }
        o.remove("status");
        return o;
    }

    /**
     * Drops 0 and false from the wanted object where the live one has nothing: the API server omits zero values of
     * optional fields (a sample's {@code initialDelaySeconds: 0} is stored as absent), which is not a difference.
     */
    static JsonNode withoutZeroesMissingIn(JsonNode want, JsonNode live) {
        if (want instanceof ObjectNode w) {
            List<String> zeroes = new ArrayList<>();
            w.properties().forEach(e -> {
                JsonNode v = e.getValue();
                JsonNode l = live == null ? null : live.get(e.getKey());
                if ((l == null || l.isNull()) && ((v.isNumber() && v.decimalValue().signum() == 0) || (v.isBoolean() && !v.booleanValue()))) {
                    zeroes.add(e.getKey());
                } else {
                    withoutZeroesMissingIn(v, l);
                }
            });
            zeroes.forEach(w::remove);
        } else if (want != null && want.isArray()) {
            for (int i = 0; i < want.size(); i++) {
                withoutZeroesMissingIn(want.get(i), live != null && live.isArray() && i < live.size() ? live.get(i) : null);
            }
        }
        return want;
    }

    private static void dropEmpty(JsonNode node) {
        if (node instanceof ObjectNode o) {
            List<String> empty = new ArrayList<>();
            o.properties().forEach(e -> {
                JsonNode v = e.getValue();
                if (v.isNull() || (v.isString() && v.asString().isEmpty())) {
                    empty.add(e.getKey());
                } else {
                    dropEmpty(v);
                }
            });
            empty.forEach(o::remove);
        } else if (node != null && node.isArray()) {
            node.forEach(IstioInstallType::dropEmpty);
        }
    }

    private Duration timeout(JsonNode spec) {
        JsonNode t = spec.get("timeoutSeconds");
        return t != null && t.isIntegralNumber() ? Duration.ofSeconds(t.longValue()) : Duration.ofMinutes(10);
    }

    @Override
    public AppliedResource apply(ApplyRequest request) {
        JsonNode spec = request.desired();
        checkVersion(request.address(), spec);
        // A saved plan may be applied to a cluster upgraded (or swapped) since: check again; warnings were shown then.
        checkKubernetes(request.address(), spec, new ArrayList<>());
        Map<Addon, List<ObjectNode>> wanted = IstioAddons.load(request.address(), spec, kube.files(), baseDirs.get(request.address()));
        String digest = request.privateData().get("renderDigest");
        String istioDigest = request.privateData().get(ISTIO_DIGEST);
        if (digest == null || istioDigest == null) {
            Render render = render(request.address(), spec);
            digest = digest(render, wanted);
            istioDigest = render.digest();
        } else if (!digest.equals(digest(new Render(List.of(), istioDigest), wanted))) {
            // A reviewed plan applies what was reviewed: the addon files are read again here, and must not have moved.
            throw KubeErrors.error(request.address() + ": the addon manifests changed since the plan was made",
                    "make a new plan and review it; meshform applies only the addon objects a plan showed");
        }
        Path file = writeOperator(spec);
        Duration timeout = timeout(spec);
        try {
            Istioctl istioctl = istioctl(request.address(), spec);
            request.progress().note("istioctl install -y -f <IstioOperator> (profile " + Json.text(spec, "profile", "default")
                    + ", istioctl " + istioctl.version() + ")");
            Istioctl.Result r = istioctl.run(List.of("install", "-y", "-f", file.toString(),
                    "--readiness-timeout", timeout.toSeconds() + "s"), timeout.plusMinutes(1), request.progress(), true);
            if (r.exit() != 0) {
                throw KubeErrors.error(request.address() + ": istioctl install failed (exit " + r.exit() + ")", r.tail(20));
            }
        } finally {
            deleteQuietly(file);
        }
        waitUntilReady(request.address(), spec, timeout, request.progress());
        markIstiod(request);
        if (RestartSettings.of(spec).enabled()) {
            restartOutdated(request.address(), spec, request.progress());
        }
        // After the install: the addons' Deployments and Services live in istio-system, which istioctl creates.
        addons.apply(wanted, request.progress());
        Map<String, String> recordedMeta = request.recorded() == null ? Map.of() : request.recorded().metadata();
        addons.delete(removals(spec, wanted, recordedMeta), request.progress());
        Map<String, String> meta = new TreeMap<>();
        if (!wanted.isEmpty()) {
            meta.put("addonObjects", IstioAddons.encode(wanted));
        }
        meta.put("istioctlVersion", istioctl(request.address(), spec).version());
        meta.put("renderDigest", digest);
        meta.put(ISTIO_DIGEST, istioDigest);
        if (!wanted.isEmpty()) {
            meta.put(ADDONS_DIGEST, addonsDigest(wanted));
        }
        meta.put("revision", Json.text(spec, "revision", "default"));
        meta.put("fieldManager", kube.fieldManager());
        return new AppliedResource(spec.deepCopy(), meta);
    }

    /**
     * Moves the data plane to the proxy just installed: restarts, one at a time as {@code kubectl rollout restart}
     * does, each workload of the revision whose sidecar is another release, and says which bare pods it cannot reach.
     */
    private void restartOutdated(ResourceAddress address, JsonNode spec, ProgressSink progress) {
        String tag = Json.text(spec, "tag", istioctl(address, spec).version());
        ProxySkew.Outdated outdated = ProxySkew.outdated(ProxySkew.injectedPods(kube), Json.text(spec, "revision", "default"), tag);
        if (!outdated.unowned().isEmpty()) {
            progress.note("pods no workload owns keep their old proxy until deleted: " + String.join(", ", outdated.unowned()));
        }
        if (outdated.workloads().isEmpty()) {
            return;
        }
        progress.note("restarting " + outdated.workloads().size() + " workload(s) for proxy " + tag);
        new io.meshform.providers.kubernetes.injection.WorkloadRestarter(kube.client(), RestartSettings.of(spec).timeout(),
                Duration.ofSeconds(1),
                java.time.Clock.systemUTC()).restartAll(address.toString(), outdated.workloads(), progress);
    }

    /** The CRDs of the policy types, which resources after the install apply objects of. */
    static final List<String> POLICY_CRDS = List.of("peerauthentications.security.istio.io",
            "requestauthentications.security.istio.io", "authorizationpolicies.security.istio.io", "telemetries.telemetry.istio.io");

    /**
     * The policies applied after the install need their CRDs served and istiod answering its webhooks; istioctl's
     * readiness wait covers Deployments only. Waits, within the install's timeout, for each policy CRD the install
     * created to be Established and for istiod to be Available. A profile without them (remote, empty) waits for nothing.
     */
    private void waitUntilReady(ResourceAddress address, JsonNode spec, Duration timeout, ProgressSink progress) {
        long deadline = System.nanoTime() + timeout.toNanos();
        var crds = kube.client().apiextensions().v1().customResourceDefinitions();
        for (String name : POLICY_CRDS) {
            waitFor(address, "CustomResourceDefinition " + name, "Established", deadline, progress, crds.withName(name));
        }
        waitFor(address, "Deployment " + ISTIO_NAMESPACE + "/" + istiodName(spec), "Available", deadline, progress,
                kube.client().apps().deployments().inNamespace(ISTIO_NAMESPACE).withName(istiodName(spec)));
    }

    private static <T extends HasMetadata> void waitFor(ResourceAddress address, String what, String condition, long deadline,
            ProgressSink progress, io.fabric8.kubernetes.client.dsl.Resource<T> resource) {
        T now = resource.get();
        if (now == null || io.meshform.providers.kubernetes.ManifestType.hasCondition(Json.toNode(now), condition)) {
            return;
        }
        long seconds = Math.max(1, (deadline - System.nanoTime()) / 1_000_000_000L);
        progress.note("waiting up to " + seconds + "s for " + what + " to be " + condition);
        try {
            resource.waitUntilCondition(o -> o == null
                    || io.meshform.providers.kubernetes.ManifestType.hasCondition(Json.toNode(o), condition), seconds,
                    java.util.concurrent.TimeUnit.SECONDS);
        } catch (KubernetesClientException e) {
            throw KubeErrors.error(address + ": istioctl install finished, but " + what + " is not " + condition
                            + " after " + seconds + "s",
                    "nothing after the install was applied; check `kubectl describe` on it, then apply again"
                            + " (raise timeoutSeconds if the cluster is slow)");
        }
    }

    /**
     * istioctl makes the control plane, so meshform marks its istiod Deployment afterwards (annotations only, under
     * meshform's field manager): the next run then knows the install for its own, as for every object it applies.
     */
    private void markIstiod(ApplyRequest request) {
        if (request.mark().isEmpty()) {
            return;
        }
        var mark = new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder().withApiVersion("apps/v1")
                .withKind("Deployment").withNewMetadata().withName(istiodName(request.desired()))
                .withNamespace(ISTIO_NAMESPACE).withAnnotations(new TreeMap<>(request.mark())).endMetadata().build();
        try {
            KubeObjects.apply(kube.client().resource(mark), kube.fieldManager(), false, false);
        } catch (KubernetesClientException e) {
            throw kube.explain(request.address().toString(), "mark", "Deployment " + ISTIO_NAMESPACE + "/"
                    + istiodName(request.desired()), e);
        }
    }

    /** An adopted install leaves management: Istio keeps running, without meshform's mark on istiod. */
    @Override
    public void release(DeleteRequest request) {
        String name = istiodName(request.recorded().attributes());
        io.meshform.providers.kubernetes.LineageMark.remove(kube,
                kube.client().apps().deployments().inNamespace(ISTIO_NAMESPACE).withName(name).get());
        request.progress().note("the Istio install was adopted: it keeps running, no longer managed by meshform");
    }

    @Override
    public void delete(DeleteRequest request) {
        JsonNode spec = request.recorded().attributes();
        List<String> args = new ArrayList<>(List.of("uninstall", "-y"));
        Path file = null;
        if (Json.bool(spec, "purge")) {
            args.add("--purge");
        } else if (Json.text(spec, "revision") != null) {
            args.addAll(List.of("--revision", Json.text(spec, "revision")));
        } else {
            file = writeOperator(spec);
            args.addAll(List.of("-f", file.toString()));
        }
        try {
            request.progress().note("istioctl " + String.join(" ", args.subList(0, args.size() - (file == null ? 0 : 1)))
                    + (file == null ? "" : " <IstioOperator>"));
            Istioctl.Result r = istioctl(request.address(), spec).run(args, timeout(spec), request.progress(), true);
            if (r.exit() != 0) {
                throw KubeErrors.error(request.address() + ": istioctl uninstall failed (exit " + r.exit() + ")", r.tail(20));
            }
        } finally {
            if (file != null) {
                deleteQuietly(file);
            }
        }
        List<AddonObject> recorded = IstioAddons.recorded(request.recorded().metadata());
        if (!recorded.isEmpty()) {
            Set<Target> targets = new java.util.HashSet<>();
            recorded.forEach(o -> targets.add(o.target()));
            addons.delete(addons.present(recorded, targets), request.progress());
        }
    }

    @Override
    public Set<String> sensitivePaths() {
        return Set.of();
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temp file; the OS cleans up
        }
    }
}

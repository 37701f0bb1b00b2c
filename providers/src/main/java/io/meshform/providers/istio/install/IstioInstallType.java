package io.meshform.providers.istio.install;

import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.core.IstioRelease;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.istio.injection.ProxySkew;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.SensitiveMessage;
import io.meshform.providers.istio.install.IstioAddons.Addon;
import io.meshform.providers.istio.install.IstioAddons.AddonObject;
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
import io.meshform.engine.spi.ProgressSink;
import io.meshform.engine.spi.ResourceType;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.KubeErrors;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import io.meshform.providers.kubernetes.RestartSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code istio.install}: Istio installed by istioctl from an IstioOperator written from the spec
 * ({@code version, profile, revision?, hub?, tag?, components?, meshConfig?, values?, addons?, purge?}). The plan
 * renders the manifests ({@code istioctl manifest generate}), digests them and compares each rendered object with
 * the cluster; apply runs {@code istioctl install -y -f}.
 */
public final class IstioInstallType implements ResourceType {
    public static final String NAME = Mesh.INSTALL_TYPE;
    public static final String ISTIO_NAMESPACE = Mesh.ISTIO_NAMESPACE;

    private final KubeConnection kube;
    private final StackIstioctl stackIstioctl;
    private final IstiodMark istiodMark;
    private final IstioAddons addons;
    private final RenderDiff diff;
    private final UpgradePolicy upgrades;
    private final Readiness readiness;
    private final LiveInstalls liveInstalls;

    public IstioInstallType(KubeConnection kube, Istioctl istioctl) {
        this.kube = kube;
        this.stackIstioctl = new StackIstioctl(kube, istioctl);
        this.istiodMark = new IstiodMark(kube);
        this.diff = new RenderDiff(kube);
        this.upgrades = new UpgradePolicy(kube);
        this.readiness = new Readiness(kube);
        this.addons = new IstioAddons(kube, diff::listByName);
        this.liveInstalls = new LiveInstalls(kube, istiodMark);
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Two installs of one stack (a canary beside the running one) never run istioctl at once: install and uninstall both
     * write what every control plane of the cluster shares. An install reads the cluster to decide what it writes: with
     * no other control plane found, it makes its revision the default one, writing the webhooks
     * {@code istio-revision-tag-default} and {@code istiod-default-validator} (Istio 1.30.3,
     * operator/pkg/webhook/webhook.go {@code WebhooksToDeploy}), the very objects the default revision's uninstall
     * deletes by name (operator/pkg/uninstall/prune.go {@code DeleteResource}); both create the namespace and apply the
     * CRDs. Run side by side, the outcome depended on which got there first (seen: the second create of
     * {@code istio-system} refused with 409, and the canary left holding the default revision's webhooks).
     */
    @Override
    public java.util.Optional<String> oneAtATime() {
        return java.util.Optional.of("two istioctl runs must not overlap, as each writes what every control plane of the"
                + " cluster shares (its namespace, the CRDs, the default revision's webhooks)");
    }

    @Override
    public List<FieldProblem> validate(JsonNode spec) {
        List<FieldProblem> problems = new ArrayList<>(InstallSpec.validate(spec));
        FieldProblem own = stackIstioctl.problem(Json.text(spec, "istioctl"));
        if (own != null) {
            problems.add(own);  // known without a cluster, so validate says it, not only plan
        }
        JsonNode addonsSpec = spec.get("addons");
        if (addonsSpec != null && !addonsSpec.isNull() && problems.stream().allMatch(FieldProblem::warning)
                && kube.files().base() != null) {
            // The addon files are the stack's too: inside its root, readable, Kubernetes objects, checked offline
            // (when the settings say where the stack lives; a type driven by hand has no stack).
            try {
                IstioAddons.load(ResourceAddress.parse(NAME + ".addons"), spec, kube.files(), null);
            } catch (io.meshform.engine.diag.DiagnosticsException e) {
                problems.add(FieldProblem.error("/addons/manifests", e.diagnostics().get(0).summary().replace(NAME + ".addons: ", ""),
                        e.diagnostics().get(0).detail()));
            }
        }
        return problems;
    }

    /**
     * The istioctl for this install: the spec's own {@code istioctl} path (relative to the stack file) when it names
     * one, so a canary revision of the next release can sit in the same stack as the running one; else the provider's
     * (--istioctl, MESHFORM_ISTIOCTL, PATH).
     */
    Istioctl istioctl(StackContext context, ResourceAddress address, JsonNode spec) {
        return stackIstioctl.choose(context, address, Json.text(spec, "istioctl"),
                context.drift() ? StackIstioctl.RECORD : StackIstioctl.STACK);
    }

    /** Whether the spec's own istioctl (if any) may run; validate refuses it otherwise. */
    boolean mayRun(JsonNode spec, Path stackDirectory) {
        return stackIstioctl.allowed(Json.text(spec, "istioctl"), stackDirectory);
    }

    void checkVersion(StackContext context, ResourceAddress address, JsonNode spec) {
        String wanted = Json.text(spec, "version");
        Istioctl istioctl = istioctl(context, address, spec);
        String found = istioctl.version();
        if (!Istioctl.versionMatches(found, wanted)) {
            // At the stack's `version` (plan and apply said no file or line; validate placed it, OfflineRenderCheck).
            io.meshform.engine.diag.SourceRange at = context.stack().find(address)
                    .map(d -> d.source().valueRange("/spec/version")).orElse(null);
            throw new io.meshform.engine.diag.DiagnosticsException(io.meshform.engine.diag.Diagnostic.error(
                    address + ": istioctl is version " + found + ", the stack wants " + wanted,
                    "found istioctl " + found + " at " + istioctl.binary() + "; wanted " + wanted
                            + ". Point --istioctl (or MESHFORM_ISTIOCTL) at istioctl " + wanted + ", or set this install's"
                            + " `istioctl` field to it and run with --allow-stack-istioctl (a program the stack names"
                            + " runs only then), or change `version`", at));
        }
    }


    RenderDiff.Render render(StackContext context, ResourceAddress address, JsonNode spec) {
        try {
            return withRunKey(context, address, spec, (istioctl, file, runKey) -> InstallRender.render(istioctl, address,
                    file, runKey, InstallRender.messages(context, address, spec)));
        } catch (io.meshform.engine.diag.DiagnosticsException e) {
            throw RenderErrorPlace.placed(e, context, address, spec);
        }
    }

    /**
     * {@link InstallRender#run} with the istioctl this install runs; for a spec that holds a sensitive value, one that
     * remembers nothing ({@link InstallRender#sensitive}).
     */
    <T> T withRunKey(StackContext context, ResourceAddress address, JsonNode spec, InstallRender.RenderRun<T> run) {
        Istioctl istioctl = istioctl(context, address, spec);
        return InstallRender.run(spec, InstallRender.sensitive(context, address, spec) ? istioctl.rememberingNothing() : istioctl, run);
    }

    /** The istiod Deployment of each install's revision ({@link LiveInstalls}). */
    @Override
    public Map<ResourceAddress, LiveObject> read(ReadRequest request) {
        return liveInstalls.read(request.resources());
    }

    @Override
    public PlannedChange plan(PlanRequest request) {
        JsonNode desired = request.desired();
        StackContext context = request.context();
        checkVersion(context, request.address(), desired);
        List<String> warnings = new ArrayList<>();
        upgrades.checkKubernetes(request.address(), desired, warnings);
        // Drift with a sensitive value rotated in the stack: rendered with the stack's value, leaving out what it reaches.
        RotatedRender rotated = RotatedRender.of(desired, context.drift() ? request.rotated() : Map.of(),
                spec -> render(context, request.address(), spec));
        RenderDiff.Render render = rotated.render();
        // One LIST per collection for this plan: the addons' comparison and removals ask for the same istio-system
        // and cluster kinds the install's comparison just listed.
        PlanLists lists = new PlanLists(diff::listByName);
        RenderDiff.Comparison installed = diff.compare(render.objects(), Json.text(desired, "revision", "default"),
                istioctl(context, request.address(), desired).version(), lists, rotated.reach());
        List<PlanDetail> details = new ArrayList<>(installed.details());
        details.addAll(rotated.reach().details());
        Map<Addon, List<ObjectNode>> wanted = IstioAddons.load(request.address(), desired, kube.files(), context.baseDirectory());
        InstallRecord recorded = InstallRecord.of(request.recorded() == null ? null : request.recorded().metadata());
        // The release istioctl installs: `version` may name only the minor ("1.30"), which has no single sample.
        AddonSampleCheck samples = AddonSampleCheck.of(AddonSamples.builtIn(), istioctl(context, request.address(), desired).version(), wanted);
        AddonRemovals removals = removals(request.address(), request.lineage(), desired, wanted, recorded.addonObjects(), lists);
        details.addAll(addonDetails(desired, wanted, removals, lists, samples));
        removals.leftInPlace().forEach(k -> warnings.add(k.describe(request.address())));
        warnings.addAll(samples.warnings());
        Map<String, String> priv = Map.of(InstallRecord.RENDER_DIGEST, InstallRecord.digest(render, wanted),
                InstallRecord.ISTIO_DIGEST, render.digest(),
                InstallRecord.ISTIOCTL_VERSION, istioctl(context, request.address(), desired).version());
        warnings.addAll(InstallSpec.addonWarnings(desired));
        if (request.live() != null) {
            String running = Json.text(request.live().value(), "version");
            warnings.addAll(UpgradePolicy.upgradePath(running, Json.text(desired, "version")));
            if (!IstioRelease.sameMinor(running, Json.text(desired, "version"))) {
                List<PlanDetail> lagging = ProxySkew.planDetails(ProxySkew.injectedPods(kube), Json.text(desired, "revision", "default"),
                        Json.text(desired, "version"));
                details.addAll(lagging);
                if (!lagging.isEmpty() && RestartSettings.of(desired).enabled()) {
                    details.add(PlanDetail.note("restartWorkloads: after the install, apply restarts the workloads whose"
                            + " sidecar is not the new proxy, one at a time, waiting for each rollout"));
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
            return new PlannedChange(Action.CREATE, InstallSpec.istiodName(desired) + " is not installed in " + ISTIO_NAMESPACE,
                    null, desired, details, warnings, priv);
        }
        // Only an apply rewrites the CRDs: a no-op plan of the older revision during a canary has nothing to warn of.
        List<String> updateWarnings = new ArrayList<>(warnings);
        if (!installed.newerSharedCrds().isEmpty()) {
            updateWarnings.add("a newer revision's CRDs are installed: applying this install makes istioctl write this"
                    + " release's CRDs over them; apply the newer revision afterwards, or retire this one");
        }
        String recordedDigest = recorded.renderDigest();
        long drifted = details.stream().filter(PlanDetail::differs).count();
        // A render with a rotated value cannot match the recorded digest: only the comparison with the cluster counts.
        if (recordedDigest != null && rotated.reach().isEmpty() && !recordedDigest.equals(priv.get(InstallRecord.RENDER_DIGEST))) {
            return new PlannedChange(Action.UPDATE, recorded.whatChanged(render, wanted)
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
        return new PlannedChange(Action.NOOP, "the cluster matches the rendered manifests", before, desired,
                rotated.reach().details(), warnings, priv);
    }

    /**
     * "+ Deployment istio-system/kiali [addon kiali]" and the object's body for addon objects to create, "~ ..." and a
     * diff of the fields that change for those to update, folded when Istio's sample is the same ({@link AddonDetails}),
     * and "- ... [addon kiali is off]" for the objects of an addon switched off (or recorded and no longer wanted).
     */
    private List<PlanDetail> addonDetails(JsonNode spec, Map<Addon, List<ObjectNode>> wanted, AddonRemovals planned,
                                          PlanLists lists, AddonSampleCheck samples) {
        List<PlanDetail> out = new ArrayList<>(AddonDetails.compare(wanted, lists, samples));
        List<AddonObject> removals = new ArrayList<>(planned.delete());
        removals.sort(Comparator.comparing(o -> Addon.of(o.addon())));  // one addon's objects together
        for (AddonObject o : removals) {
            boolean off = IstioAddons.off(spec).contains(Addon.of(o.addon()));
            out.add(PlanDetail.remove(o.describe() + " [addon " + o.addon() + (off ? " is off" : ": no longer in the addon manifests") + "]"));
        }
        return out;
    }

    /** What to remove of the addons, and which recorded objects stay because this install did not apply them. */
    private AddonRemovals removals(ResourceAddress address, String lineage, JsonNode spec, Map<Addon, List<ObjectNode>> wanted,
                                   List<AddonObject> recorded, java.util.function.Function<Target, Map<String, JsonNode>> lister) {
        return AddonRemovals.of(address, lineage, kube.fieldManager(), IstioAddons.noLongerWanted(recorded, wanted),
                IstioAddons.offSamples(spec), lister);
    }

    @Override
    public AppliedResource apply(ApplyRequest request) {
        JsonNode spec = request.desired();
        StackContext context = request.context();
        checkVersion(context, request.address(), spec);
        // A saved plan may be applied to a cluster upgraded (or swapped) since: check again; warnings were shown then.
        upgrades.checkKubernetes(request.address(), spec, new ArrayList<>());
        Map<Addon, List<ObjectNode>> wanted = IstioAddons.load(request.address(), spec, kube.files(), context.baseDirectory());
        String digest = request.privateData().get(InstallRecord.RENDER_DIGEST);
        String istioDigest = request.privateData().get(InstallRecord.ISTIO_DIGEST);
        if (digest == null || istioDigest == null) {
            RenderDiff.Render render = render(context, request.address(), spec);
            digest = InstallRecord.digest(render, wanted);
            istioDigest = render.digest();
        } else if (!digest.equals(InstallRecord.digest(new RenderDiff.Render(List.of(), istioDigest), wanted))) {
            // A reviewed plan applies what was reviewed: the addon files are read again here, and must not have moved.
            throw KubeErrors.error(request.address() + ": the addon manifests changed since the plan was made",
                    "make a new plan and review it; meshform applies only the addon objects a plan showed");
        }
        Istioctl istioctl = istioctl(context, request.address(), spec);
        Path file = InstallSpec.writeOperator(spec, istioctl.runDirectory());
        Duration timeout = InstallSpec.timeout(spec);
        try {
            istiodMark.intend(request);
            request.progress().note("istioctl install -y -f <IstioOperator> (profile " + Json.text(spec, "profile", "default")
                    + ", istioctl " + istioctl.version() + ")");
            SensitiveMessage messages = InstallRender.messages(context, request.address(), spec);
            Istioctl.Result r = istioctl.run(List.of("install", "-y", "-f", file.toString(),
                    "--readiness-timeout", timeout.toSeconds() + "s"), timeout.plusMinutes(1), request.progress(), true,
                    messages);
            if (r.exit() != 0) {
                throw KubeErrors.error(request.address() + ": istioctl install failed (exit " + r.exit() + ")",
                        messages.redact("istioctl", InstallOutput.tail(r, 20)));
            }
            // The objects of components switched off are pruned in the foreground, and istioctl does not wait for them:
            // the apply is done, and the next plan a no-op, only once they are gone.
            UninstallWait.untilGone(request.address(), UninstallWait.Deleter.INSTALL, UninstallWait.removed(r.stdout()),
                    UninstallWait.read(kube.client()), timeout, request.progress(), UninstallWait.Clock.SYSTEM);
        } finally {
            InstallSpec.deleteQuietly(file);
        }
        readiness.waitUntilReady(request.address(), spec, timeout, request.progress());
        // The waits above may outlast the lock (readiness is meshform's own, not istioctl's): the writes below need it.
        io.meshform.providers.kubernetes.LockFence.check(request.progress(), request.address().toString(),
                "before marking istiod, restarts and addons");
        istiodMark.mark(request);
        if (RestartSettings.of(spec).enabled()) {
            restartOutdated(context, request.address(), spec, request.progress());
            // the last rollout's wait may have outlasted the lock too
            io.meshform.providers.kubernetes.LockFence.check(request.progress(), request.address().toString(),
                    "before the addons");
        }
        // After the install: the addons' Deployments and Services live in istio-system, which istioctl creates.
        addons.apply(wanted, request.mark(), request.progress());
        InstallRecord before = InstallRecord.of(request.recorded() == null ? null : request.recorded().metadata());
        // Read again just before deleting: a saved plan is applied later, and the state may have been edited since.
        AddonRemovals removals = removals(request.address(), request.lineage(), spec, wanted, before.addonObjects(),
                diff::listByName);
        removals.leftInPlace().forEach(k -> request.progress().note(k.describe(request.address())));
        addons.delete(request.address().toString(), removals.delete(), timeout, request.progress());
        Map<String, String> meta = InstallRecord.applied(digest, istioDigest, wanted,
                istioctl(context, request.address(), spec).version(), Json.text(spec, "revision", "default"),
                kube.fieldManager()).toMetadata();
        return new AppliedResource(spec.deepCopy(), meta);
    }

    /**
     * Moves the data plane to the proxy just installed: restarts, one at a time as {@code kubectl rollout restart}
     * does, each workload of the revision whose sidecar is another release, and says which bare pods it cannot reach.
     */
    private void restartOutdated(StackContext context, ResourceAddress address, JsonNode spec, ProgressSink progress) {
        String tag = Json.text(spec, "tag", istioctl(context, address, spec).version());
        ProxySkew.Outdated outdated = ProxySkew.outdated(ProxySkew.injectedPods(kube), Json.text(spec, "revision", "default"), tag);
        if (!outdated.unowned().isEmpty()) {
            progress.note("pods no workload owns keep their old proxy until deleted: " + String.join(", ", outdated.unowned()));
        }
        if (outdated.workloads().isEmpty()) {
            return;
        }
        progress.note("restarting " + outdated.workloads().size() + " workload(s) for proxy " + tag);
        new io.meshform.providers.istio.injection.WorkloadRestarter(kube.client(), RestartSettings.of(spec).timeout(),
                Duration.ofSeconds(1),
                java.time.Clock.systemUTC()).restartAll(address.toString(), outdated.workloads(), progress);
    }

    /** An adopted install leaves management: Istio keeps running, without meshform's mark on istiod. */
    @Override
    public void release(DeleteRequest request) {
        istiodMark.release(request);
    }

    @Override
    public void delete(DeleteRequest request) {
        JsonNode spec = request.recorded().attributes();
        UninstallOperator.Command command = UninstallOperator.command(request.address().toString(), spec, kube.client());
        List<String> args = new ArrayList<>(command.args());
        Istioctl istioctl = stackIstioctl.choose(request.context(), request.address(), Json.text(spec, "istioctl"),
                StackIstioctl.RECORD);
        Path file = null;
        if (command.operator() != null) {
            file = InstallSpec.writeIstioOperator(command.operator(), istioctl.runDirectory());
            args.addAll(List.of("-f", file.toString()));
        }
        try {
            request.progress().note("istioctl " + String.join(" ", args.subList(0, args.size() - (file == null ? 0 : 1)))
                    + (file == null ? "" : " <IstioOperator>"));
            SensitiveMessage messages = InstallRender.messages(request.context(), request.address(), spec);
            Istioctl.Result r = istioctl.run(args, InstallSpec.timeout(spec), request.progress(), true, messages);
            if (r.exit() != 0) {
                throw uninstallFailed(request.address(), r, messages);
            }
            // istioctl deletes in the foreground and returns at once: gone only when the garbage collector is done.
            UninstallWait.untilGone(request.address(), UninstallWait.removed(r.stdout()), UninstallWait.read(kube.client()),
                    InstallSpec.timeout(spec), request.progress(), UninstallWait.Clock.SYSTEM);
        } finally {
            if (file != null) {
                InstallSpec.deleteQuietly(file);
            }
        }
        List<AddonObject> recorded = InstallRecord.of(request.recorded().metadata()).addonObjects();
        if (!recorded.isEmpty()) {
            // Only what this install applied: the list is the state's word, and the state can be edited.
            AddonRemovals removals = AddonRemovals.of(request.address(), request.lineage(), kube.fieldManager(), recorded,
                    List.of(), diff::listByName);
            removals.leftInPlace().forEach(k -> request.progress().note(k.describe(request.address())));
            addons.delete(request.address().toString(), removals.delete(), InstallSpec.timeout(spec), request.progress());
        }
    }

    /** istioctl uninstall's refusal, its tail quoted as install's is: through the input's sensitive values' mask. */
    static RuntimeException uninstallFailed(ResourceAddress address, Istioctl.Result r, SensitiveMessage messages) {
        return KubeErrors.error(address + ": istioctl uninstall failed (exit " + r.exit() + ")",
                messages.redact("istioctl", r.tail(20)));
    }

    @Override
    public Set<String> sensitivePaths() {
        return Set.of();
    }

}

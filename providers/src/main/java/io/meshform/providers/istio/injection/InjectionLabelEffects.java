package io.meshform.providers.istio.injection;

import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.engine.spi.StackContext;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.NamespaceLabelEffects;
import io.meshform.providers.kubernetes.RestartSettings;
import io.meshform.providers.kubernetes.SpecChecker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * What Istio makes of a namespace's labels: sidecar injection ({@code istio-injection}, {@code istio.io/rev}). At plan
 * time the workloads whose pods keep their old sidecar state and the sidecars' resource requests; at apply time the
 * restarts {@code restartWorkloads} asks for. Handed to the Kubernetes namespace and labels types by the provider
 * factory, so they never name Istio.
 */
public final class InjectionLabelEffects implements NamespaceLabelEffects {
    private final KubeConnection kube;
    /** How often a restart polls its rollout; tests against a mock server shorten it. */
    private final Duration rolloutPoll;

    public InjectionLabelEffects(KubeConnection kube) {
        this(kube, Duration.ofSeconds(1));
    }

    public InjectionLabelEffects(KubeConnection kube, Duration rolloutPoll) {
        this.kube = kube;
        this.rolloutPoll = rolloutPoll;
    }

    private InjectionChanges injection() {
        return new InjectionChanges(kube.client(), rolloutPoll);
    }

    @Override
    public boolean concerns(Set<String> labelKeys) {
        return labelKeys.stream().anyMatch(Injection.LABELS::contains);
    }

    /**
     * Istio injects for istio-injection only when it is {@code enabled}, and any other value, not just
     * {@code disabled}, turns injection off in the namespace: every webhook but the one selecting
     * {@code istio-injection In [enabled]} requires the label to be absent
     * (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml, Istio 1.30.3), so neither a
     * revision label nor a pod's own {@code sidecar.istio.io/inject: "true"} injects there. istio.io/rev beside it is
     * ignored.
     */
    @Override
    public void validate(JsonNode labels, String pointer, SpecChecker c) {
        String injection = Json.text(labels, Injection.INJECTION_LABEL);
        if (injection != null && !injection.equals("enabled") && !injection.equals("disabled")) {
            c.warning(pointer + "/istio-injection", "istio-injection is \"" + injection + "\": Istio injects only for"
                    + " enabled, and any other value turns sidecar injection off in this namespace, as disabled does, for every"
                    + " revision and for pods that ask with sidecar.istio.io/inject",
                    "write enabled to inject, or disabled to keep the namespace out of the mesh");
        }
        if (labels.has(Injection.INJECTION_LABEL) && labels.has(Injection.REVISION_LABEL)) {
            c.warning(pointer + "/istio.io~1rev", "both istio-injection and istio.io/rev are set; istio-injection wins and the revision is ignored",
                    "keep one: istio-injection for the default revision, istio.io/rev for a revisioned install");
        }
    }

    @Override
    public void plan(String address, String namespace, Map<String, String> before, Map<String, String> after, JsonNode spec,
                     StackContext context, List<PlanDetail> details, List<String> warnings) {
        // the webhooks matter only when the labels name another injector (or none): other label changes read nothing
        if (Injection.of(before).equals(Injection.of(after))) {
            injection().plan(address, namespace, before, after, Injectors.UNKNOWN, RestartSettings.of(spec),
                    proxyRequests(context), details, warnings);
            return;
        }
        InjectorRead read = InjectorRead.once(context, kube::client);
        read.note(namespace).map(PlanDetail::note).ifPresent(details::add);
        injection().plan(address, namespace, before, after, read.injectors().plusInstalls(installSpecs(context)),
                RestartSettings.of(spec), proxyRequests(context), details, warnings);
    }

    /** The injectors as the run read them: one read per run, shared by every labels resource and the checks. */
    private java.util.function.Supplier<Injectors> injectors(StackContext context) {
        return () -> InjectorRead.once(context, kube::client).injectors();
    }

    /** The specs of the stack's istio.install resources. */
    static List<JsonNode> installSpecs(StackContext context) {
        return context.stack().ofType(Mesh.INSTALL_TYPE).stream().map(d -> (JsonNode) d.spec()).toList();
    }

    @Override
    public Optional<Pending> pending(String address, String namespace, Map<String, String> labels, Instant appliedAt,
                                     JsonNode spec, StackContext context) {
        RestartSettings restart = RestartSettings.of(spec);
        if (!restart.enabled()) {
            return Optional.empty();
        }
        return injection().pending(address, namespace, labels, appliedAt, injectors(context)).map(i -> {
            List<PlanDetail> details = new ArrayList<>(i.details(proxyRequests(context)));
            details.add(PlanDetail.note("restartWorkloads: apply restarts them one at a time, waiting up to "
                    + restart.timeout().toSeconds() + "s for each rollout"));
            return new Pending(i.workloads().size() + " workload(s) still run pods from before the injection change", details);
        });
    }

    @Override
    public void afterApply(String address, String namespace, Map<String, String> before, Map<String, String> after,
                           JsonNode spec, StackContext context, ProgressSink progress) {
        injection().afterApply(address, namespace, before, after, RestartSettings.of(spec), injectors(context), progress);
    }

    @Override
    public void finishPending(String address, String namespace, Map<String, String> labels, Instant appliedAt, JsonNode spec,
                              StackContext context, ProgressSink progress) {
        injection().restartPending(address, namespace, labels, appliedAt, RestartSettings.of(spec), injectors(context), progress);
    }

    /** The sidecar requests of the stack's Istio install, for the plan's estimate. */
    static ProxyRequests proxyRequests(StackContext context) {
        return context.stack().ofType(Mesh.INSTALL_TYPE).stream().findFirst().map(d -> ProxyRequests.from(d.spec()))
                .orElse(ProxyRequests.DEFAULT);
    }
}

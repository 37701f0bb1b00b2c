package io.meshform.providers.istio.injection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.meshform.engine.spi.PlanDetail;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The injector policy: {@code values.global.proxy.autoInject} is rendered as {@code policy:} in the revision's
 * {@code istio-sidecar-injector} ConfigMap (istiod-injector-configmap.yaml; `istioctl manifest generate` with
 * {@code autoInject: disabled} prints {@code policy: disabled}), and istiod's webhook runs {@code injectRequired}
 * (pkg/kube/inject/inject.go, Istio 1.30.3) on every pod a webhook sends it: under {@code disabled} a pod is injected
 * only when its own {@code sidecar.istio.io/inject} (label, else annotation) is "true"; an illegal policy injects none.
 */
class InjectorPolicyTest {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    static final Injectors LIVE = Injectors.of(List.of(Map.of("istio.io/rev", "default")));
    static final Map<String, String> ENABLED = Map.of("kubernetes.io/metadata.name", "cortex", "istio-injection", "enabled");

    static JsonNode install(String yaml) {
        return YAML.readTree("version: \"1.30\"\n" + yaml);
    }

    static final Injectors DISABLED = LIVE.plusInstalls(List.of(install("values: {global: {proxy: {autoInject: disabled}}}\n")));

    static LivePod pod(String suffix, Map<String, String> labels, Map<String, String> annotations) {
        return LivePods.of(new PodBuilder(Pods.ofDeployment("cortex", "api", suffix)).editMetadata().addToLabels(labels)
                .addToAnnotations(annotations).endMetadata().build());
    }

    static final LivePod PLAIN = pod("a", Map.of(), Map.of());
    static final LivePod ASKS = pod("b", Map.of("sidecar.istio.io/inject", "true"), Map.of());
    static final LivePod ASKS_BY_ANNOTATION = pod("c", Map.of(), Map.of("sidecar.istio.io/inject", "true"));

    @Test
    void underPolicyDisabledAnInjectedNamespaceGivesSidecarsOnlyToPodsThatAsk() {
        assertFalse(Sidecars.injectedOnCreate(ENABLED, DISABLED, PLAIN), "injectRequired: useDefault under policy disabled");
        assertTrue(Sidecars.injectedOnCreate(ENABLED, DISABLED, ASKS));
        assertTrue(Sidecars.injectedOnCreate(ENABLED, DISABLED, ASKS_BY_ANNOTATION), "the annotation counts without the label");
        assertTrue(Sidecars.injectedOnCreate(ENABLED, LIVE, PLAIN), "the chart's default policy is enabled");
        assertTrue(Sidecars.injectedOnCreate(ENABLED, LIVE.plusInstalls(List.of(install("values: {global: {proxy: {autoInject:"
                + " enabled}}}\n"))), PLAIN));
    }

    @Test
    void anIllegalPolicyInjectsNothingEvenForPodsThatAsk() {
        Injectors off = LIVE.plusInstalls(List.of(install("values: {global: {proxy: {autoInject: \"off\"}}}\n")));
        assertFalse(Sidecars.injectedOnCreate(ENABLED, off, ASKS), "\"Illegal value for autoInject ... Auto injection disabled!\"");
        assertFalse(Sidecars.injectedOnCreate(Map.of("kubernetes.io/metadata.name", "cortex"), off, ASKS), "webhook object");
    }

    @Test
    void thePolicyIsTheRevisionsThatTheLabelsResolveTo() {
        Injectors canary = Injectors.of(List.of(Map.of("istio.io/rev", "default"), Map.of("istio.io/rev", "r1"),
                        Map.of("istio.io/rev", "r1", "istio.io/tag", "default")))
                .plusInstalls(List.of(install("revision: r1\nvalues: {global: {proxy: {autoInject: disabled}}}\n")));
        assertFalse(Sidecars.injectedOnCreate(ENABLED, canary, PLAIN), "the default tag points at r1, whose policy is disabled");
        assertFalse(Sidecars.injectedOnCreate(Map.of("istio.io/rev", "r1"), canary, PLAIN));
        assertTrue(Sidecars.injectedOnCreate(Map.of("istio.io/rev", "r1"), canary, ASKS));
        LivePod asksForR1 = pod("d", Map.of("istio.io/rev", "r1"), Map.of());
        assertFalse(Sidecars.injectedOnCreate(Map.of(), canary, asksForR1), "webhook rev.object calls r1, which does not inject by default");
    }

    @Test
    void theAutoWebhookSendsPodsToAnInjectorThatMayNotInjectThem() {
        Injectors auto = DISABLED.withAutoRevision("default");
        Map<String, String> unlabelled = Map.of("kubernetes.io/metadata.name", "cortex");
        assertFalse(Sidecars.injectedOnCreate(unlabelled, auto, PLAIN));
        assertTrue(Sidecars.injectedOnCreate(unlabelled, auto, ASKS_BY_ANNOTATION));
    }

    @Test
    void turningInjectionOnListsOnlyThePodsTheInjectorGivesASidecarAndSaysWhy() {
        InjectionImpact impact = InjectionImpact.of("cortex", ENABLED, DISABLED, List.of(PLAIN, ASKS));
        assertEquals(1, impact.pods(), "only the pod that asks gets a sidecar when it restarts");
        assertEquals(Optional.of("the injector of revision default has policy disabled (values.global.proxy.autoInject): it"
                        + " injects only pods of namespace cortex labelled (or annotated) sidecar.istio.io/inject: \"true\""),
                InjectionChanges.policyNote("cortex", ENABLED, DISABLED).map(PlanDetail::text));
        assertEquals(Optional.empty(), InjectionChanges.policyNote("cortex", ENABLED, LIVE).map(PlanDetail::text));
    }
}

package io.meshform.providers.istio.injection;

import static io.meshform.providers.istio.injection.InjectorPolicyTest.ENABLED;
import static io.meshform.providers.istio.injection.InjectorPolicyTest.LIVE;
import static io.meshform.providers.istio.injection.InjectorPolicyTest.install;
import static io.meshform.providers.istio.injection.InjectorPolicyTest.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.spi.PlanDetail;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The injector's {@code neverInjectSelector} and {@code alwaysInjectSelector}: `istioctl manifest generate` (1.30.3)
 * with {@code values.sidecarInjectorWebhook.neverInjectSelector: [{matchLabels: {app: mongo}}]} renders them under
 * {@code config} in the {@code istio-sidecar-injector} ConfigMap, and {@code injectRequired} (pkg/kube/inject/inject.go)
 * applies them, never before always, to pods without a valid {@code sidecar.istio.io/inject} of their own.
 */
class InjectSelectorTest {
    static final Injectors NEVER_MONGO = LIVE.plusInstalls(List.of(install(
            "values: {sidecarInjectorWebhook: {neverInjectSelector: [{matchLabels: {app: mongo}}]}}\n")));
    static final LivePod MONGO = pod("m", Map.of("app", "mongo"), Map.of());
    static final LivePod API = pod("a", Map.of("app", "api"), Map.of());

    @Test
    void neverInjectSelectorKeepsMatchingPodsOutOfAnInjectedNamespace() {
        assertFalse(Sidecars.injectedOnCreate(ENABLED, NEVER_MONGO, MONGO), "neverInjectSelector matches app=mongo");
        assertTrue(Sidecars.injectedOnCreate(ENABLED, NEVER_MONGO, API));
        assertTrue(Sidecars.injectedOnCreate(ENABLED, NEVER_MONGO,
                pod("n", Map.of("app", "mongo", "sidecar.istio.io/inject", "true"), Map.of())), "the pod's own label decides first");
        assertFalse(Sidecars.injectedOnCreate(ENABLED, NEVER_MONGO,
                pod("o", Map.of("app", "mongo", "sidecar.istio.io/inject", "yes"), Map.of())), "an invalid value falls back to the selectors");
    }

    @Test
    void theRestartListLeavesOutPodsTheInjectorNeverInjects() {
        InjectionImpact impact = InjectionImpact.of("cortex", ENABLED, NEVER_MONGO, List.of(MONGO, API));
        assertEquals(1, impact.pods(), "mongo gets no sidecar when it restarts, so it is not restarted for one");
    }

    @Test
    void movingToARevisionThatNeverInjectsAPodDoesNotListItWithoutASidecar() {
        Injectors canary = Injectors.of(List.of(Map.of("istio.io/rev", "default"), Map.of("istio.io/rev", "r1")))
                .plusInstalls(List.of(install("revision: r1\nvalues: {sidecarInjectorWebhook: {neverInjectSelector:"
                        + " [{matchLabels: {app: mongo}}]}}\n")));
        InjectionImpact impact = InjectionImpact.moving("cortex", "r1", canary, List.of(MONGO, API));
        assertEquals(1, impact.pods(), "r1's injector never injects mongo, so its restart changes nothing");
    }

    @Test
    void alwaysInjectSelectorInjectsUnderPolicyDisabledButNeverWinsOverIt() {
        Injectors always = LIVE.plusInstalls(List.of(install("values: {global: {proxy: {autoInject: disabled}},"
                + " sidecarInjectorWebhook: {alwaysInjectSelector: [{matchExpressions: [{key: tier, operator: Exists}]}],"
                + " neverInjectSelector: [{matchLabels: {app: mongo}}]}}\n")));
        assertTrue(Sidecars.injectedOnCreate(ENABLED, always, pod("t", Map.of("tier", "web"), Map.of())));
        assertFalse(Sidecars.injectedOnCreate(ENABLED, always, pod("u", Map.of("tier", "db", "app", "mongo"), Map.of())),
                "neverInjectSelector is checked first");
        assertFalse(Sidecars.injectedOnCreate(ENABLED, always, API));
        assertFalse(Sidecars.injectedOnCreate(ENABLED, always, pod("v", Map.of("tier", "web", "sidecar.istio.io/inject", "false"),
                Map.of())), "the pod's own label decides first");
        assertEquals(Optional.of("the injector of revision default has policy disabled (values.global.proxy.autoInject): it"
                        + " injects only pods of namespace cortex labelled (or annotated) sidecar.istio.io/inject: \"true\", and pods"
                        + " with no sidecar.istio.io/inject of their own that match its alwaysInjectSelector and not its"
                        + " neverInjectSelector (values.sidecarInjectorWebhook)"),
                InjectionChanges.policyNote("cortex", ENABLED, always).map(PlanDetail::text));
    }

    @Test
    void anEmptyOrInvalidSelectorMatchesNoPod() {
        Injectors empty = LIVE.plusInstalls(List.of(install("values: {sidecarInjectorWebhook: {neverInjectSelector: [{}, "
                + "{matchExpressions: [{key: app, operator: In}]}, {matchExpressions: [{key: app, operator: Near, values: [x]}]}]}}\n")));
        assertTrue(Sidecars.injectedOnCreate(ENABLED, empty, MONGO), "selector.Empty() and unparseable selectors are skipped");
    }

    @Test
    void expressionsFollowKubernetesOperators() {
        InjectSelector notIn = InjectSelector.of(install("matchExpressions: [{key: app, operator: NotIn, values: [api]}]"));
        assertTrue(notIn.matches(Map.of()), "NotIn matches a pod without the key");
        assertFalse(notIn.matches(Map.of("app", "api")));
        InjectSelector both = InjectSelector.of(install("matchLabels: {app: mongo}\nmatchExpressions: [{key: tier, operator: DoesNotExist}]"));
        assertTrue(both.matches(Map.of("app", "mongo")));
        assertFalse(both.matches(Map.of("app", "mongo", "tier", "db")));
    }
}

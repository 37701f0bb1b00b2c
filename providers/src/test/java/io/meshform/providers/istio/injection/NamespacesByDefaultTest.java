package io.meshform.providers.istio.injection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code values.sidecarInjectorWebhook.enableNamespacesByDefault: true}: the default revision's
 * MutatingWebhookConfiguration gets the webhook {@code auto.sidecar-injector.istio.io}, which injects unlabelled pods of
 * every namespace with neither istio-injection nor istio.io/rev (manifests/charts/istio-control/istio-discovery/
 * templates/mutatingwebhook.yaml, Istio 1.30.3, "Special case 3"). The configurations below have the names, labels and
 * selectors that template renders.
 */
class NamespacesByDefaultTest {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    static JsonNode configuration(String rev, String autoSelector) {
        return YAML.readTree("""
                metadata: {name: istio-sidecar-injector, labels: {istio.io/rev: %s, app: sidecar-injector}}
                webhooks:
                - {name: rev.namespace.sidecar-injector.istio.io}
                - {name: rev.object.sidecar-injector.istio.io}
                - {name: namespace.sidecar-injector.istio.io}
                - {name: object.sidecar-injector.istio.io}
                - name: auto.sidecar-injector.istio.io
                  namespaceSelector: %s
                  objectSelector:
                    matchExpressions:
                    - {key: sidecar.istio.io/inject, operator: DoesNotExist}
                    - {key: istio.io/rev, operator: DoesNotExist}
                """.formatted(rev, autoSelector));
    }

    static final String AUTO_SELECTOR = "{matchExpressions: [{key: istio-injection, operator: DoesNotExist},"
            + " {key: istio.io/rev, operator: DoesNotExist}, {key: kubernetes.io/metadata.name, operator: NotIn,"
            + " values: [kube-system, kube-public, kube-node-lease, local-path-storage]}]}";
    static final Injectors AUTO = Injectors.ofConfigurations(List.of(configuration("default", AUTO_SELECTOR)));

    @Test
    void anUnlabelledNamespaceIsInjectedByTheDefaultRevision() {
        assertEquals(new Injection(true, "default"), AUTO.effective(Map.of("kubernetes.io/metadata.name", "cortex")));
        assertEquals(Injection.OFF, AUTO.effective(Map.of("kubernetes.io/metadata.name", "kube-system")));
        assertEquals(Injection.OFF, AUTO.effective(Map.of("kubernetes.io/metadata.name", "cortex", "istio-injection", "disabled")));
        assertEquals(Injection.OFF, AUTO.effective(Map.of("kubernetes.io/metadata.name", "cortex", "istio.io/rev", "canary")));
        Injectors deactivated = Injectors.ofConfigurations(List.of(configuration("default",
                "{matchLabels: {istio.io/deactivated: never-match}}")));
        assertEquals(Injection.OFF, deactivated.effective(Map.of("kubernetes.io/metadata.name", "cortex")),
                "istioctl tag set default deactivates the default revision's own webhooks (istioctl/pkg/tag/util.go)");
    }

    @Test
    void podsWithoutLabelsGetASidecarOnCreate() {
        var plain = LivePods.of(new PodBuilder(Pods.ofDeployment("cortex", "api-5d8f7", "a")).build());
        var optedOut = LivePods.of(new PodBuilder(Pods.ofDeployment("cortex", "api-5d8f7", "b")).editMetadata()
                .addToLabels("sidecar.istio.io/inject", "false").endMetadata().build());
        Map<String, String> ns = Map.of("kubernetes.io/metadata.name", "cortex");
        assertTrue(Sidecars.injectedOnCreate(ns, AUTO, plain));
        assertFalse(Sidecars.injectedOnCreate(ns, AUTO, optedOut));
        assertFalse(Sidecars.injectedOnCreate(ns, Injectors.of(List.of(Map.of("istio.io/rev", "default"))), plain));
    }

    @Test
    void droppingIstioInjectionKeepsSidecarsWhereEveryNamespaceIsInjected() {
        var changes = new InjectionChanges(null, Duration.ofSeconds(1)); // no pods are read when nothing turns
        Map<String, String> before = Map.of("kubernetes.io/metadata.name", "cortex", "istio-injection", "enabled");
        Map<String, String> after = Map.of("kubernetes.io/metadata.name", "cortex");
        assertEquals(Optional.empty(), changes.impact("kubernetes.labels.x", "cortex", before, after, AUTO),
                "the auto webhook keeps injecting: no pod loses its sidecar");
    }

    @Test
    void theStacksInstallDecidesTheAutoWebhook() {
        Injectors live = Injectors.of(List.of(Map.of("istio.io/rev", "default")));
        JsonNode on = YAML.readTree("version: \"1.30\"\nvalues: {sidecarInjectorWebhook: {enableNamespacesByDefault: true}}\n");
        JsonNode off = YAML.readTree("version: \"1.30\"\nvalues: {sidecarInjectorWebhook: {enableNamespacesByDefault: false}}\n");
        JsonNode canary = YAML.readTree("version: \"1.30\"\nrevision: r1\nvalues: {sidecarInjectorWebhook: {enableNamespacesByDefault: true}}\n");
        Map<String, String> ns = Map.of("kubernetes.io/metadata.name", "cortex");
        assertEquals(new Injection(true, "default"), live.plusInstalls(List.of(on)).effective(ns));
        assertEquals(Injection.OFF, AUTO.plusInstalls(List.of(off)).effective(ns), "the install turns it off");
        assertEquals(new Injection(true, "default"), Injectors.UNKNOWN.plusInstalls(List.of(on)).effective(ns),
                "the install's word counts when the webhooks cannot be read");
        assertEquals(Injection.OFF, live.plusInstalls(List.of(canary)).effective(ns),
                "the chart renders the auto webhook for the default revision only");
    }
}

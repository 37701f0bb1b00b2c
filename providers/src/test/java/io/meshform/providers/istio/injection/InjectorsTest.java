package io.meshform.providers.istio.injection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Revision tags and revisions resolved as istioctl resolves them, from the labels of the injector webhooks the test bed's
 * istioctl 1.30.3 wrote: {@code istioctl install --set revision=r1} (istio-sidecar-injector-r1, and the default tag
 * istio-revision-tag-default it makes for the first revision), then {@code istioctl tag set prod --revision r1}.
 */
class InjectorsTest {
    static final Injectors R1_WITH_TAGS = Injectors.of(List.of(
            Map.of("istio.io/rev", "r1", "app", "sidecar-injector"),
            Map.of("istio.io/rev", "r1", "istio.io/tag", "default"),
            Map.of("istio.io/rev", "r1", "istio.io/tag", "prod")));

    @Test
    void aTagResolvesToTheRevisionItsWebhookPointsAt() {
        assertEquals(Optional.of("r1"), R1_WITH_TAGS.resolve("prod"));
        assertEquals(Optional.of("r1"), R1_WITH_TAGS.resolve("r1"));
        assertEquals(new Injection(true, "r1"), R1_WITH_TAGS.effective(Map.of("istio-injection", "enabled")));
        assertEquals(new Injection(true, "r1"), R1_WITH_TAGS.effective(Map.of("istio.io/rev", "prod")));
        assertEquals("revision r1; tags default -> r1, prod -> r1", R1_WITH_TAGS.describe());
        assertEquals("tag prod points at revision r1", R1_WITH_TAGS.via("prod"));
    }

    @Test
    void aNameNoWebhookAnswersToInjectsNothing() {
        assertEquals(Injection.OFF, R1_WITH_TAGS.effective(Map.of("istio.io/rev", "canary")));
        assertEquals(Optional.of("canary"), R1_WITH_TAGS.missing(Map.of("istio.io/rev", "canary")));
        Injectors onlyR1 = Injectors.of(List.of(Map.of("istio.io/rev", "r1")));
        assertEquals(Optional.of("default"), onlyR1.missing(Map.of("istio-injection", "enabled")));
        assertEquals(Optional.empty(), onlyR1.missing(Map.of("istio-injection", "disabled")));
        assertEquals("none", Injectors.of(List.of()).describe());
        // istioctl install of the default revision writes its own injector and the default tag, both istio.io/rev=default
        Injectors defaultInstall = Injectors.of(List.of(Map.of("istio.io/rev", "default"),
                Map.of("istio.io/rev", "default", "istio.io/tag", "default")));
        assertEquals("revision default; tag default -> default", defaultInstall.describe());
    }

    @Test
    void aTagWinsOverTheDefaultRevisionItDeactivated() {
        Injectors moved = Injectors.of(List.of(Map.of("istio.io/rev", "default"),
                Map.of("istio.io/rev", "1-31", "istio.io/tag", "default"), Map.of("istio.io/rev", "1-31")));
        assertEquals(new Injection(true, "1-31"), moved.effective(Map.of("istio-injection", "enabled")));
    }

    @Test
    void revisionsTheStackInstallsCountAndUnreadWebhooksChangeNothing() {
        assertEquals(Optional.of("canary"), R1_WITH_TAGS.plus(List.of("canary")).resolve("canary"));
        assertEquals(Optional.of("r1"), R1_WITH_TAGS.plus(List.of("default")).resolve("default"), "the live tag stays");
        assertEquals(Optional.of("anything"), Injectors.UNKNOWN.resolve("anything"));
        assertEquals(new Injection(true, "default"), Injectors.UNKNOWN.effective(Map.of("istio-injection", "enabled")));
    }

    @Test
    void podsOfANamespaceWhoseRevisionIsMissingAreNotInjectedOnCreate() {
        var pod = LivePods.of(new PodBuilder(Pods.ofDeployment("cortex", "api-5d8f7", "a")).build());
        assertFalse(Sidecars.injectedOnCreate(Map.of("istio.io/rev", "canary"), R1_WITH_TAGS, pod));
        assertTrue(Sidecars.injectedOnCreate(Map.of("istio.io/rev", "prod"), R1_WITH_TAGS, pod));
        var asksForMissing = LivePods.of(new PodBuilder(Pods.ofDeployment("cortex", "api-5d8f7", "a")).editMetadata()
                .addToLabels("istio.io/rev", "canary").endMetadata().build());
        assertFalse(Sidecars.injectedOnCreate(Map.of(), R1_WITH_TAGS, asksForMissing));
    }

    /**
     * mutatingwebhook.yaml (Istio 1.30.3): webhook "object" selects sidecar.istio.io/inject=true only where istio.io/rev
     * does not exist, and "rev.object" needs istio.io/rev to name a revision; an empty label matches neither.
     */
    @Test
    void anEmptyRevisionLabelOnThePodKeepsItsInjectTrueFromInjecting() {
        var asks = LivePods.of(new PodBuilder(Pods.ofDeployment("cortex", "api-5d8f7", "a")).editMetadata()
                .addToLabels("sidecar.istio.io/inject", "true").endMetadata().build());
        assertTrue(Sidecars.injectedOnCreate(Map.of(), R1_WITH_TAGS, asks));
        var asksWithEmptyRevision = LivePods.of(new PodBuilder(Pods.ofDeployment("cortex", "api-5d8f7", "a")).editMetadata()
                .addToLabels("sidecar.istio.io/inject", "true").addToLabels("istio.io/rev", "").endMetadata().build());
        assertFalse(Sidecars.injectedOnCreate(Map.of(), R1_WITH_TAGS, asksWithEmptyRevision));
        assertFalse(Sidecars.injectedOnCreate(Map.of(), Injectors.UNKNOWN, asksWithEmptyRevision));
    }

    @Test
    void movingToATagOfTheSameRevisionKeepsThePodsItInjected() {
        var injected = LivePods.of(new PodBuilder(Pods.ofDeployment("cortex", "api-5d8f7", "a")).editMetadata()
                .addToAnnotations(Sidecars.STATUS_ANNOTATION, "{\"revision\":\"r1\"}").addToLabels("istio.io/rev", "prod")
                .endMetadata().editSpec().addNewContainer().withName("istio-proxy").endContainer().endSpec().build());
        assertTrue(InjectionImpact.moving("cortex", "r1", R1_WITH_TAGS, List.of(injected)).isEmpty(),
                "a pod labelled with the tag has the tag's revision's sidecar");
        assertFalse(InjectionImpact.moving("cortex", "r2", R1_WITH_TAGS, List.of(injected)).isEmpty());
    }

    @Test
    void thePlanSaysTheSameInjectorInjectsAndWarnsOfAMissingRevision() {
        assertEquals("sidecar injection stays with revision r1 for namespace cortex: istio.io/rev=r1 and istio.io/rev=prod"
                        + " select the same injector (tag prod points at revision r1); no running pod needs a restart",
                InjectionChanges.sameInjector("cortex", Map.of("istio.io/rev", "r1"), Map.of("istio.io/rev", "prod"),
                        R1_WITH_TAGS).orElseThrow().text());
        assertEquals("sidecar injection stays with revision r1 for namespace cortex: istio.io/rev=r1 and"
                        + " istio-injection=enabled select the same injector (tag default points at revision r1); no running"
                        + " pod needs a restart",
                InjectionChanges.sameInjector("cortex", Map.of("istio.io/rev", "r1"), Map.of("istio-injection", "enabled"),
                        R1_WITH_TAGS).orElseThrow().text());
        assertEquals(Optional.empty(), InjectionChanges.sameInjector("cortex", Map.of("istio.io/rev", "r1"),
                Map.of("istio.io/rev", "canary"), R1_WITH_TAGS));
        assertEquals("namespace cortex: istio.io/rev=canary names no installed Istio revision or tag (installed: revision r1;"
                        + " tags default -> r1, prod -> r1): no injector webhook selects the namespace, so its new pods get no"
                        + " sidecar; install revision canary (or `istioctl tag set canary --revision REV`), or label the"
                        + " namespace with an installed one",
                InjectionChanges.missingWarning("cortex", Map.of("istio.io/rev", "canary"), "canary", R1_WITH_TAGS));
    }
}

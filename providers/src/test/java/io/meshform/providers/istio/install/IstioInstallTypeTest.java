package io.meshform.providers.istio.install;

import io.meshform.providers.istio.core.IstioRelease;
import io.meshform.providers.istio.core.Istioctl;

import static io.meshform.providers.TestSpecs.errors;
import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IstioInstallTypeTest {
    private final IstioInstallType type = new IstioInstallType(new KubeConnection(new ProviderSettings(Map.of())),
            new Istioctl("/nonexistent/istioctl", "test", null, null));

    /** Two installs of a stack (a canary beside the running one) never run istioctl at once; the plan says why. */
    @Test
    void installsRunOneAtATime() {
        assertTrue(type.oneAtATime().orElseThrow().contains("two istioctl runs must not overlap"));
    }

    @Test
    void versionAsANumberMustBeQuoted() {
        List<FieldProblem> p = type.validate(yaml("version: 1.28\nprofile: default\n"));
        assertEquals(List.of("/version: version must be a string, quote it"), errors(p));
        assertTrue(p.get(0).hint().contains("version: \"1.28\""), p.get(0).hint());
    }

    @Test
    void versionIsRequiredAndProfileChecked() {
        assertEquals(List.of("/version: missing required field `version`"), errors(type.validate(yaml("profile: default\n"))));
        List<FieldProblem> p = type.validate(yaml("version: \"1.28\"\nprofile: defualt\n"));
        assertEquals(1, errors(p).size());
        assertEquals("did you mean `default`?", p.get(0).hint());
        assertEquals(List.of(), errors(type.validate(yaml(
                "version: \"1.28\"\nprofile: default\nrevision: 1-28\naddons: {kiali: false, prometheus: false, grafana: false, tracing: false}\n"))));
        assertEquals(List.of("/addons/tracing: `tracing` must be true or false"),
                errors(type.validate(yaml("version: \"1.28\"\naddons: {tracing: yes please}\n"))));
    }

    @Test
    void versionMatchingIsByDottedPrefix() {
        assertTrue(Istioctl.versionMatches("1.28.5", "1.28"));
        assertTrue(Istioctl.versionMatches("1.28.5", "1.28.5"));
        assertFalse(Istioctl.versionMatches("1.28.5", "1.2"));
        assertFalse(Istioctl.versionMatches("1.28.5", "1.28.4"));
    }

    @Test
    void operatorComesFromTheSpecAndTracingMapsToMeshConfig() {
        var iop = InstallSpec.istioOperator(yaml(
                "version: \"1.28\"\nrevision: 1-28\nmeshConfig: {accessLogFile: /dev/stdout}\naddons: {tracing: true, kiali: false}\n"));
        assertEquals(yaml("apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  profile: default\n  revision: 1-28\n"
                + "  meshConfig: {accessLogFile: /dev/stdout, enableTracing: true}\n"), iop);
    }

    @Test
    void renderDigestIgnoresDocumentOrderAndKeyOrder() {
        String a = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata: {mesh: x}\n---\n"
                + "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: istiod, namespace: istio-system}\n";
        String b = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {namespace: istio-system, name: istiod}\n---\n---\n"
                + "kind: ConfigMap\napiVersion: v1\nmetadata: {name: istio, namespace: istio-system}\ndata: {mesh: x}\n";
        var ra = RenderDiff.parseRender(a);
        assertEquals(2, ra.objects().size());
        assertEquals(ra.digest(), RenderDiff.parseRender(b).digest());
        assertNotEquals(ra.digest(), RenderDiff.parseRender(a.replace("mesh: x", "mesh: y")).digest());
        assertEquals("ConfigMap istio-system/istio", RenderDiff.describe(ra.objects().get(0)));
    }

    @Test
    void webhookCaBundleFailurePolicyAndReplicasAreNoise() {
        var rendered = yaml("kind: ValidatingWebhookConfiguration\nmetadata: {name: v}\nwebhooks:\n- name: a\n  failurePolicy: Ignore\n"
                + "  clientConfig: {service: {name: istiod}}\n");
        var live = yaml("kind: ValidatingWebhookConfiguration\nmetadata: {name: v, uid: x}\nwebhooks:\n- name: a\n  failurePolicy: Fail\n"
                + "  clientConfig: {service: {name: istiod}, caBundle: abc}\n  sideEffects: None\n");
        var w = NoiseRules.ignored(rendered);
        assertEquals(List.of(), Json.paths(Json.project(NoiseRules.ignored(live), w), w));
        var dep = yaml("kind: Deployment\nmetadata: {name: istiod}\nspec: {replicas: 1, template: {spec: {containers: [{name: discovery, image: a}]}}}\n");
        var liveDep = yaml("kind: Deployment\nmetadata: {name: istiod}\nspec: {replicas: 3, template: {spec: {containers: [{name: discovery, image: b}]}}}\n");
        assertEquals(List.of("spec.template.spec.containers[0].image"),
                Json.paths(Json.project(NoiseRules.ignored(liveDep), NoiseRules.ignored(dep)), NoiseRules.ignored(dep)));
    }

    @Test
    void addonsOtherThanTracingNeedTheirManifests() {
        List<FieldProblem> p = type.validate(yaml("version: \"1.28\"\naddons: {kiali: true, grafana: false}\n"));
        assertEquals(List.of("/addons/kiali: addons.kiali is on, but istioctl does not install kiali and `addons.manifests` is not set"),
                errors(p));
        assertTrue(p.get(0).hint().contains("kiali.yaml"), p.get(0).hint());
        assertEquals(List.of(), errors(type.validate(yaml("version: \"1.28\"\naddons: {kiali: true, manifests: samples/addons}\n"))));
        List<FieldProblem> typo = type.validate(yaml("version: \"1.28\"\naddons: {kiali: true, manifest: x}\n"));
        assertTrue(typo.stream().anyMatch(f -> "did you mean `manifests`?".equals(f.hint())), typo.toString());
    }

    @Test
    void tracingWithoutManifestsWarnsThatNoBackendIsApplied() {
        assertEquals(1, InstallSpec.addonWarnings(yaml("version: \"1.28\"\naddons: {tracing: true}\n")).size());
        assertEquals(0, InstallSpec.addonWarnings(yaml("version: \"1.28\"\naddons: {tracing: true, manifests: d}\n")).size());
        assertEquals(0, InstallSpec.addonWarnings(yaml("version: \"1.28\"\naddons: {tracing: false}\n")).size());
    }

    @Test
    void inPlaceUpgradesGoOneMinorReleaseAtATime() {
        assertEquals(List.of(), UpgradePolicy.upgradePath("1.30.3", "1.31"));
        assertEquals(List.of(), UpgradePolicy.upgradePath("1.30.3", "1.30.4"));
        assertEquals(List.of(), UpgradePolicy.upgradePath(null, "1.31"));
        var skip = UpgradePolicy.upgradePath("1.29.2", "1.31");
        assertEquals(1, skip.size());
        assertTrue(skip.get(0).contains("skips 1 minor release(s)") && skip.get(0).contains("through 1.30 first"), skip.get(0));
        assertTrue(UpgradePolicy.upgradePath("1.31.0-alpha.eed52ebb66ad", "1.30").get(0).startsWith("in-place downgrade"));
        assertTrue(UpgradePolicy.upgradePath("1.31.1", "1.29").get(0).contains("only one minor release back"));
    }

    @Test
    void crdSchemaChangesAreSummarisedPerVersion() {
        assertEquals(List.of("spec.versions[0].schema", "spec.versions[1].schema", "metadata.labels.app"),
                RenderDiff.summarize(List.of("spec.versions[0].schema.openAPIV3Schema.properties.spec.description",
                        "spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.x",
                        "spec.versions[1].schema.openAPIV3Schema.properties.a", "metadata.labels.app")));
    }

    @Test
    void zeroValuesTheServerOmitsAreNoDifference() {
        var want = yaml("spec: {containers: [{name: a, readinessProbe: {initialDelaySeconds: 0, periodSeconds: 5}, tty: false}]}\n");
        var live = yaml("spec: {containers: [{name: a, readinessProbe: {periodSeconds: 5}}]}\n");
        var w = NoiseRules.withoutZeroesMissingIn(want.deepCopy(), live);
        assertEquals(List.of(), Json.paths(Json.project(live, w), w));
        var liveOne = yaml("spec: {containers: [{name: a, readinessProbe: {initialDelaySeconds: 1, periodSeconds: 5}}]}\n");
        var w1 = NoiseRules.withoutZeroesMissingIn(want.deepCopy(), liveOne);
        assertEquals(List.of("spec.containers[0].readinessProbe.initialDelaySeconds"), Json.paths(Json.project(liveOne, w1), w1),
                "a live non-zero value against a wanted 0 is still a difference");
    }

    @Test
    void meshConfigChangesAreNamedInsideTheConfigMapText() {
        var live = yaml("mesh: \"defaultConfig: {discoveryAddress: istiod:15012}\\nenableTracing: false\\n\"\nother: plain\n");
        var want = yaml("mesh: \"defaultConfig: {discoveryAddress: istiod:15012}\\nenableTracing: true\\n\"\nother: changed\n");
        assertEquals(List.of("mesh.enableTracing", "data.other"),
                RenderDiff.insideConfig(List.of("data.mesh", "data.other"), live, want));
    }

    @Test
    void onlyThisRevisionsPrunableComponentObjectsCountAsRemovals() {
        java.util.function.Function<Map<String, String>, tools.jackson.databind.JsonNode> sa = labels -> {
            var o = yaml("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x}\n");
            ((tools.jackson.databind.node.ObjectNode) o.get("metadata")).set("labels", Json.fromMap(labels));
            return o;
        };
        assertTrue(RenderDiff.prunable(sa.apply(Map.of("operator.istio.io/component", "IngressGateways", "istio.io/rev", "default")), "default"));
        assertFalse(RenderDiff.prunable(sa.apply(Map.of("operator.istio.io/component", "Pilot", "istio.io/rev", "canary")), "default"),
                "another revision's control plane is not ours to remove");
        assertFalse(RenderDiff.prunable(sa.apply(Map.of("operator.istio.io/component", "Pilot", "istio.io/rev", "default",
                "install.operator.istio.io/owning-resource-not-pruned", "true")), "default"), "istioctl keeps the revision tag");
        assertFalse(RenderDiff.prunable(sa.apply(Map.of("istio.io/rev", "default")), "default"), "not installed by istioctl");
    }

    @Test
    void theReasonSaysWhetherIstiosRenderOrTheAddonsChanged() {
        var render = RenderDiff.parseRender("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\n");
        var kiali = Map.of(IstioAddons.Addon.KIALI, List.of((tools.jackson.databind.node.ObjectNode) yaml(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: kiali, namespace: istio-system}\n")));
        Map<String, String> noAddons = Map.of(InstallRecord.ISTIO_DIGEST, render.digest());
        assertEquals("addons changed", InstallRecord.of(noAddons).whatChanged(render, kiali));
        assertEquals("rendered manifests changed", InstallRecord.of(Map.of(InstallRecord.ISTIO_DIGEST, "sha256:old"))
                .whatChanged(render, Map.of()));
        assertEquals("rendered manifests and addons changed", InstallRecord.of(Map.of(InstallRecord.ISTIO_DIGEST, "sha256:old")).whatChanged(render, kiali));
        assertEquals("rendered manifests changed", InstallRecord.of(Map.of()).whatChanged(render, kiali),
                "a state from before the split digests");
    }

    @Test
    void restartSettingsAreChecked() {
        assertEquals(List.of(), errors(type.validate(yaml("version: \"1.31\"\nrestartWorkloads: true\nrestartTimeoutSeconds: 120\n"))));
        assertEquals(List.of("/restartTimeoutSeconds: restartTimeoutSeconds must be a positive whole number"),
                errors(type.validate(yaml("version: \"1.31\"\nrestartTimeoutSeconds: 0\n"))));
        assertEquals(List.of("/restartWorkloads: `restartWorkloads` must be true or false"),
                errors(type.validate(yaml("version: \"1.31\"\nrestartWorkloads: later\n"))));
    }

    @Test
    void releasesCompareByNumberAndAPreReleaseComesFirst() {
        assertTrue(IstioRelease.compare("1.31.0-alpha.eed52ebb66ad", "1.30.3") > 0);
        assertTrue(IstioRelease.compare("1.30.3", "1.30.10") < 0);
        assertTrue(IstioRelease.compare("1.31.0-alpha.x", "1.31.0") < 0);
        assertEquals(0, IstioRelease.compare("1.30.3", "1.30.3"));
    }

    @Test
    void sharedCrdsOfANewerReleaseAreNotDriftOfAnOlderInstall() {
        var live = yaml("kind: CustomResourceDefinition\nmetadata:\n  name: peerauthentications.security.istio.io\n"
                + "  labels: {operator.istio.io/version: 1.31.0-alpha.x}\n");
        var rendered = yaml("kind: CustomResourceDefinition\nmetadata: {name: peerauthentications.security.istio.io}\n");
        assertEquals("1.31.0-alpha.x", RenderDiff.newerRelease(live, rendered, "1.30.3"),
                "without a label on the render, the rendering istioctl's version counts");
        assertEquals(null, RenderDiff.newerRelease(live, rendered, "1.31.0"));
        assertEquals(null, RenderDiff.newerRelease(live, rendered, null));
    }
}

package io.meshform.providers.istio.install;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.providers.istio.install.IstioAddons.Addon;
import io.meshform.providers.istio.install.IstioAddons.AddonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IstioAddonsTest {
    static final ResourceAddress MESH = ResourceAddress.parse("istio.install.mesh");
    static final String KIALI = """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: kiali, namespace: istio-system}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: kiali}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: kiali}
            spec: {replicas: 1}
            """;

    @Test
    void onOffAndUnmentionedAreThreeStates() {
        var spec = yaml("addons: {kiali: true, prometheus: false, manifests: d}\n");
        assertEquals(List.of(Addon.KIALI), IstioAddons.on(spec));
        assertEquals(List.of(Addon.PROMETHEUS), IstioAddons.off(spec));
        assertEquals(List.of(Addon.KIALI), IstioAddons.applied(spec));
        // Tracing alone only switches meshConfig.enableTracing: nothing to apply without a manifests directory.
        assertEquals(List.of(), IstioAddons.applied(yaml("addons: {tracing: true}\n")));
    }

    @Test
    void loadReadsTheSampleFileRelativeToTheStackAndDefaultsTheNamespace(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("samples/addons"));
        Files.writeString(dir.resolve("samples/addons/kiali.yaml"), KIALI);
        var loaded = IstioAddons.load(MESH, yaml("addons: {kiali: true, manifests: samples/addons}\n"), dir);
        var objects = loaded.get(Addon.KIALI);
        assertEquals(3, objects.size());
        assertEquals("istio-system", objects.get(2).path("metadata").path("namespace").asString(), "namespaced kinds go to istio-system");
        assertTrue(objects.get(1).path("metadata").path("namespace").isMissingNode(), "cluster-scoped kinds stay without one");
        // What state records of them, and reads back.
        var record = InstallRecord.applied("sha256:r", "sha256:i", loaded, "1.30.3", "default", "meshform");
        assertEquals(List.of(new AddonObject("kiali", "v1", "ServiceAccount", "istio-system", "kiali"),
                        new AddonObject("kiali", "rbac.authorization.k8s.io/v1", "ClusterRole", null, "kiali"),
                        new AddonObject("kiali", "apps/v1", "Deployment", "istio-system", "kiali")),
                InstallRecord.of(record.toMetadata()).addonObjects());
        assertEquals(record, InstallRecord.of(record.toMetadata()));
    }

    @Test
    void aMissingOrBrokenSampleFileIsAnErrorNamingTheFile(@TempDir Path dir) throws Exception {
        var spec = yaml("addons: {grafana: true, manifests: " + dir + "}\n");
        var missing = assertThrows(DiagnosticsException.class, () -> IstioAddons.load(MESH, spec, null));
        assertTrue(missing.getMessage().contains(dir.resolve("grafana.yaml") + " does not exist"), missing.getMessage());
        Files.writeString(dir.resolve("grafana.yaml"), "apiVersion: v1\nkind: ConfigMap\n");
        var broken = assertThrows(DiagnosticsException.class, () -> IstioAddons.load(MESH, spec, null));
        assertTrue(broken.getMessage().contains("document 1"), broken.getMessage());
    }

    @Test
    void digestChangesWithTheSampleContent(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("kiali.yaml"), KIALI);
        var spec = yaml("addons: {kiali: true, manifests: " + dir + "}\n");
        String before = IstioAddons.digest(IstioAddons.load(MESH, spec, null));
        Files.writeString(dir.resolve("kiali.yaml"), KIALI.replace("replicas: 1", "replicas: 2"));
        assertNotEquals(before, IstioAddons.digest(IstioAddons.load(MESH, spec, null)));
    }

    @Test
    void removalCandidatesAreRecordedObjectsNoLongerWantedAndTheSamplesOfAddonsSwitchedOff() {
        var recorded = List.of(new AddonObject("kiali", "v1", "ServiceAccount", "istio-system", "kiali"),
                new AddonObject("kiali", "v1", "ConfigMap", "istio-system", "kiali-old"));
        var spec = yaml("addons: {kiali: true, tracing: false, manifests: d}\n");
        var wanted = Map.of(Addon.KIALI, List.of((tools.jackson.databind.node.ObjectNode) yaml(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: kiali, namespace: istio-system}\n")));
        var c = IstioAddons.candidates(spec, recorded, wanted);
        assertTrue(c.contains(recorded.get(1)), "a recorded object the sample no longer has is removed");
        assertTrue(!c.contains(recorded.get(0)), "a wanted object is kept");
        assertTrue(c.contains(new AddonObject("tracing", "apps/v1", "Deployment", "istio-system", "jaeger")), c.toString());
        assertTrue(c.stream().noneMatch(o -> o.addon().equals("prometheus")), "an addon the spec does not mention is left alone");
    }
}

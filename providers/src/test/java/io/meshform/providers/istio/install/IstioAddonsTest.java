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
        var c = IstioAddons.noLongerWanted(recorded, wanted);
        assertTrue(c.contains(recorded.get(1)), "a recorded object the sample no longer has is removed");
        assertTrue(!c.contains(recorded.get(0)), "a wanted object is kept");
        var off = IstioAddons.offSamples(spec);
        assertTrue(off.contains(new AddonObject("tracing", "apps/v1", "Deployment", "istio-system", "jaeger")), off.toString());
        assertTrue(off.stream().noneMatch(o -> o.addon().equals("prometheus")), "an addon the spec does not mention is left alone");
    }
    /** The shape of Istio's kiali.yaml: its own ServiceAccount, ClusterRole and the binding between them. */
    static final String KIALI_RBAC = """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: kiali, namespace: istio-system}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: kiali}
            rules: [{apiGroups: [""], resources: [pods], verbs: [get, list, watch]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: kiali}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kiali}
            subjects: [{kind: ServiceAccount, name: kiali, namespace: istio-system}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: kiali}
            spec: {template: {spec: {serviceAccountName: kiali, containers: [{name: kiali, image: quay.io/kiali/kiali:v2}]}}}
            """;

    private static DiagnosticsException refused(Path dir, String extra) throws Exception {
        Files.writeString(dir.resolve("kiali.yaml"), KIALI_RBAC + "---\n" + extra);
        var spec = yaml("addons: {kiali: true, manifests: " + dir + "}\n");
        return assertThrows(DiagnosticsException.class, () -> IstioAddons.load(MESH, spec, null));
    }

    @Test
    void anAddonFileLikeIstiosSamplesLoads(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("kiali.yaml"), KIALI_RBAC);
        var loaded = IstioAddons.load(MESH, yaml("addons: {kiali: true, manifests: " + dir + "}\n"), null);
        assertEquals(4, loaded.get(Addon.KIALI).size());
    }

    /** Audit A, H3: a binding to cluster-admin appended to kiali.yaml was applied, shown only by kind and name. */
    @Test
    void aBindingToARoleTheFileDoesNotDefineIsRefusedNamingTheFileAndDocument(@TempDir Path dir) throws Exception {
        var e = refused(dir, """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: kiali-viewer, labels: {app: kiali}}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
                subjects: [{kind: ServiceAccount, name: kiali, namespace: istio-system}]
                """);
        String m = e.getMessage();
        assertTrue(m.contains("addons.kiali: document 5 of " + dir.resolve("kiali.yaml")), m);
        assertTrue(m.contains("(ClusterRoleBinding kiali-viewer) grants ClusterRole cluster-admin"), m);
        assertTrue(e.diagnostics().get(0).detail().contains("only a ClusterRole or Role defined in the same file (here: ClusterRole kiali)"),
                e.diagnostics().get(0).detail());
    }

    @Test
    void aBindingOfTheAddonsOwnRoleToAnotherSubjectIsRefused(@TempDir Path dir) throws Exception {
        var e = refused(dir, """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: kiali-viewer}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kiali}
                subjects: [{kind: ServiceAccount, name: default, namespace: attacker-ns}]
                """);
        assertTrue(e.getMessage().contains("binds ServiceAccount attacker-ns/default, which is no ServiceAccount"), e.getMessage());
        var group = refused(dir, """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: kiali-viewer}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kiali}
                subjects: [{kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}]
                """);
        assertTrue(group.getMessage().contains("binds Group system:authenticated"), group.getMessage());
    }

    @Test
    void kindsOtherThanTheSamplesAreRefusedSayingWhichAreAllowed(@TempDir Path dir) throws Exception {
        for (String doc : List.of("apiVersion: v1\nkind: Secret\nmetadata: {name: kiali-token}\ndata: {t: eA==}\n",
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: x}\n"
                        + "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kiali}\n",
                "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {name: kiali}\n",
                "apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: kiali}\n")) {
            var e = refused(dir, doc);
            assertTrue(e.getMessage().contains("document 5 of ") && e.getMessage().contains("not a kind of Istio's sample addons"),
                    e.getMessage());
            assertTrue(e.diagnostics().get(0).detail().contains("v1/ServiceAccount, v1/ConfigMap, v1/Service, apps/v1/Deployment,"
                    + " rbac.authorization.k8s.io/v1/ClusterRole, rbac.authorization.k8s.io/v1/ClusterRoleBinding"),
                    e.diagnostics().get(0).detail());
        }
    }

    @Test
    void objectsOutsideTheAddonNamespaceAreRefused(@TempDir Path dir) throws Exception {
        var e = refused(dir, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: miner, namespace: kube-system}\n");
        assertTrue(e.getMessage().contains("(Deployment miner) is in namespace kube-system, not istio-system"), e.getMessage());
        var clusterScoped = refused(dir, "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
                + "metadata: {name: extra, namespace: istio-system}\n");
        assertTrue(clusterScoped.getMessage().contains("is cluster-scoped but names namespace istio-system"), clusterScoped.getMessage());
    }

    @Test
    void rolesAggregateNothingAndPodsRunOnlyAsTheFilesServiceAccounts(@TempDir Path dir) throws Exception {
        var aggregate = refused(dir, """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: kiali-more}
                aggregationRule: {clusterRoleSelectors: [{matchLabels: {kubernetes.io/bootstrapping: rbac-defaults}}]}
                """);
        assertTrue(aggregate.getMessage().contains("(ClusterRole kiali-more) aggregates other roles"), aggregate.getMessage());
        var istiod = refused(dir, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: kiali-helper}
                spec: {template: {spec: {serviceAccountName: istiod, containers: [{name: c, image: x}]}}}
                """);
        assertTrue(istiod.getMessage().contains("runs its pods as ServiceAccount istiod"), istiod.getMessage());
    }

    /** The rules are Istio's own samples' shape: every file of the release the tests use passes them. */
    @Test
    void istiosSampleAddonsPassTheRules() {
        Path samples;
        try {
            samples = io.meshform.testkit.Testbed.istioAddons();
        } catch (IllegalStateException e) {
            org.junit.jupiter.api.Assumptions.abort("Istio's sample addons are not built: " + e.getMessage());
            return;
        }
        var loaded = IstioAddons.load(MESH, yaml("addons: {kiali: true, prometheus: true, grafana: true, tracing: true, manifests: "
                + samples + "}\n"), null);
        assertEquals(List.of(Addon.KIALI, Addon.PROMETHEUS, Addon.GRAFANA, Addon.TRACING), List.copyOf(loaded.keySet()));
    }
}

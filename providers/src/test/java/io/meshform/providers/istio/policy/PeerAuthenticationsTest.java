package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Server-side composition, with the cases of Istio's own {@code TestComposePeerAuthentication}
 * (pilot/pkg/security/authn/policy_applier_test.go, named as there) and the storage rules of
 * {@code addPeerAuthentication} (pilot/pkg/model/authentication.go). {@link MtlsAgreementIT} checks the same model
 * against istiod on random meshes.
 */
class PeerAuthenticationsTest {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final String ROOT = "root-namespace";
    private static final Map<String, String> FOO = Map.of("app", "foo");
    private final List<PeerPolicy> policies = new ArrayList<>();

    private void add(String ns, String name, Instant created, String spec) {
        policies.add(PeerPolicy.of(ns, name, created, YAML.readTree(spec.isEmpty() ? "{}" : spec), null));
    }

    private EffectiveMtls foo() {
        return new PeerAuthentications(ROOT, policies).effective("my-ns", FOO);
    }

    @Test
    void noConfigIsPermissive() {
        assertEquals(MtlsMode.PERMISSIVE, foo().mode());
    }

    @Test
    void meshOnlyAndMeshVsNamespace() {
        add(ROOT, "default", NOW, "mtls: {mode: STRICT}");
        assertEquals(MtlsMode.STRICT, foo().mode());
        add("my-ns", "default", NOW, "mtls: {mode: PERMISSIVE}");
        assertEquals(MtlsMode.PERMISSIVE, foo().mode());
    }

    @Test
    void ignoreNonEmptySelectorInRootNamespace() {
        add(ROOT, "default", NOW, "selector: {matchLabels: {app: foo}}\nmtls: {mode: STRICT}");
        assertEquals(MtlsMode.PERMISSIVE, foo().mode());
        // and a pod of the root namespace gets no workload-level policy at all
        assertEquals(MtlsMode.PERMISSIVE, new PeerAuthentications(ROOT, policies).effective(ROOT, FOO).mode());
    }

    @Test
    void workloadVsNamespaceConfigBothEmptyIsPermissive() {
        add("my-ns", "default", NOW, "");
        add("my-ns", "foo", NOW, "selector: {matchLabels: {app: foo}}");
        assertEquals(MtlsMode.PERMISSIVE, foo().mode());
    }

    @Test
    void multipleMeshNamespaceAndWorkloadPoliciesTheOldestThenTheSmallestNameWins() {
        for (String ns : new String[] {ROOT, "my-ns"}) {
            policies.clear();
            String sel = ns.equals(ROOT) ? "" : "selector: {matchLabels: {app: foo}}\n";
            add(ns, "now", NOW, sel + "mtls: {mode: DISABLE}");
            add(ns, "second later", NOW.minusSeconds(1), sel + "mtls: {mode: STRICT}");
            add(ns, "second ago", NOW.minusSeconds(1), sel + "mtls: {mode: PERMISSIVE}");
            assertEquals(MtlsMode.PERMISSIVE, foo().mode(), ns);
        }
        policies.clear();
        add("my-ns", "now", NOW, "mtls: {mode: DISABLE}");
        add("my-ns", "second later", NOW.minusSeconds(1), "mtls: {mode: STRICT}");
        add("my-ns", "second ago", NOW.minusSeconds(1), "mtls: {mode: PERMISSIVE}");
        assertEquals(MtlsMode.PERMISSIVE, foo().mode());
        assertEquals(2, new PeerAuthentications(ROOT, policies).shadowed().size(), "istiod drops all but the first");
    }

    @Test
    void inheritance() {
        add("my-ns", "foo", NOW, "selector: {matchLabels: {app: foo}}\nmtls: {}");
        assertEquals(MtlsMode.PERMISSIVE, foo().mode(), "default mesh");
        add(ROOT, "default", NOW, "mtls: {mode: STRICT}");
        assertEquals(MtlsMode.STRICT, foo().mode(), "mesh to workload");
        add("my-ns", "default", NOW, "mtls: {mode: UNSET}");
        assertEquals(MtlsMode.STRICT, foo().mode(), "mesh to namespace to workload");
        policies.removeIf(p -> p.namespace().equals(ROOT));
        add(ROOT, "default", NOW, "mtls: {mode: UNSET}");
        assertEquals(MtlsMode.PERMISSIVE, foo().mode(), "a mesh UNSET is PERMISSIVE");
    }

    @Test
    void portLevel() {
        add(ROOT, "default", NOW, "mtls: {mode: STRICT}");
        add("my-ns", "foo", NOW, "selector: {matchLabels: {app: foo}}\n"
                + "portLevelMtls: {\"80\": {mode: DISABLE}, \"90\": {mode: UNSET}, \"100\": {}}");
        EffectiveMtls e = foo();
        assertEquals(MtlsMode.DISABLE, e.forPort(80));
        assertEquals(MtlsMode.STRICT, e.forPort(90));
        assertEquals(MtlsMode.STRICT, e.forPort(100));
        assertEquals(MtlsMode.STRICT, e.forPort(8080), "port level miss");
    }

    @Test
    void onlyTheChosenWorkloadPolicysPortsCount() {
        add("my-ns", "a-old", NOW.minusSeconds(5), "selector: {matchLabels: {app: foo}}\nmtls: {mode: STRICT}");
        add("my-ns", "b-new", NOW, "selector: {matchLabels: {app: foo}}\nportLevelMtls: {\"8080\": {mode: DISABLE}}");
        assertEquals(MtlsMode.STRICT, foo().forPort(8080));
    }

    @Test
    void theNamespaceModeAutoMtlsReadsInheritsTheMeshOrIsUnknown() {
        PeerAuthentications none = new PeerAuthentications(ROOT, policies);
        assertEquals(Optional.empty(), none.namespaceMode("my-ns"));
        add("my-ns", "default", NOW, "");
        assertEquals(Optional.of(MtlsMode.PERMISSIVE), new PeerAuthentications(ROOT, policies).namespaceMode("my-ns"));
        add(ROOT, "default", NOW, "mtls: {mode: STRICT}");
        assertEquals(Optional.of(MtlsMode.STRICT), new PeerAuthentications(ROOT, policies).namespaceMode("my-ns"));
        add("my-ns", "foo", NOW, "selector: {matchLabels: {app: foo}}\nmtls: {mode: DISABLE}");
        assertEquals(Optional.of(MtlsMode.STRICT), new PeerAuthentications(ROOT, policies).namespaceMode("my-ns"),
                "workload policies are not consulted");
    }
}

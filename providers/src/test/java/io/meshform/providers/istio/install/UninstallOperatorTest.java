package io.meshform.providers.istio.install;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.plan.Sensitive;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The IstioOperator destroy hands to {@code istioctl uninstall -f} holds only what uninstall reads (the profile and
 * values.global.istioNamespace: operator/cmd/mesh/uninstall.go), a digested value it needs recovered from the cluster's
 * candidates. The live proof with the real istioctl is IstioUninstallIT.
 */
class UninstallOperatorTest {
    private static final JsonNode SPEC = yaml("""
            version: "1.30"
            profile: default
            hub: docker.io/istio
            tag: 1.30.3
            components: {ingressGateways: [{name: istio-ingressgateway, enabled: true}]}
            meshConfig:
              enableTracing: false
              connectTimeout: 10s
              defaultConfig: {concurrency: 2, proxyMetadata: {AUTH_TOKEN: s3cret-token}}
            values: {global: {istioNamespace: istio-mesh, proxy: {holdApplicationUntilProxyStarts: true}}, pilot: {replicaCount: 2}}
            """);

    /** The spec as the state records it, with the values at {@code pointers} digested (sensitive variables gave them). */
    private static JsonNode recorded(JsonNode spec, String... pointers) {
        return Sensitive.digest(spec, Set.of(pointers));
    }

    private static Supplier<Collection<String>> counting(List<String> reads, String... candidates) {
        return () -> {
            reads.add("read");
            return List.of(candidates);
        };
    }

    @Test
    void theFileHoldsTheProfileAndTheNamespaceAloneNoOtherRecordedValue() {
        JsonNode recorded = recorded(SPEC, "/meshConfig/enableTracing", "/meshConfig/connectTimeout",
                "/meshConfig/defaultConfig/concurrency", "/meshConfig/defaultConfig/proxyMetadata/AUTH_TOKEN",
                "/values/pilot/replicaCount", "/tag");
        List<String> reads = new ArrayList<>();
        JsonNode iop = UninstallOperator.of("istio.install.mesh", recorded, counting(reads));
        assertEquals(yaml("""
                apiVersion: install.istio.io/v1alpha1
                kind: IstioOperator
                spec: {profile: default, values: {global: {istioNamespace: istio-mesh}}}
                """), iop);
        assertEquals(List.of(), reads, "a namespace in clear needs no read of the cluster");
    }

    @Test
    void aDigestedNamespaceIsTheClusterNamespaceWhoseDigestItIs() {
        JsonNode recorded = recorded(SPEC, UninstallOperator.NAMESPACE);
        assertTrue(Sensitive.isDigest(recorded.at(UninstallOperator.NAMESPACE)), recorded.toString());
        JsonNode iop = UninstallOperator.of("istio.install.mesh", recorded, counting(new ArrayList<>(), "default",
                "istio-system", "istio-mesh", "kube-system"));
        assertEquals("istio-mesh", iop.at("/spec/values/global/istioNamespace").asString());
    }

    @Test
    void aDigestedNamespaceNoClusterNamespaceMatchesIsAnErrorSayingWhatToDo() {
        JsonNode recorded = recorded(SPEC, UninstallOperator.NAMESPACE);
        var e = assertThrows(DiagnosticsException.class, () -> UninstallOperator.of("istio.install.mesh", recorded,
                counting(new ArrayList<>(), "default", "istio-system")));
        assertTrue(e.getMessage().contains("istio.install.mesh: cannot uninstall: the state records values.global.istioNamespace"
                + " as a sensitive value's digest, and no namespace in the cluster has that digest"), e.getMessage());
        assertTrue(e.getMessage().contains("meshform state rm istio.install.mesh"), e.getMessage());
    }

    @Test
    void aDigestedProfileIsLeftOutTheDefaultSelectsTheSameObjects() {
        JsonNode iop = UninstallOperator.of("istio.install.mesh", recorded(SPEC, "/profile"), counting(new ArrayList<>()));
        assertTrue(iop.at("/spec/profile").isMissingNode(), iop.toString());
    }

    @Test
    void aDigestedRevisionOrPurgeIsRecoveredForItsFlag() {
        JsonNode canary = yaml("version: \"1.30\"\nrevision: canary\n");
        assertEquals("canary", UninstallOperator.revision("istio.install.canary", recorded(canary, "/revision"),
                counting(new ArrayList<>(), "default", "1-30-3", "canary")));
        JsonNode purge = yaml("version: \"1.30\"\npurge: true\n");
        assertTrue(UninstallOperator.purge("istio.install.mesh", recorded(purge, "/purge")));
        JsonNode keep = yaml("version: \"1.30\"\npurge: false\n");
        assertEquals(false, UninstallOperator.purge("istio.install.mesh", recorded(keep, "/purge")));
    }

    @Test
    void anInstallWithoutRevisionBesideACanaryRemovesTheDefaultRevisionAlone() {
        // -f alone selects by owning namespace only: Istio 1.30.3 removed istiod-1-31 with the default revision.
        JsonNode mesh = yaml("version: \"1.30\"\nprofile: default\n");
        List<String> reads = new ArrayList<>();
        var beside = UninstallOperator.command("istio.install.mesh", mesh, counting(reads, "default", "1-31"),
                counting(new ArrayList<>()));
        assertEquals(List.of("uninstall", "-y", "--revision", "default"), beside.args());
        assertEquals("default", beside.operator().at("/spec/profile").asString(), "the file still names the namespace");
        assertEquals(List.of("read"), reads, "the revisions are read once");

        var alone = UninstallOperator.command("istio.install.mesh", mesh, counting(new ArrayList<>(), "default"),
                counting(new ArrayList<>()));
        assertEquals(List.of("uninstall", "-y"), alone.args(), "the only control plane: -f as before");

        JsonNode canary = yaml("version: \"1.31\"\nrevision: 1-31\n");
        assertEquals(List.of("uninstall", "-y", "--revision", "1-31"), UninstallOperator.command("istio.install.canary",
                canary, counting(new ArrayList<>(), "default", "1-31"), counting(new ArrayList<>())).args());
    }
}

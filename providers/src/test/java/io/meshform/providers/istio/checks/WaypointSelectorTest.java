package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.istio.checks.MeshChecksTest.ctx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A waypoint never takes a selector policy (ShouldAttachPolicy, pilot/pkg/model/policyattachment.go, Istio 1.30.3). */
class WaypointSelectorTest {
    private static final Map<String, String> WAYPOINT_LABELS = Map.of("gateway.networking.k8s.io/gateway-name", "waypoint",
            "gateway.istio.io/managed", "istio.io-mesh-controller");

    /** A running waypoint pod as Istio's waypoint template starts it: istio-proxy with args {@code proxy waypoint}. */
    private static FakeCluster withWaypoint(FakeCluster cluster, String ns) {
        Pod p = FakeCluster.pod(ns, "waypoint-7d9c", WAYPOINT_LABELS, false);
        p.getSpec().getContainers().set(0, new ContainerBuilder().withName("istio-proxy").withArgs("proxy", "waypoint").build());
        cluster.pods.add(p);
        return cluster;
    }

    @Test
    void aDenyPolicyWhoseSelectorMatchesOnlyAWaypointSelectsNothing() {
        var deny = decl("istio.authorizationPolicy.block", "namespace: cortex\naction: DENY\n"
                + "selector: {matchLabels: {gateway.networking.k8s.io/gateway-name: waypoint}}\nrules: [{}]\n");
        FakeCluster cluster = withWaypoint(new FakeCluster(), "cortex");
        List<Diagnostic> ds = AuthorizationSelectsNothing.findings(cluster.mesh(ctx(Environment.PRODUCTION, deny)));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().contains("matches no running pod in the mesh in namespace cortex"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("matches only the waypoint pod(s) cortex/waypoint-7d9c, and istiod attaches no"
                + " selector policy to a waypoint"), ds.get(0).detail());
    }

    @Test
    void aSidecarWithTheSameLabelsStillCounts() {
        var deny = decl("istio.authorizationPolicy.block", "namespace: cortex\naction: DENY\n"
                + "selector: {matchLabels: {app: api}}\nrules: [{}]\n");
        FakeCluster cluster = withWaypoint(new FakeCluster(), "cortex").pod("cortex", "api-0", Map.of("app", "api"));
        assertEquals(List.of(), AuthorizationSelectsNothing.findings(cluster.mesh(ctx(Environment.PRODUCTION, deny))));
    }
}

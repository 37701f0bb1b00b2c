package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * On the real cluster, {@code kubectl -n istio-system scale deployment istiod --replicas=0} left drift saying "No drift.
 * 9 resources match what meshform applied." (exit 0) while the injector's webhook refused every new pod of cortex
 * ("failed calling webhook namespace.sidecar-injector.istio.io") and the HorizontalPodAutoscaler said ScalingDisabled.
 */
class ControlPlaneAvailableTest {
    private static final ResourceDecl INSTALL = decl("istio.install.mesh", "version: \"1.30.3\"\nprofile: default\n");

    private static List<Diagnostic> drift(FakeCluster live, ResourceDecl install) {
        return ControlPlaneAvailable.findings(live.mesh(MeshChecksTest.ctx(CheckContext.Purpose.DRIFT, Environment.PRODUCTION,
                install)));
    }

    private static FakeCluster istiod(String name, String replicas, int available) {
        FakeCluster live = new FakeCluster();
        live.istiods.add(YAMLMapper.builder().build().readTree("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: "
                + name + ", namespace: istio-system, labels: {app: istiod}}\nspec: {" + replicas + "}\nstatus: {availableReplicas: "
                + available + "}\n"));
        return live;
    }

    @Test
    void istiodScaledToZeroIsReported() {
        List<Diagnostic> ds = drift(istiod("istiod", "replicas: 0", 0), INSTALL);
        assertEquals(1, ds.size(), ds.toString());
        assertEquals("istio.install.mesh: istiod (Deployment istio-system/istiod) is scaled to 0 replicas", ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("does not scale a Deployment up from zero"), ds.get(0).detail());
        assertEquals(io.meshform.engine.diag.Severity.WARNING, ds.get(0).severity());
    }

    @Test
    void istiodWithoutAnAvailableReplicaIsReported() {
        List<Diagnostic> ds = drift(istiod("istiod", "replicas: 2", 0), INSTALL);
        assertEquals(List.of("istio.install.mesh: istiod (Deployment istio-system/istiod) has no available replica (0 of 2)"),
                ds.stream().map(Diagnostic::summary).toList());
    }

    @Test
    void anAvailableIstiodAndAnotherRevisionsAreNotTheInstallsConcern() {
        assertEquals(List.of(), drift(istiod("istiod", "replicas: 1", 1), INSTALL));
        assertEquals(List.of(), drift(istiod("istiod-canary", "replicas: 0", 0), INSTALL), "another revision's istiod");
        ResourceDecl canary = decl("istio.install.mesh", "version: \"1.30.3\"\nprofile: default\nrevision: canary\n");
        assertEquals(1, drift(istiod("istiod-canary", "replicas: 0", 0), canary).size(), "the install's own revision");
        assertEquals(List.of(), drift(new FakeCluster(), INSTALL), "not installed yet: the install's plan creates it");
    }
}

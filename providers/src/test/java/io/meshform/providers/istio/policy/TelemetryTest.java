package io.meshform.providers.istio.policy;

import io.meshform.providers.istio.IstioProvider;
import io.meshform.providers.istio.checks.MeshChecks;
import io.meshform.providers.istio.checks.MeshChecksTest;

import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.TestSpecs.errors;
import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.meshform.engine.model.Environment;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.List;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient
class TelemetryTest {
    KubernetesClient client;

    @Test
    void theTypeAddressesTelemetryV1() {
        var t = IstioProvider.telemetry(new KubeConnection(client, "meshform"));
        assertEquals("istio.telemetry", t.name());
        assertEquals("Telemetry", t.kind());
        assertEquals("telemetry.istio.io/v1", t.apiVersion());
    }

    @Test
    void aTracingProviderMissingFromMeshConfigWarns() {
        var telemetry = decl("istio.telemetry.mesh_tracing",
                "namespace: istio-system\ntracing: [{providers: [{name: zipkin}], randomSamplingPercentage: 10}]\n");
        var without = decl("istio.install.mesh", "version: \"1.30\"\nmeshConfig: {extensionProviders: [{name: cortex-auth-proxy}]}\n");
        var ds = io.meshform.providers.istio.checks.TracingProviderDeclared.findings(offline(MeshChecksTest.ctx(Environment.STAGING, without, telemetry)));
        assertEquals(1, ds.size());
        assertEquals("istio.telemetry.mesh_tracing: tracing provider `zipkin` is not declared in the meshConfig of"
                + " istio.install.mesh", ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("declared providers: cortex-auth-proxy"), ds.get(0).detail());
        var with = decl("istio.install.mesh", "version: \"1.30\"\nmeshConfig: {extensionProviders: [{name: zipkin,"
                + " zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}}]}\n");
        assertEquals(List.of(), io.meshform.providers.istio.checks.TracingProviderDeclared.findings(offline(MeshChecksTest.ctx(Environment.STAGING, with, telemetry))));
        assertEquals(List.of(), io.meshform.providers.istio.checks.TracingProviderDeclared.findings(offline(MeshChecksTest.ctx(Environment.STAGING, telemetry))),
                "without an install in the stack and a live mesh config the providers are unknown");
    }

    /** istiod finds the provider by name regardless of case, and uses the first of an entry only (telemetry.go). */
    @Test
    void theFirstTracingProviderIsJudgedAndItsNameIgnoresCase() {
        var install = decl("istio.install.mesh", "version: \"1.30\"\nmeshConfig: {extensionProviders: [{name: zipkin,"
                + " zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}}]}\n");
        var upper = decl("istio.telemetry.mesh_tracing", "namespace: istio-system\ntracing: [{providers: [{name: Zipkin}]}]\n");
        assertEquals(List.of(), io.meshform.providers.istio.checks.TracingProviderDeclared.findings(offline(MeshChecksTest.ctx(Environment.STAGING, install, upper))));
        var second = decl("istio.telemetry.mesh_tracing", "namespace: istio-system\ntracing: [{providers: [{name: zipkin}, {name: unused}]}]\n");
        assertEquals(List.of(), io.meshform.providers.istio.checks.TracingProviderDeclared.findings(offline(MeshChecksTest.ctx(Environment.STAGING, install, second))),
                "istiod never uses a second provider, so it is not judged");
    }

    private static io.meshform.providers.istio.checks.PlannedMesh offline(io.meshform.engine.spi.CheckContext ctx) {
        return new io.meshform.providers.istio.checks.PlannedMesh(ctx, io.meshform.providers.istio.checks.ClusterView.EMPTY);
    }
}

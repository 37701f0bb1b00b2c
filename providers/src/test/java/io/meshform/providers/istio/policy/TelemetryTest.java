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
    void validation() {
        var t = IstioProvider.telemetry(new KubeConnection(client, "meshform"));
        assertEquals(List.of(), errors(t.validate(yaml("""
                namespace: istio-system
                name: mesh-default
                tracing: [{providers: [{name: zipkin}], randomSamplingPercentage: 10.0, customTags: {}}]
                accessLogging: [{providers: [{name: envoy}]}]
                metrics: [{providers: [{name: prometheus}]}]
                """))));
        assertEquals(List.of("/tracing/0/randomSamplingPercentage: randomSamplingPercentage must be from 0 to 100, not 150",
                        "/tracing/1/providers/0/name: `name` must not be empty",
                        "/tracing/1/randomSamplingPercentage: randomSamplingPercentage must be a number from 0 to 100",
                        "/accessLogging: `accessLogging` must be a list",
                        "/metrics/0/providers/0/name: missing required field `name`"),
                errors(t.validate(yaml("""
                        namespace: istio-system
                        tracing:
                          - {providers: [{name: zipkin}], randomSamplingPercentage: 150}
                          - {providers: [{name: ""}], randomSamplingPercentage: "10"}
                        accessLogging: {providers: [{name: envoy}]}
                        metrics: [{providers: [{}]}]
                        """))));
        var unknown = errors(t.validate(yaml("namespace: x\ntracing: [{sampling: 10}]\n")));
        assertTrue(unknown.size() == 1 && unknown.get(0).startsWith("/tracing/0/sampling: "), unknown.toString());
    }

    @Test
    void aTracingProviderMissingFromMeshConfigWarns() {
        var telemetry = decl("istio.telemetry.mesh_tracing",
                "namespace: istio-system\ntracing: [{providers: [{name: zipkin}], randomSamplingPercentage: 10}]\n");
        var without = decl("istio.install.mesh", "version: \"1.30\"\nmeshConfig: {extensionProviders: [{name: cortex-auth-proxy}]}\n");
        var ds = io.meshform.providers.istio.checks.TracingProviderDeclared.findings(MeshChecksTest.ctx(Environment.STAGING, without, telemetry));
        assertEquals(1, ds.size());
        assertEquals("istio.telemetry.mesh_tracing: tracing provider `zipkin` is not declared in the istio.install"
                + " meshConfig.extensionProviders", ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("declared providers: cortex-auth-proxy"), ds.get(0).detail());
        var with = decl("istio.install.mesh", "version: \"1.30\"\nmeshConfig: {extensionProviders: [{name: zipkin,"
                + " zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}}]}\n");
        assertEquals(List.of(), io.meshform.providers.istio.checks.TracingProviderDeclared.findings(MeshChecksTest.ctx(Environment.STAGING, with, telemetry)));
        assertEquals(List.of(), io.meshform.providers.istio.checks.TracingProviderDeclared.findings(MeshChecksTest.ctx(Environment.STAGING, telemetry)),
                "without an install in the stack its meshConfig is unknown");
    }
}

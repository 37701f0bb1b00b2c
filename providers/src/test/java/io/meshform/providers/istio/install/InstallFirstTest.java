package io.meshform.providers.istio.install;

import static io.meshform.providers.TestSpecs.decl;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Provider;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.providers.MeshformProviderFactory;
import io.meshform.providers.TestSpecs;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The edges the Istio provider adds to Kubernetes resources (the Kubernetes types name no Istio): injection labels
 * and manifests of Istio kinds come after the stack's install; other labels and manifests do not wait for it.
 */
class InstallFirstTest {

    /**
     * A namespace that carries its injection label itself waits for the install too: apply picks the pods it restarts
     * from the live webhooks right after the labels land, and at --parallelism 10 a namespace moved to revision r1 was
     * applied while istioctl was still installing r1, so no r1 webhook answered, the move read as "injection off" and
     * the restarted pods came back without sidecars.
     */
    @Test
    void aNamespaceWithAnInjectionLabelComesAfterTheInstall() {
        var canary = decl("istio.install.canary", "version: \"1.30\"\nrevision: r1\n");
        var ns = decl("kubernetes.namespace.cortex", "name: cortex\nlabels: {istio.io/rev: r1}\n");
        var plain = decl("kubernetes.namespace.tools", "name: tools\nlabels: {team: pay}\n");
        var stack = TestSpecs.stack(Environment.STAGING, canary, ns, plain);
        List<Provider> providers = new MeshformProviderFactory().create(new ProviderSettings(Map.of("kubeconfig", "/nonexistent")));
        try {
            TypeRegistry types = new TypeRegistry(providers);
            assertEquals(Set.of(canary.address()), types.implicitDependencies(ns, stack));
            assertEquals(Set.of(), types.implicitDependencies(plain, stack));
        } finally {
            providers.forEach(Provider::close);
        }
    }

    @Test
    void injectionLabelsAndIstioManifestsComeAfterTheInstall() {
        var install = decl("istio.install.mesh", "version: \"1.30\"\n");
        var ns = decl("kubernetes.namespace.cortex", "name: cortex\n");
        var injection = decl("kubernetes.labels.cortex", "name: cortex\nlabels: {istio-injection: enabled}\n");
        var team = decl("kubernetes.labels.team", "name: cortex\nlabels: {team: pay}\n");
        var gateway = decl("kubernetes.manifest.gateway", "manifest: {apiVersion: networking.istio.io/v1, kind: Gateway,"
                + " metadata: {name: ingress, namespace: cortex}}\n");
        var config = decl("kubernetes.manifest.config", "manifest: {apiVersion: v1, kind: ConfigMap,"
                + " metadata: {name: app, namespace: cortex}}\n");
        var stack = TestSpecs.stack(Environment.STAGING, install, ns, injection, team, gateway, config);
        // The connection is made lazily: building the registry needs no cluster.
        List<Provider> providers = new MeshformProviderFactory().create(new ProviderSettings(Map.of("kubeconfig", "/nonexistent")));
        try {
            TypeRegistry types = new TypeRegistry(providers);
            assertEquals(Set.of(ns.address(), install.address()), types.implicitDependencies(injection, stack));
            assertEquals(Set.of(ns.address()), types.implicitDependencies(team, stack));
            assertEquals(Set.of(ns.address(), install.address()), types.implicitDependencies(gateway, stack));
            assertEquals(Set.of(ns.address()), types.implicitDependencies(config, stack));
            assertEquals(Set.of(), types.implicitDependencies(install, stack));
            var withoutInstall = TestSpecs.stack(Environment.STAGING, ns, injection);
            assertEquals(Set.of(), types.implicitDependencies(ns, stack), "a namespace without injection labels does not wait");
            assertEquals(Set.<ResourceAddress>of(ns.address()), types.implicitDependencies(injection, withoutInstall));
        } finally {
            providers.forEach(Provider::close);
        }
    }
}

package io.meshform.providers.kubernetes;

import io.meshform.engine.spi.Provider;
import io.meshform.engine.spi.ResourceType;
import java.util.List;

/** {@code kubernetes.*}: namespaces, labels on existing objects, arbitrary manifests. */
public final class KubernetesProvider implements Provider {
    private final KubeConnection kube;
    private final List<ResourceType> types;

    public KubernetesProvider(KubeConnection kube) {
        this(kube, NamespaceLabelEffects.NONE, ObjectRules.NONE);
    }

    /** {@code effects}: what another provider makes of namespace labels (Istio's sidecar injection). */
    public KubernetesProvider(KubeConnection kube, NamespaceLabelEffects effects) {
        this(kube, effects, ObjectRules.NONE);
    }

    /** {@code rules}: checks of kinds other providers know (Istio's), applied to manifests of those kinds. */
    public KubernetesProvider(KubeConnection kube, NamespaceLabelEffects effects, ObjectRules rules) {
        this.kube = kube;
        this.types = List.of(new NamespaceType(kube, effects), new LabelsType(kube, effects), new ManifestType(kube, rules));
    }

    @Override
    public List<io.meshform.engine.spi.PlanCheck> checks() {
        return List.of(new ManifestKindsCheck(KnownKinds.builtIn()));
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public List<ResourceType> resourceTypes() {
        return types;
    }

    /** GET /version: the cheapest request that proves the API server answers with these credentials' TLS. */
    @Override
    public void ping() {
        try {
            kube.client().getKubernetesVersion();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            throw kube.explain("meshform", "read", "the API server's version", e);
        }
    }

    /** Builds the shared client beside the stack's load ({@link KubeConnection#buildAhead}). */
    @Override
    public void prepare() {
        kube.buildAhead();
    }

    public KubeConnection connection() {
        return kube;
    }

    /** HTTP requests sent through the shared client so far. */
    public long requestCount() {
        return kube.requestCount();
    }

    /** The connection is shared with the Istio provider, so its count covers both. */
    @Override
    public java.util.Map<String, Long> counters() {
        // sorted: Map.of's order changes from JVM to JVM, and debug output is compared across runs
        return new java.util.TreeMap<>(java.util.Map.of("api_requests", kube.requestCount(),
                "first_request_ms", kube.counter().firstRequestAfterStartMillis()));
    }

    /** The requests sent through the shared client (both providers'), in the order they were sent. */
    @Override
    public java.util.List<String> debugLines() {
        return kube.counter().recent().stream().map(r -> "request " + r).toList();
    }

    /** Closes the shared client (the Istio provider of the same factory call shares it). */
    @Override
    public void close() {
        kube.close();
    }

    /** The kubeconfig read and the API server's address reached (nothing sent): {@link KubeConnection#client}. */
    @Override
    public void connect() {
        kube.client();
    }
}

package io.meshform.providers.kubernetes;

import io.meshform.engine.spi.Provider;
import io.meshform.engine.spi.ResourceType;
import java.util.List;

/** {@code kubernetes.*}: namespaces, labels on existing objects, arbitrary manifests. */
public final class KubernetesProvider implements Provider {
    private final KubeConnection kube;
    private final List<ResourceType> types;

    public KubernetesProvider(KubeConnection kube) {
        this(kube, NamespaceLabelEffects.NONE);
    }

    /** {@code effects}: what another provider makes of namespace labels (Istio's sidecar injection). */
    public KubernetesProvider(KubeConnection kube, NamespaceLabelEffects effects) {
        this.kube = kube;
        this.types = List.of(new NamespaceType(kube, effects), new LabelsType(kube, effects), new ManifestType(kube));
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public List<ResourceType> resourceTypes() {
        return types;
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
        return java.util.Map.of("api_requests", kube.requestCount(),
                "first_request_ms", kube.counter().firstRequestAfterStartMillis());
    }

    /** Closes the shared client (the Istio provider of the same factory call shares it). */
    @Override
    public void close() {
        kube.close();
    }
}

package io.meshform.providers.istio.checks;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The running pods of {@link #NON_MTLS_WORKLOADS}, listed on first use with one set-based LIST per label key
 * (three requests, however many selectors), then matched per selector as "namespace/name".
 */
public final class NonMtlsWorkloads {
    /**
     * Workloads of the Cortex guide that cannot speak mTLS, by the labels their packaged charts give them: MongoDB,
     * Redis and MinIO (the guide's own words), MinIO's bucket job and the Spark driver and executors.
     */
    public static final List<Map<String, String>> NON_MTLS_WORKLOADS = List.of(
            Map.of("app.kubernetes.io/name", "mongodb"),
            Map.of("app.kubernetes.io/name", "redis"),
            Map.of("app", "redis"),
            Map.of("app.kubernetes.io/name", "minio"),
            Map.of("app", "minio"),
            Map.of("app", "minio-job"),
            Map.of("spark-role", "driver"),
            Map.of("spark-role", "executor"));

    private final KubeConnection kube;
    private List<Pod> pods;

    NonMtlsWorkloads(KubeConnection kube) {
        this.kube = kube;
    }

    synchronized List<String> matching(Map<String, String> selector) {
        if (pods == null) {
            Map<String, TreeSet<String>> values = new java.util.TreeMap<>();
            NON_MTLS_WORKLOADS.forEach(w -> w.forEach((k, v) -> values.computeIfAbsent(k, x -> new TreeSet<>()).add(v)));
            List<Pod> all = new ArrayList<>();
            try {
                values.forEach((key, vals) -> all.addAll(kube.client().pods().inAnyNamespace()
                        .withLabelIn(key, vals.toArray(String[]::new)).list().getItems()));
            } catch (KubernetesClientException e) {
                // a check, not a gate: without pods to look at there is nothing to warn about
            }
            pods = all;
        }
        return pods.stream()
                .filter(p -> p.getMetadata().getLabels() != null && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .map(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()).distinct().sorted().toList();
    }
}

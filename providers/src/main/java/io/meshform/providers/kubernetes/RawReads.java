package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * GETs and LISTs whose answer is read as a JSON tree instead of fabric8's typed model. Reading a Pod, Service or
 * Deployment through the typed model makes Jackson build bean deserializers for the whole object graph (PodSpec,
 * Container, Volume...), and its introspection loads fabric8's Builder and Fluent class of each: the no-op plan of
 * examples/cortex-production.yaml loaded 482 fabric8 model classes from the jar, 35 once its reads of pods,
 * Services, Namespaces, the mesh ConfigMap and istiod's Deployment went through here (BENCHMARKS.md, issue 18
 * rawreads), while it needs a few labels, names and image tags. The request goes through the same client (its interceptors count and log it, its
 * retries apply; fabric8 8.0.0 {@code OperationSupport.handleRaw}), and a failed one throws the same
 * {@link KubernetesClientException}, so callers keep their error handling.
 */
public final class RawReads {
    private RawReads() {
    }

    /** The items of a LIST at {@code path} (e.g. "/api/v1/pods"); empty when the API server answers 404. */
    public static List<JsonNode> list(KubernetesClient client, String path) {
        JsonNode answer = get(client, path);
        List<JsonNode> out = new ArrayList<>();
        if (answer != null) {
            answer.path("items").forEach(out::add);
        }
        return out;
    }

    /** The object at {@code path}, or null when there is none (404). */
    public static JsonNode get(KubernetesClient client, String path) {
        String body;
        try {
            body = client.raw(path);
        } catch (KubernetesClientException e) {
            if (KubeErrors.notFound(e)) {
                return null;
            }
            throw e;
        }
        return body == null ? null : Json.MAPPER.readTree(body);
    }

    /** {@code path} with a label selector, encoded as fabric8's typed client sends it ("app%3Distiod"). */
    public static String withLabel(String path, String key, String value) {
        return path + (path.contains("?") ? "&" : "?") + "labelSelector="
                + URLEncoder.encode(key + "=" + value, StandardCharsets.UTF_8);
    }
}

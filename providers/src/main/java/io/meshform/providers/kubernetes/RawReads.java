package io.meshform.providers.kubernetes;

import static java.net.HttpURLConnection.HTTP_NOT_FOUND;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.OperationInfo;
import io.fabric8.kubernetes.client.dsl.Listable;
import io.fabric8.kubernetes.client.dsl.internal.OperationSupport;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.MalformedURLException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

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

    /**
     * The items of the LIST fabric8's {@code op} would send, as JSON trees parsed once from the answer (its list()
     * reads them into generic objects, and every caller turned those back into trees through a JSON string). The URL
     * is the operation's own: the plural it resolved (from a ResourceDefinitionContext, its model classes or discovery,
     * which throws for a kind the cluster does not serve), its namespace, or the client's default one for a namespaced
     * kind in none. As in fabric8 8.0.0 ({@code BaseOperation.list}, {@code updateListItems}): items get
     * {@code apiVersion} and {@code kind} when the server leaves them out, a 404 throws, and a request that got no
     * answer throws naming the operation ("Operation: [list] for kind: [...]"). {@code labelSelector} is "key=value" or
     * null.
     */
    public static List<JsonNode> items(KubernetesClient client, Listable<?> op, String apiVersion, String kind,
                                       String labelSelector) {
        OperationSupport support = (OperationSupport) op;
        String url;
        try {
            url = support.getNamespacedUrl().toString();
        } catch (MalformedURLException e) {
            throw KubernetesClientException.launderThrowable(((OperationInfo) op).forOperationType("list"), e);
        }
        if (labelSelector != null) {
            int eq = labelSelector.indexOf('=');
            url = withLabel(url, labelSelector.substring(0, eq), labelSelector.substring(eq + 1));
        }
        JsonNode answer;
        try {
            answer = gzipped(client, url, support.getRequestConfig().getRequestTimeout());
        } catch (KubernetesClientException e) {
            if (e.getCode() <= 0 && e.getStatus() == null && e.getCause() instanceof java.io.IOException io) {
                throw KubernetesClientException.launderThrowable(((OperationInfo) op).forOperationType("list"), io);
            }
            throw e;
        }
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode item : answer.path("items")) {
            if (item instanceof ObjectNode o) {
                String current = Json.text(o, "apiVersion");
                if (current == null || "v1".equals(current) || (current.indexOf('/') < 0 && apiVersion.indexOf('/') > 0)) {
                    o.put("apiVersion", apiVersion);
                }
                if (Json.text(o, "kind") == null) {
                    o.put("kind", kind);
                }
            }
            out.add(item);
        }
        return out;
    }

    /**
     * The object fabric8's named {@code op} would GET (its URL: the resolved plural, the namespace or the client's
     * default one, the name), as a JSON tree; null when the API server answers 404 (the object or its namespace does
     * not exist). Any other failure throws as fabric8's {@code get()} would, its Status kept.
     */
    public static JsonNode object(KubernetesClient client, io.fabric8.kubernetes.client.dsl.Resource<?> op) {
        OperationSupport support = (OperationSupport) op;
        String url;
        try {
            url = support.getResourceUrl().toString();
        } catch (MalformedURLException e) {
            throw KubernetesClientException.launderThrowable(((OperationInfo) op).forOperationType("get"), e);
        }
        try {
            return gzipped(client, url, support.getRequestConfig().getRequestTimeout());
        } catch (KubernetesClientException e) {
            if (KubeErrors.notFound(e)) {
                return null;
            }
            throw e;
        }
    }

    /**
     * The JSON answer of a GET of {@code url}, asking for it gzipped. The API server compresses answers above 128 KB
     * when asked (k8s.io/apiserver pkg/endpoints/handlers/responsewriters/writers.go, {@code defaultGzipThresholdBytes}),
     * as kubectl (Go's transport) always asks; {@code client.raw} neither asks nor decodes (fabric8 8.0.0
     * has no gzip), and at the bench's 1,000 objects the checks' LIST of every PeerAuthentication is 776 KB that the
     * CLI's C1 code decrypts (AES-GCM) and frames: 53-65 ms of CPU as is, 10-20 ms gzipped (BENCHMARKS.md, issue 18,
     * afternoon session, n1000). Otherwise what {@code raw(url, "GET", null)} does, in fabric8 8.0.0's
     * {@code OperationSupport.handleRaw}, {@code waitForResult} and {@code assertResponseCode}: the client's own
     * HTTP client (its interceptors count and log the request, its retries apply), the request timeout, a failed
     * answer thrown as {@code requestFailure(request, createStatus(response))}, an I/O failure laundered.
     */
    private static JsonNode gzipped(KubernetesClient client, String url, int requestTimeoutMillis) {
        HttpClient http = client.getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder().uri(url).method("GET", "application/json", null)
                .timeout(requestTimeoutMillis, TimeUnit.MILLISECONDS).header("Accept-Encoding", "gzip").build();
        try {
            HttpResponse<byte[]> response = waitFor(http.sendAsync(request, byte[].class));
            if (!response.isSuccessful()) {
                throw OperationSupport.requestFailure(request, response.code() == HTTP_NOT_FOUND ? notFound(response.body())
                        : OperationSupport.createStatus(response, client.getKubernetesSerialization()));
            }
            InputStream body = new ByteArrayInputStream(response.body());
            if ("gzip".equalsIgnoreCase(response.header("Content-Encoding"))) {
                body = new GZIPInputStream(body, 64 * 1024);
            }
            try (InputStream in = body) {
                return Json.MAPPER.readTree(in);
            }
        } catch (IOException e) {
            throw KubernetesClientException.launderThrowable(e);
        }
    }

    /**
     * The Status of a 404, read from the answer's JSON tree rather than by fabric8's {@code createStatus}: that binds the
     * body to its typed Status, and building that deserializer costs about 50 ms of CPU in a short run (issue 18
     * profile, 2026-12-04 night), paid by every plan against a cluster without the Gateway API CRDs, whose Gateways
     * LIST answers 404. Code, reason and message are what callers read ({@link KubeErrors#notFound}, the messages).
     */
    static Status notFound(byte[] body) {
        Status status = new Status();
        status.setApiVersion("v1");
        status.setKind("Status");
        status.setStatus("Failure");
        status.setCode(HTTP_NOT_FOUND);
        status.setReason("NotFound");
        status.setMessage("Not Found");
        if (body != null && body.length > 0) {
            try {
                JsonNode tree = Json.MAPPER.readTree(body);
                status.setMessage(Json.text(tree, "message", status.getMessage()));
                status.setReason(Json.text(tree, "reason", status.getReason()));
            } catch (RuntimeException notJson) {
                status.setMessage(new String(body, StandardCharsets.UTF_8).strip()); // e.g. "404 page not found"
            }
        }
        return status;
    }

    /**
     * fabric8 8.0.0 {@code OperationSupport.waitForResult}: the same exceptions for the same failures (for the raw
     * requests here and in {@link ServerSideApply}).
     */
    static <T> T waitFor(CompletableFuture<T> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException();
            interrupted.initCause(e);
            throw interrupted;
        } catch (ExecutionException e) {
            Throwable t = e.getCause() != null ? e.getCause() : e;
            if (t instanceof IOException) {
                throw new IOException(t.getMessage(), t);
            }
            if (t instanceof KubernetesClientException k) {
                throw k.copyAsCause();
            }
            throw new KubernetesClientException(t.getMessage(), t);
        }
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

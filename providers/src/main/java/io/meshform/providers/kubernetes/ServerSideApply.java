package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.OperationInfo;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.internal.OperationSupport;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.io.IOException;
import java.net.MalformedURLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Server-side apply (the SSA PATCH) of an object given as a JSON tree, sent as JSON bytes through fabric8's HTTP
 * client and answered as a JSON tree, as {@link RawReads} does for reads. fabric8's typed {@code patch} turned each
 * object into its model and back to JSON, joined the URL three times (a regex and a {@code java.net.URI} parse each)
 * and parsed the answer into a typed object of which meshform reads uid, resourceVersion and labels: more than half
 * of the apply threads' CPU samples at 1,000 objects (BENCHMARKS.md, issue 18 applywrite).
 *
 * <p>The request is the one fabric8 8.0.0 sends ({@code OperationSupport.handlePatch},
 * {@code getResourceURLForPatchOperation}): the same URL, query parameters in the same order, the same content type
 * ({@code application/apply-patch+yaml}; JSON is YAML) and request timeout; it goes through the same client, so the
 * interceptors count and log it and the client's retries apply. A refused request throws the
 * {@link KubernetesClientException} fabric8 throws ({@code OperationSupport.requestFailure} with the server's
 * Status), and one that got no answer the exception fabric8 wraps it in ("Operation: [patch] for kind: ..."), so
 * callers keep their error handling and their messages. A kind the client cannot resolve (not served, no model
 * class) is left to fabric8's typed path by the caller (see {@link #resolves}), whose error the messages quote.
 */
public final class ServerSideApply {
    private final KubeConnection kube;
    private final Function<Target, MixedOperation<?, ?, ?>> operations;
    /** Per kind and namespace: the URL of the collection, as fabric8 builds it (plural from its model or discovery). */
    private final Map<Target, Collection> collections = new ConcurrentHashMap<>();

    /**
     * Kinds resolved as fabric8's {@code client.resource(obj)} resolves them (its model classes, else discovery), a
     * built-in kind without the model-class scan ({@link BuiltInKinds}).
     */
    public ServerSideApply(KubeConnection kube) {
        this(kube, t -> BuiltInKinds.operation(kube.client(), t.apiVersion(), t.kind()));
    }

    /** {@code operations}: the fabric8 operation of a kind (e.g. from a fixed ResourceDefinitionContext, no discovery). */
    public ServerSideApply(KubeConnection kube, Function<Target, MixedOperation<?, ?, ?>> operations) {
        this.kube = kube;
        this.operations = operations;
    }

    /** Where objects of one kind in one namespace live, and what a request there needs from the operation. */
    private record Collection(String url, long timeoutMillis, OperationInfo info) {
    }

    /**
     * False when fabric8 cannot resolve the object's kind; the caller then applies through fabric8's typed path, so
     * the error (or the success of a kind resolved only by a model class) is exactly fabric8's.
     */
    public boolean resolves(JsonNode obj) {
        try {
            collection(ManifestType.target(obj));
            return true;
        } catch (KubernetesClientException | IllegalArgumentException | ClassCastException e) {
            return false;
        }
    }

    /**
     * Applies {@code obj} as {@code fieldManager} ({@code force} and {@code dryRun=All} only when asked; fieldValidation
     * Strict) and returns the object the API server answered with.
     */
    public JsonNode apply(ObjectNode obj, String fieldManager, boolean force, boolean dryRun) {
        Target t = ManifestType.target(obj);
        Collection c = collection(t);
        String url = c.url() + "/" + t.name() + query(fieldManager, force, dryRun);
        KubernetesClient client = kube.client();
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
                .method("PATCH", PatchType.SERVER_SIDE_APPLY.getContentType(), Json.MAPPER.writeValueAsString(obj))
                .timeout(c.timeoutMillis(), TimeUnit.MILLISECONDS).build();
        HttpResponse<byte[]> response;
        try {
            response = RawReads.waitFor(client.getHttpClient().sendAsync(request, byte[].class));
        } catch (IOException e) {
            // As fabric8's HasMetadataOperation.patch: the I/O failure (or interruption), named by the operation.
            throw KubernetesClientException.launderThrowable(info(c, t), e);
        }
        if (!response.isSuccessful()) {
            throw OperationSupport.requestFailure(request,
                    OperationSupport.createStatus(response, client.getKubernetesSerialization())).copyAsCause();
        }
        return Json.MAPPER.readTree(response.body());
    }

    private static OperationInfo info(Collection c, Target t) {
        return new io.fabric8.kubernetes.client.dsl.internal.DefaultOperationInfo(c.info().getKind(), "patch", t.name(),
                c.info().getNamespace(), c.info().getGroup(), c.info().getPlural(), c.info().getVersion());
    }

    /**
     * The query fabric8 8.0.0 appends for a server-side apply: {@code URLUtils.join} puts each parameter it adds in
     * front of those already there, so the last one added (fieldValidation) comes first.
     */
    static String query(String fieldManager, boolean force, boolean dryRun) {
        StringBuilder q = new StringBuilder("?fieldValidation=Strict&fieldManager=").append(fieldManager);
        if (dryRun) {
            q.append("&dryRun=All");
        }
        if (force) {
            q.append("&force=true");
        }
        return q.toString();
    }

    private Collection collection(Target t) {
        Target key = t.collection();
        Collection known = collections.get(key);
        if (known != null) {
            return known;
        }
        MixedOperation<?, ?, ?> op = operations.apply(t);
        Object scoped = t.namespace() == null ? op : op.inNamespace(t.namespace());
        OperationSupport support = (OperationSupport) scoped;
        Collection c;
        try {
            c = new Collection(support.getNamespacedUrl().toString(), support.getRequestConfig().getRequestTimeout(),
                    (OperationInfo) scoped);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("no URL for " + t.describe() + ": " + e.getMessage(), e);
        }
        collections.putIfAbsent(key, c);
        return c;
    }
}

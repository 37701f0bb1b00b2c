package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Completes once the API server has answered a request with these credentials: a success, or 404 for something that
 * is not there (a plan of a stack whose kinds are not installed yet gets nothing else). Not a refused or failed
 * connection, a TLS failure, 401 or 403, nor a 5xx answer: what follows those is an error for the user, and
 * whatever waits for this (istioctl analyze) should not have started. fabric8 calls {@link #after} when a response's
 * status and headers have arrived, on its HTTP client's thread.
 *
 * <p>It also remembers a 401: kube-apiserver closes an HTTP/2 connection after answering a client it did not
 * authenticate (GOAWAY; {@code UnauthenticatedHTTP2DOSMitigation} in k8s.io/apiserver's
 * pkg/endpoints/filters/authentication.go), and JDK 17's HTTP client then fails every request on that connection with
 * an IOException, so the reads sent beside the refused one look unanswered. {@link KubeConnection#explain} names the
 * refused credentials instead.
 */
final class ClusterAnswered implements Interceptor {
    private final CompletableFuture<Void> answered = new CompletableFuture<>();
    private volatile boolean credentialsRefused;

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        if (response.isSuccessful() || response.code() == 404) {
            answered.complete(null);
        } else if (response.code() == 401) {
            credentialsRefused = true;
        }
    }

    /** Whether the API server answered a request of this client with 401 Unauthorized. */
    boolean credentialsRefused() {
        return credentialsRefused;
    }

    /** Whether the server has answered a request of this client (a success or a 404). */
    boolean hasAnswered() {
        return answered.isDone();
    }

    /** The event; what is chained to it runs on the thread that completes it, so it should only hand work on. */
    CompletionStage<Void> event() {
        return answered.minimalCompletionStage();
    }
}

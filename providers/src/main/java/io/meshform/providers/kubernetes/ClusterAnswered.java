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
 */
final class ClusterAnswered implements Interceptor {
    private final CompletableFuture<Void> answered = new CompletableFuture<>();

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        if (response.isSuccessful() || response.code() == 404) {
            answered.complete(null);
        }
    }

    /** The event; what is chained to it runs on the thread that completes it, so it should only hand work on. */
    CompletionStage<Void> event() {
        return answered.minimalCompletionStage();
    }
}

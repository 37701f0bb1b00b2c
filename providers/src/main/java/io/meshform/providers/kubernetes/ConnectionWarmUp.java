package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens the client's one connection before the run's parallel requests start. The JDK HTTP client opens a new TLS
 * connection for every request sent while no connection to the server is up yet, so a plan's first parallel LISTs
 * made about ten full handshakes (each with the client certificate's RSA signature, on both sides' CPU) where HTTP/2
 * needs one: measured 11 connections for a plan's 20 requests (BENCHMARKS.md, issue 18 night session). One request
 * sent and answered first leaves one HTTP/2 connection that every later request shares.
 *
 * <p>The request is GET /version, sent once, without credentials and without fabric8's retries. Its answer is not
 * used and its failure is ignored: the run's real requests meet the same server and report whatever is wrong
 * exactly as they did before, so no message or exit code changes. It is counted like any other request.
 */
final class ConnectionWarmUp {
    /** A server slower than this to answer /version gets the parallel requests anyway (as before). */
    static final long WAIT_SECONDS = 5;

    private ConnectionWarmUp() {
    }

    static void run(KubernetesClient client) {
        try {
            RequestConfig once = new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
                    .withRequestRetryBackoffLimit(0).build();
            // A derived client shares the JDK client, so its connection pool; it is not closed, since closing it
            // would close the shared one.
            HttpClient http = client.getHttpClient().newBuilder().authenticatorNone().tag(once).build();
            HttpRequest version = http.newHttpRequestBuilder()
                    .uri(client.getMasterUrl().toString().replaceAll("/+$", "") + "/version")
                    .timeout(WAIT_SECONDS, TimeUnit.SECONDS).build();
            http.sendAsync(version, byte[].class).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // the run's own requests report what is wrong with this server
        }
    }
}

package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Lets the client's first request go alone and holds the others until it has an answer (or fails). A plan reads
 * its types in parallel; started together, each read opened its own TLS connection, so a small plan paid for six
 * full handshakes (key exchange, the server's chain, a signature with the client key: about a third of the CPU
 * before the first answer on the local cluster). Once the first connection is up, the rest share it (HTTP/2) or
 * resume its session. The wait is bounded: when the first request neither answers nor fails within
 * {@code maxWaitMillis}, the others go anyway (each with its own connection, as before).
 *
 * <p>When the first answer was 401 Unauthorized, the held requests are not sent: they fail at once with
 * {@link CredentialsRefused}. Sent, they met a connection kube-apiserver closes after refusing a client (GOAWAY), and
 * fabric8 retried each of those failures with growing pauses (StandardHttpClient.shouldRetry retries any IOException),
 * so a wrong token took seconds to report. Throwing here reaches the caller of the request: a held request is always
 * in its first attempt (any attempt's failure or answer opens the gate first), and fabric8 makes the first attempt on
 * the caller's thread (AsyncUtils.retryWithExponentialBackoff calls the action directly; only retries are scheduled).
 */
final class FirstRequestGate implements Interceptor {
    private final AtomicBoolean leaderChosen = new AtomicBoolean();
    private final CountDownLatch answered = new CountDownLatch(1);
    private final AtomicBoolean firstAnswer = new AtomicBoolean();
    private final long maxWaitMillis;
    private final Runnable onFirstAnswer;
    private final java.util.function.BooleanSupplier credentialsRefused;

    FirstRequestGate(long maxWaitMillis) {
        this(maxWaitMillis, () -> { });
    }

    /** {@code onFirstAnswer} runs once, on the HTTP client's thread, when the first request is answered or fails. */
    FirstRequestGate(long maxWaitMillis, Runnable onFirstAnswer) {
        this(maxWaitMillis, onFirstAnswer, () -> false);
    }

    /**
     * {@code credentialsRefused}: whether the server has answered this client 401 ({@link ClusterAnswered}, whose
     * {@code after} runs before this gate's, so it is known when the held requests are let go).
     */
    FirstRequestGate(long maxWaitMillis, Runnable onFirstAnswer, java.util.function.BooleanSupplier credentialsRefused) {
        this.maxWaitMillis = maxWaitMillis;
        this.onFirstAnswer = onFirstAnswer;
        this.credentialsRefused = credentialsRefused;
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (answered.getCount() == 0 || leaderChosen.compareAndSet(false, true)) {
            return;
        }
        try {
            answered.await(maxWaitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (credentialsRefused.getAsBoolean()) {
            throw new CredentialsRefused();
        }
    }

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        opened();
    }

    @Override
    public void afterConnectionFailure(HttpRequest request, Throwable failure) {
        opened();
    }

    private void opened() {
        answered.countDown();
        if (firstAnswer.compareAndSet(false, true)) {
            onFirstAnswer.run();
        }
    }

    /** True once the first request has been answered or failed (then nothing waits any more). */
    boolean open() {
        return answered.getCount() == 0;
    }
}

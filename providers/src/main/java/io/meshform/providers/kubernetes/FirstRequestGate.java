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
 */
final class FirstRequestGate implements Interceptor {
    private final AtomicBoolean leaderChosen = new AtomicBoolean();
    private final CountDownLatch answered = new CountDownLatch(1);
    private final AtomicBoolean firstAnswer = new AtomicBoolean();
    private final long maxWaitMillis;
    private final Runnable onFirstAnswer;

    FirstRequestGate(long maxWaitMillis) {
        this(maxWaitMillis, () -> { });
    }

    /** {@code onFirstAnswer} runs once, on the HTTP client's thread, when the first request is answered or fails. */
    FirstRequestGate(long maxWaitMillis, Runnable onFirstAnswer) {
        this.maxWaitMillis = maxWaitMillis;
        this.onFirstAnswer = onFirstAnswer;
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

package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ClientSetUpTest {

    /** A client that only counts its close() calls. */
    static KubernetesClient closeCounting(AtomicInteger closed) {
        return (KubernetesClient) Proxy.newProxyInstance(KubernetesClient.class.getClassLoader(),
                new Class<?>[] {KubernetesClient.class}, (p, m, a) -> {
                    if (m.getName().equals("close")) {
                        closed.incrementAndGet();
                        return null;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    @Test
    void theFirstCallerGetsTheClientBuiltAhead() {
        KubernetesClient client = closeCounting(new AtomicInteger());
        AtomicReference<KubeConnection.Connected> handed = new AtomicReference<>();
        CountDownLatch then = new CountDownLatch(1);
        ClientSetUp setUp = ClientSetUp.start(() -> new KubeConnection.Connected(client, "context a at https://x"), c -> {
            handed.set(c);
            then.countDown();
        });
        assertSame(client, setUp.await().client());
        assertEquals("context a at https://x", setUp.await().describedAs());
        assertTrue(await(then));
        assertSame(client, handed.get().client(), "what follows the set-up gets the same client");
    }

    @Test
    void whatTheSetUpThrewIsThrownToTheCallerUnchanged() {
        DiagnosticsException refused = new DiagnosticsException(Diagnostic.error(
                "cannot reach the Kubernetes API server (context a at https://127.0.0.1:1): Connection refused", null, null));
        AtomicReference<KubeConnection.Connected> handed = new AtomicReference<>(new KubeConnection.Connected(null, "not yet"));
        CountDownLatch then = new CountDownLatch(1);
        ClientSetUp setUp = ClientSetUp.start(() -> {
            throw refused;
        }, c -> {
            handed.set(c);
            then.countDown();
        });
        assertSame(refused, assertThrows(DiagnosticsException.class, setUp::await));
        assertTrue(await(then));
        assertEquals(null, handed.get(), "what follows a failed set-up is told there is no client");
    }

    @Test
    void aDiscardedSetUpClosesTheClientItBuildsLater() {
        AtomicInteger closed = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        ClientSetUp setUp = ClientSetUp.start(() -> {
            await(release);
            return new KubeConnection.Connected(closeCounting(closed), "later");
        }, c -> done.countDown());
        setUp.discard(); // returns while the set-up still waits
        assertEquals(0, closed.get());
        release.countDown();
        assertTrue(await(done));
        assertEquals(1, closed.get(), "nobody took the client, so it is closed");
    }

    @Test
    void aDiscardedSetUpThatFailedClosesNothing() {
        CountDownLatch done = new CountDownLatch(1);
        ClientSetUp setUp = ClientSetUp.start(() -> {
            throw new IllegalStateException("no kubeconfig");
        }, c -> done.countDown());
        assertTrue(await(done));
        assertDoesNotThrow(setUp::discard);
    }

    private static boolean await(CountDownLatch latch) {
        try {
            latch.await();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

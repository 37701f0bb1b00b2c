package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import tools.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InFlightListsTest {
    static final Target NAMESPACES = new Target("v1", "Namespace", null, null);

    @Test
    void aReaderArrivingWhileTheListIsUnderWayGetsItsAnswerAndALaterOneAsksAgain() throws Exception {
        InFlightLists lists = new InFlightLists();
        AtomicInteger sent = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        List<JsonNode> items = new ArrayList<>();
        var first = CompletableFuture.supplyAsync(() -> lists.list(NAMESPACES, () -> {
            sent.incrementAndGet();
            started.countDown();
            await(answer);
            return items;
        }));
        started.await(10, TimeUnit.SECONDS);
        var second = new CompletableFuture<List<JsonNode>>();
        Thread reader = new Thread(() -> second.complete(lists.list(NAMESPACES, () -> {
            sent.incrementAndGet();
            return List.of();
        })));
        reader.start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reader.getState() != Thread.State.WAITING && System.nanoTime() < until) {
            Thread.onSpinWait(); // until the second reader waits for the first one's answer
        }
        answer.countDown();
        assertSame(items, first.get(10, TimeUnit.SECONDS));
        assertSame(items, second.get(10, TimeUnit.SECONDS));
        assertEquals(1, sent.get(), "one LIST for both readers");

        lists.list(NAMESPACES, () -> {
            sent.incrementAndGet();
            return List.of();
        });
        assertEquals(2, sent.get(), "an answered LIST is not kept for later readers");
    }

    @Test
    void aFailedListFailsItsReaderAndIsNotKept() {
        InFlightLists lists = new InFlightLists();
        assertThrows(KubernetesClientException.class, () -> lists.list(NAMESPACES, () -> {
            throw new KubernetesClientException("forbidden", 403, null);
        }));
        assertEquals(List.of(), lists.list(NAMESPACES, List::of));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

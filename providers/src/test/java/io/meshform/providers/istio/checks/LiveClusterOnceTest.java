package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A view's read runs once, whoever asks first (a check or the read-ahead), and everyone asking meanwhile waits for it. */
class LiveClusterOnceTest {

    @Test
    void concurrentAsksWaitForTheOneReadUnderWay() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LiveCluster.Once<String> once = new LiveCluster.Once<>(() -> {
            reads.incrementAndGet();
            started.countDown();
            assertTrue(release.await(10, TimeUnit.SECONDS));
            return "pods";
        });
        Thread prefetch = new Thread(once::run);
        prefetch.start();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        List<String> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> checks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Thread t = new Thread(() -> answers.add(once.get()));
            t.start();
            checks.add(t);
        }
        Thread.sleep(50); // the checks are now waiting on the read under way, not starting their own
        assertEquals(0, answers.size());
        release.countDown();
        for (Thread t : checks) {
            t.join(10_000);
        }
        prefetch.join(10_000);
        assertEquals(List.of("pods", "pods", "pods"), answers);
        assertEquals("pods", once.get());
        assertEquals(1, reads.get());
    }

    @Test
    void aReadNobodyStartedRunsOnTheFirstAsk() {
        AtomicInteger reads = new AtomicInteger();
        LiveCluster.Once<Integer> once = new LiveCluster.Once<>(reads::incrementAndGet);
        assertEquals(1, once.get());
        assertEquals(1, once.get());
        once.run();
        assertEquals(1, reads.get());
    }
}

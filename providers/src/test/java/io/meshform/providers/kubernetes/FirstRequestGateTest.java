package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FirstRequestGateTest {

    /** Starts a thread that passes the gate and counts; returns it started. */
    static Thread follower(FirstRequestGate gate, AtomicInteger passed, CountDownLatch started) {
        Thread t = new Thread(() -> {
            started.countDown();
            gate.before(null, null, null);
            passed.incrementAndGet();
        });
        t.start();
        return t;
    }

    @Test
    void theFirstRequestGoesAloneAndTheOthersFollowItsAnswer() throws Exception {
        FirstRequestGate gate = new FirstRequestGate(60_000);
        gate.before(null, null, null); // the first request: not held
        AtomicInteger passed = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(3);
        Thread[] others = {follower(gate, passed, started), follower(gate, passed, started), follower(gate, passed, started)};
        assertTrue(started.await(10, TimeUnit.SECONDS));
        Thread.sleep(200);
        assertEquals(0, passed.get(), "held while the first request has no answer");
        gate.after(null, null, null);
        for (Thread t : others) {
            t.join(10_000);
        }
        assertEquals(3, passed.get());
        assertTrue(gate.open());
        long start = System.nanoTime();
        gate.before(null, null, null);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "an open gate holds nothing");
    }

    @Test
    void aFailedFirstRequestReleasesTheOthers() throws Exception {
        FirstRequestGate gate = new FirstRequestGate(60_000);
        gate.before(null, null, null);
        AtomicInteger passed = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        Thread t = follower(gate, passed, started);
        assertTrue(started.await(10, TimeUnit.SECONDS));
        gate.afterConnectionFailure(null, new java.io.IOException("refused"));
        t.join(10_000);
        assertEquals(1, passed.get());
    }

    @Test
    void theWaitIsBoundedWhenTheFirstRequestNeverAnswers() throws Exception {
        FirstRequestGate gate = new FirstRequestGate(300);
        gate.before(null, null, null);
        long start = System.nanoTime();
        gate.before(null, null, null);
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waited >= 250, "held for about the bound, was " + waited + " ms");
        assertFalse(gate.open(), "still no answer");
    }

    @Test
    void theFirstAnswerOrFailureIsAnnouncedOnce() {
        AtomicInteger announced = new AtomicInteger();
        FirstRequestGate gate = new FirstRequestGate(60_000, announced::incrementAndGet);
        gate.before(null, null, null);
        assertEquals(0, announced.get(), "nothing before an answer");
        gate.afterConnectionFailure(null, new java.io.IOException("refused"));
        gate.after(null, null, null);
        gate.after(null, null, null);
        assertEquals(1, announced.get());
    }

    @Test
    void afterA401TheHeldRequestsFailAtOnceInsteadOfBeingSent() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean refused = new java.util.concurrent.atomic.AtomicBoolean();
        FirstRequestGate gate = new FirstRequestGate(60_000, () -> { }, refused::get);
        gate.before(null, null, null); // the first request
        java.util.concurrent.CompletableFuture<Throwable> held = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                gate.before(null, null, null);
                held.complete(null);
            } catch (RuntimeException e) {
                held.complete(e);
            }
        });
        t.start();
        while (t.getState() != Thread.State.TIMED_WAITING) { // held in the gate
            assertFalse(held.isDone(), "the second request was held");
            Thread.onSpinWait();
        }
        refused.set(true); // ClusterAnswered saw the 401 (its after runs before the gate's)
        gate.after(null, null, null);
        Throwable thrown = held.get(10, TimeUnit.SECONDS);
        assertTrue(thrown instanceof CredentialsRefused, String.valueOf(thrown));
        assertEquals(401, KubeErrors.code((CredentialsRefused) thrown));
        // A request made once the gate is open passes (it may be fabric8's retry, which must never throw here).
        gate.before(null, null, null);
    }

    @Test
    void withoutA401TheHeldRequestsAreSent() throws Exception {
        FirstRequestGate gate = new FirstRequestGate(60_000, () -> { }, () -> false);
        gate.before(null, null, null);
        AtomicInteger passed = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        Thread t = follower(gate, passed, started);
        assertTrue(started.await(10, TimeUnit.SECONDS));
        gate.after(null, null, null);
        t.join(10_000);
        assertEquals(1, passed.get());
    }
}

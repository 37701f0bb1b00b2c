package io.meshform.engine.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ComparisonsTest {

    @Test
    void everyItemGetsItsOwnAnswerNullsIncluded() {
        Map<String, Integer> out = Comparisons.inOrder(List.of("a", "bb", "", "dddd"), s -> s.isEmpty() ? null : s.length());
        assertEquals(4, out.size());
        assertEquals(2, out.get("bb"));
        assertNull(out.get(""));
        assertTrue(out.containsKey(""));
    }

    /** Each comparison waits until the other has started: only comparisons that run at once both finish. */
    @Test
    void comparisonsRunAtOnce() {
        CountDownLatch both = new CountDownLatch(2);
        Map<String, Boolean> out = Comparisons.inOrder(List.of("x", "y"), s -> {
            both.countDown();
            try {
                return both.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(Map.of("x", true, "y", true), out);
    }

    /** The first item's failure in their order is thrown, as a loop would, even when a later one failed first. */
    @Test
    void theFirstFailureInOrderIsThrown() throws Exception {
        CountDownLatch laterFailed = new CountDownLatch(1);
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> Comparisons.inOrder(
                List.of("first", "later"), s -> {
                    if (s.equals("later")) {
                        laterFailed.countDown();
                        throw new IllegalArgumentException("later");
                    }
                    try {
                        laterFailed.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    throw new IllegalArgumentException("first");
                }));
        assertEquals("first", thrown.getMessage());
    }
}

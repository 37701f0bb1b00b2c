package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IdleHttpSelectorsTest {

    @Test
    void theSelectorThreadOfAnIdleJdkHttpClientEnds() {
        HttpClient client = HttpClient.newHttpClient();
        assertTrue(selectorAlive(), "a new JDK HTTP client starts its selector thread");
        assertTrue(IdleHttpSelectors.stop() >= 1, "stop() reports the selector thread it ended");
        assertFalse(selectorAlive(), "no selector thread is left for the JVM's exit to wait on");
        // the client object stays reachable until here: its selector ended because it was told to, not collected
        assertTrue(client.version() != null);
    }

    private static boolean selectorAlive() {
        Thread[] threads = new Thread[Thread.activeCount() + 64];
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        int n = root.enumerate(threads, true);
        return Arrays.stream(threads, 0, n).anyMatch(t -> t.getName().startsWith("HttpClient-")
                && t.getName().endsWith("-SelectorManager") && t.isAlive());
    }
}

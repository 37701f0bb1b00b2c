package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.http.HttpClient;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdleHttpSelectorsTest {

    @Test
    void theSelectorThreadOfAnIdleJdkHttpClientEnds() {
        List<Thread> before = IdleHttpSelectors.selectorThreads();
        HttpClient client = HttpClient.newHttpClient();
        // Only this client's thread is stopped: other tests in this JVM may still use theirs.
        List<Thread> mine = IdleHttpSelectors.selectorThreads();
        mine.removeAll(before);
        assertEquals(1, mine.size(), "a new JDK HTTP client starts one selector thread");
        assertEquals(1, IdleHttpSelectors.stop(mine::contains), "stop() reports the selector thread it ended");
        assertFalse(mine.get(0).isAlive(), "no selector thread is left for the JVM's exit to wait on");
        // the client stays reachable until here: its selector ended because it was told to, not because it was collected
        assertNotNull(client.version());
    }
}

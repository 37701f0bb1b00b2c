package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The wait a refusal says it made, written as --lock-timeout takes it. */
class LockWaitShownTest {
    @Test
    void waitsAreWrittenAsTheOptionTakesThem() {
        assertEquals("3s", StateLockedException.shown(Duration.ofSeconds(3)));
        assertEquals("1m30s", StateLockedException.shown(Duration.ofSeconds(90)));
        assertEquals("5m", StateLockedException.shown(Duration.ofMinutes(5)));
        assertEquals("2h", StateLockedException.shown(Duration.ofHours(2)));
        assertEquals("1h1s", StateLockedException.shown(Duration.ofSeconds(3601)));
        assertEquals("500ms", StateLockedException.shown(Duration.ofMillis(500)));
    }
}

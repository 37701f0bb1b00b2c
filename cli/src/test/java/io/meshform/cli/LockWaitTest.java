package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** {@code --lock-timeout}: whole seconds as before, and the durations a Terraform user gives {@code -lock-timeout}. */
class LockWaitTest {
    private final Choices.Wait wait = new Choices.Wait();

    @Test
    void wholeSecondsAndGoStyleDurations() {
        assertEquals(Duration.ZERO, wait.convert("0"));
        assertEquals(Duration.ofSeconds(30), wait.convert("30"));
        assertEquals(Duration.ZERO, wait.convert("0s"));
        assertEquals(Duration.ofSeconds(30), wait.convert("30s"));
        assertEquals(Duration.ofMinutes(5), wait.convert("5m"));
        assertEquals(Duration.ofSeconds(90), wait.convert("1m30s"));
        assertEquals(Duration.ofHours(2), wait.convert("2h"));
        assertEquals(Duration.ofMillis(500), wait.convert("500ms"));
        assertEquals(Duration.ofHours(1).plusMinutes(2).plusSeconds(3).plusMillis(4), wait.convert("1h2m3s4ms"));
    }

    /** What Go 1.26's time.ParseDuration gives for each (go run, printed beside it), as Terraform reads -lock-timeout. */
    @Test
    void fractionsMicrosecondsAndAnyOrderAsGoTakesThem() {
        assertEquals(Duration.ofMillis(1500), wait.convert("1.5s"));
        assertEquals(Duration.ofMillis(500), wait.convert("0.5s"));
        assertEquals(Duration.ofMillis(500), wait.convert(".5s"));
        assertEquals(Duration.ofSeconds(1), wait.convert("1.s"));
        assertEquals(Duration.ofMinutes(90), wait.convert("1.5h"));
        assertEquals(Duration.ofSeconds(330), wait.convert("30s5m"));
        assertEquals(Duration.ofMinutes(10), wait.convert("5m5m"));
        assertEquals(Duration.ofNanos(1000), wait.convert("1us"));
        assertEquals(Duration.ofNanos(1000), wait.convert("1\u00b5s"));
        assertEquals(Duration.ofNanos(1000), wait.convert("1\u03bcs"));
        assertEquals(Duration.ofSeconds(5), wait.convert("+5s"));
        assertEquals(Duration.ZERO, wait.convert("0.0000000001s"));
    }

    @Test
    void anythingElseIsRefusedWithTheFormsItTakes() {
        for (String bad : new String[] {"", "s", "5x", ".s", "1e3s", "5 m", "m5", "5sec", "1d", "1..5s"}) {
            TypeConversionException e = assertThrows(TypeConversionException.class, () -> wait.convert(bad), bad);
            assertTrue(e.getMessage().contains("give whole seconds (30) or a duration such as 30s, 5m, 1m30s, 0.5s or 500ms"), e.getMessage());
        }
        assertTrue(assertThrows(TypeConversionException.class, () -> wait.convert("-1")).getMessage().contains("must be 0 or more"));
        // Seconds beyond a long are a duration too, one too long: it said "is not a duration".
        assertTrue(assertThrows(TypeConversionException.class, () -> wait.convert("99999999999999999999"))
                .getMessage().contains("7 days"));
        assertTrue(assertThrows(TypeConversionException.class, () -> wait.convert("99999999999999999999999h"))
                .getMessage().contains("7 days"));
        assertTrue(assertThrows(TypeConversionException.class, () -> wait.convert("169h")).getMessage().contains("7 days"));
        assertEquals(Duration.ofDays(7), wait.convert("168h"));
    }
}

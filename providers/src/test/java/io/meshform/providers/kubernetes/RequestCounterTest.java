package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RequestCounterTest {

    @Test
    void processAgeAgreesWithTheJvmsOwnUptime() {
        // The JVM's uptime starts a little after the process (the launcher and the JVM's own start come first), so the
        // process's age is at least the uptime and, in a test JVM, not seconds more. ProcessHandle's start instant
        // would fail the upper bound by up to a second (the boot time it adds is in whole seconds).
        long uptimeBefore = ManagementFactory.getRuntimeMXBean().getUptime();
        OptionalLong age = RequestCounter.processAgeMillis();
        long uptimeAfter = ManagementFactory.getRuntimeMXBean().getUptime();
        assertTrue(age.isPresent(), "/proc gives the process's age on Linux");
        assertTrue(age.getAsLong() >= uptimeBefore - 20 && age.getAsLong() <= uptimeAfter + 500,
                "age " + age.getAsLong() + " ms against JVM uptime " + uptimeBefore + "-" + uptimeAfter + " ms");
    }

    @Test
    void noFirstRequestYetIsMinusOne() {
        assertEquals(-1, new RequestCounter().firstRequestAfterStartMillis());
        assertTrue(new RequestCounter().recent().isEmpty());
    }
}

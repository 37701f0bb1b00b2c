package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.render.Style;
import io.meshform.engine.spi.Action;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    @Test
    void stillRunningLinesComeInAddressOrderWhateverOrderTheStepsStartedIn() {
        List<ResourceChange> steps = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            steps.add(new ResourceChange(new ResourceAddress("istio.peerAuthentication", "p" + (char) ('a' + i)),
                    Action.values()[i % 3], "r", null, null, List.of(), List.of(), Map.of(), null, List.of()));
        }
        List<String> expected = steps.stream().map(c -> c.address() + ": still").toList();
        for (long seed = 0; seed < 3; seed++) {
            Collections.shuffle(steps, new Random(seed));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ConsoleProgress progress = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), Style.plain())) {
                steps.forEach(progress::started);
                bytes.reset();
                progress.heartbeat();
            }
            List<String> lines = Arrays.stream(bytes.toString(StandardCharsets.UTF_8).split("\n"))
                    .map(l -> l.substring(0, l.indexOf(": still") + ": still".length())).toList();
            assertEquals(expected, lines, "seed " + seed);
        }
    }

    /** An owed wait is no modification: the step says it waits, and that nothing in the object changed. */
    @Test
    void aStepThatOnlyWaitsSaysSo() {
        ResourceChange c = new ResourceChange(ResourceAddress.parse("kubernetes.manifest.gate"), Action.UPDATE, "owed wait",
                null, null, List.of(), List.of(), Map.of(io.meshform.engine.spi.PlannedChange.WAIT_ONLY, "true"), null,
                List.of());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ConsoleProgress progress = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), Style.plain())) {
            progress.started(c);
            progress.heartbeat();
            progress.finished(c, java.time.Duration.ofMillis(1200));
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        org.junit.jupiter.api.Assertions.assertTrue(out.startsWith("kubernetes.manifest.gate: Waiting for it...\n"
                + "kubernetes.manifest.gate: still Waiting for it... ["), out);
        org.junit.jupiter.api.Assertions.assertTrue(out.endsWith(
                "kubernetes.manifest.gate: Wait complete (nothing in it changed) after 1.2s\n"), out);
    }

    @Test
    void secondsPrintWhatFormatPrintedForEveryMillisecondUpToTenMinutes() {
        for (long ms = 0; ms <= 600_000; ms++) {
            assertEquals(String.format("%.1fs", ms / 1000.0), ConsoleProgress.seconds(java.time.Duration.ofMillis(ms)), ms + " ms");
        }
        assertEquals(String.format("%.1fs", 86_400_049 / 1000.0), ConsoleProgress.seconds(java.time.Duration.ofMillis(86_400_049)));
        assertEquals("0.0s", ConsoleProgress.seconds(java.time.Duration.ofNanos(999_999)));
    }
}

package io.meshform.providers.istio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.spi.ProviderSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * istioctl on PATH is looked up as Go's exec.LookPath does: a relative or empty PATH entry names a directory relative
 * to wherever meshform runs (a checked-out repository), so an istioctl found there is not run (exec.ErrDot), and the
 * error says so.
 */
class ExecutableLookupTest {
    @TempDir
    Path absolute;
    /** A directory given to PATH relative to the working directory, as "." or "bin" would be. */
    Path relative;
    Path marker;

    @BeforeEach
    void setUp() throws IOException {
        Path cwd = Path.of("").toAbsolutePath();
        relative = cwd.relativize(Files.createTempDirectory(cwd.resolve("target"), "lookup-"));
        marker = absolute.resolve("ran");
    }

    @AfterEach
    void tearDown() throws IOException {
        try (Stream<Path> all = Files.walk(relative)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private Path istioctl(Path dir) throws IOException {
        Path script = dir.resolve("istioctl");
        Files.writeString(script, "#!/bin/sh\necho ran > " + marker + "\necho 1.30.3\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void aRelativeEntryIsSkippedAndNamedInTheError() throws IOException {
        istioctl(relative);
        ExecutableLookup.Found found = ExecutableLookup.find("istioctl", relative + ":" + absolute);
        assertEquals(Optional.empty(), found.path());
        assertEquals(Optional.of(relative + "/istioctl"), found.skippedRelative());

        Istioctl i = Istioctl.fromSettings(new ProviderSettings(Map.of()), Map.of("PATH", relative + "::" + absolute));
        DiagnosticsException e = assertThrows(DiagnosticsException.class,
                () -> i.run(List.of("version"), Duration.ofSeconds(10), io.meshform.engine.spi.ProgressSink.NONE, false));
        String message = e.diagnostics().get(0).summary();
        assertTrue(message.contains(relative + "/istioctl was found through a relative PATH entry and not run"), message);
        assertFalse(Files.exists(marker), "the relative entry's istioctl ran");
    }

    /**
     * The refused istioctl answers nothing from the cache either: not found on PATH, the binary is the bare name
     * {@code istioctl}, which the cache's key resolved against the working directory, so a {@code ./istioctl} there
     * whose answers were remembered (run once by its absolute path) gave validate its version and render.
     */
    @Test
    void aRefusedIstioctlGivesNoRememberedAnswer() throws IOException {
        Path here = Path.of("istioctl").toAbsolutePath();
        assertFalse(Files.exists(here), "the test needs the working directory free of an istioctl: " + here);
        String cache = absolute.resolve("cache").toString();
        try {
            istioctl(here.getParent());
            Istioctl given = Istioctl.fromSettings(new ProviderSettings(Map.of("istioctl", here.toString())),
                    Map.of("MESHFORM_CACHE", cache));
            assertEquals("1.30.3", given.version());
            Files.delete(marker);

            Istioctl fromPath = Istioctl.fromSettings(new ProviderSettings(Map.of()), Map.of("PATH", ".", "MESHFORM_CACHE", cache));
            DiagnosticsException e = assertThrows(DiagnosticsException.class, fromPath::version);
            assertTrue(e.diagnostics().get(0).summary().contains("./istioctl was found through a relative PATH entry and not"
                    + " run"), e.diagnostics().get(0).summary());
            assertFalse(Files.exists(marker), "the relative entry's istioctl ran");
        } finally {
            Files.deleteIfExists(here);
        }
    }

    @Test
    void anAbsoluteEntryAfterARelativeOneIsTaken() throws IOException {
        istioctl(relative);
        Path real = istioctl(absolute);
        ExecutableLookup.Found found = ExecutableLookup.find("istioctl", "." + ":" + ":" + relative + ":" + absolute);
        assertEquals(Optional.of(real.toString()), found.path());
        assertEquals(real.toString(), Istioctl.fromSettings(new ProviderSettings(Map.of()),
                Map.of("PATH", relative + ":" + absolute)).binary());
    }

    @Test
    void nothingAnywhereSaysSo() {
        ExecutableLookup.Found found = ExecutableLookup.find("istioctl", absolute.toString());
        assertEquals(Optional.empty(), found.path());
        assertEquals("no istioctl on PATH", found.problem("istioctl"));
        assertEquals(Optional.empty(), ExecutableLookup.find("istioctl", null).path());
    }
}

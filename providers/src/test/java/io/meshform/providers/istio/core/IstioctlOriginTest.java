package io.meshform.providers.istio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.engine.spi.ProviderSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An istioctl that cannot be used is named with where the user chose it, and the error says what to do. */
class IstioctlOriginTest {
    @TempDir
    Path dir;

    @Test
    void anIstioctlFromTheEnvironmentIsNamedSoNotAsASetting() {
        String missing = dir.resolve("nowhere/istioctl").toString();
        Istioctl i = Istioctl.fromSettings(new ProviderSettings(Map.of("istioctl", missing,
                Istioctl.ORIGIN_SETTING, "MESHFORM_ISTIOCTL")), Map.of());
        DiagnosticsException e = assertThrows(DiagnosticsException.class,
                () -> i.run(List.of("version"), Duration.ofSeconds(10), ProgressSink.NONE, false));
        String summary = e.diagnostics().get(0).summary();
        assertTrue(summary.startsWith("cannot run istioctl (" + missing + ", from MESHFORM_ISTIOCTL)"), summary);
    }

    @Test
    void aProgramThatPrintsNoVersionIsNamedWithWhatToDo() throws IOException {
        Path silent = dir.resolve("true");
        Files.writeString(silent, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(silent, PosixFilePermissions.fromString("rwx------"));
        Istioctl i = new Istioctl(silent.toString(), "--istioctl", null, null, new OfflineOutputs(null, Map.of()));
        Diagnostic d = assertThrows(DiagnosticsException.class, i::version).diagnostics().get(0);
        assertEquals("cannot tell the version of istioctl " + silent + " (from --istioctl)", d.summary());
        assertEquals("`istioctl version --remote=false --short` exited 0 and printed nothing; is it Istio's istioctl? point"
                + " --istioctl or MESHFORM_ISTIOCTL at the istioctl of the release the stack names", d.detail());
    }
}

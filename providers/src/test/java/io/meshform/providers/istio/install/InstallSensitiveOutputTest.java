package io.meshform.providers.istio.install;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.SensitiveMessage;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.providers.istio.core.Istioctl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What istioctl printed about an install whose values hold a sensitive value is quoted masked wherever meshform quotes
 * it: in "istioctl install failed" it was; the timeout's "last output" and "istioctl uninstall failed" quoted it as it
 * was (the value whole, or the first character a JSON parse error names).
 */
class InstallSensitiveOutputTest {
    private static final String VALUE = "S3cr3tToken-xyz";
    /** What istioctl 1.30.3 says about a quoted non-number in a number field (see SensitiveMessage). */
    private static final String PARSE_ERROR = "Error: could not unmarshal: error unmarshaling JSON: while decoding JSON: "
            + "invalid character 'S' looking for beginning of value";

    @TempDir
    Path dir;

    private static SensitiveMessage messages() {
        ObjectNode spec = JsonNodeFactory.instance.objectNode();
        spec.putObject("values").putObject("pilot").put("replicaCount", VALUE);
        return SensitiveMessage.of(spec, Set.of("/values/pilot/replicaCount"));
    }

    private static void assertMasked(String said) {
        assertFalse(said.contains(VALUE), said);
        assertFalse(said.contains("'S'"), said);
        assertTrue(said.contains("values.pilot.replicaCount (a sensitive value, not shown)"), said);
    }

    @Test
    void theLastOutputOfARunStoppedAtItsTimeoutIsMasked() throws Exception {
        Path script = dir.resolve("istioctl");
        Files.writeString(script, "#!/bin/sh\necho 'value \"" + VALUE + "\" refused' >&2\necho \"" + PARSE_ERROR
                + "\" >&2\nexec sleep 30\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Istioctl istioctl = new Istioctl(script.toString(), "test", null, null);
        DiagnosticsException e = assertThrows(DiagnosticsException.class, () -> istioctl.run(List.of("install", "-y"),
                Duration.ofSeconds(2), ProgressSink.NONE, false, messages()));
        assertTrue(e.getMessage().contains("istioctl install -y did not finish within 2s"), e.getMessage());
        assertTrue(e.getMessage().contains("it was stopped; last output:"), e.getMessage());
        assertMasked(e.getMessage());
    }

    @Test
    void theTailOfAFailedUninstallIsMasked() {
        RuntimeException e = IstioInstallType.uninstallFailed(ResourceAddress.parse("istio.install.mesh"),
                new Istioctl.Result(1, List.of(), List.of("value \"" + VALUE + "\" refused", PARSE_ERROR)), messages());
        assertTrue(e.getMessage().contains("istio.install.mesh: istioctl uninstall failed (exit 1)"), e.getMessage());
        assertMasked(e.getMessage());
    }
}

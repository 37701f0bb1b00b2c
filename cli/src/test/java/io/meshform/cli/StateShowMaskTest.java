package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code state show} is read by people: a sensitive value's digest is shown as {@code (sensitive)}, as plans show it
 * (and as Terraform's state show does), not as the digest, from which a weak password can be guessed offline.
 */
class StateShowMaskTest {
    private static final String DIGEST = "sha256:" + "5ce4897625ff4332da296e563b27c482".repeat(2);

    @TempDir
    Path dir;

    @Test
    void aDigestIsShownAsSensitive() throws IOException {
        Path state = dir.resolve("s.state.json");
        Files.writeString(state, """
                {"format_version": 4, "serial": 2, "lineage": "6c1c2d0e-8a1b-4c3d-9e2f-0a1b2c3d4e5f", "stack": "s",
                 "meshform_version": "0.1.0", "resources": [{"address": "kubernetes.manifest.sec",
                 "type": "kubernetes.manifest", "attributes": {"manifest": {"apiVersion": "v1", "kind": "Secret",
                 "metadata": {"name": "s", "namespace": "demo"}, "data": {"password": "%s"}}},
                 "metadata": {"fieldManager": "meshform"}}]}""".formatted(DIGEST));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                "state", "show", "--state", state.toString(), "kubernetes.manifest.sec");
        String shown = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, shown + err.toString(StandardCharsets.UTF_8));
        assertTrue(shown.contains("password: (sensitive)"), shown);
        assertFalse(shown.contains("sha256:"), shown);
        assertTrue(shown.contains("name: s"), shown);
    }
}

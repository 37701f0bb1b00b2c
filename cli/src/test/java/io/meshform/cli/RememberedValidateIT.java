package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.Testbed;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshform validate} with the real istioctl, twice: the second run is answered from the remembered
 * {@code istioctl validate} answer (istioctl is not started again) and prints exactly what the first printed, for a
 * stack Istio accepts with a warning and for one it refuses. A Secret in the same stack never reaches the cache.
 * istioctl validate contacts no cluster, so neither does this test.
 */
class RememberedValidateIT {
    private static final String PASSWORD = "Remembered-S3cret-pw-5521";

    @TempDir
    Path dir;

    private record Result(int code, String out) {
    }

    private Result validate(Path stack, Path istioctl) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false),
                "validate", "-f", stack.toString(), "--istioctl", istioctl.toString());
        return new Result(code, buf.toString(StandardCharsets.UTF_8));
    }

    private long validateRuns() throws IOException {
        Path runs = dir.resolve("runs");
        return Files.exists(runs) ? Files.readAllLines(runs).size() : 0;
    }

    @Test
    void aSecondValidateIsAnsweredFromTheCacheWithTheSameWarningsAndErrors() throws IOException {
        // The test bed's istioctl behind a wrapper that counts its validate runs (a new file: a new key, a fresh first run).
        Path istioctl = dir.resolve("istioctl");
        Files.writeString(istioctl, "#!/bin/sh\n[ \"$1\" = validate ] && echo run >> " + dir.resolve("runs") + "\nexec "
                + Testbed.istioctl() + " \"$@\"\n");
        Files.setPosixFilePermissions(istioctl, PosixFilePermissions.fromString("rwx------"));
        String secret = """
                  - type: kubernetes.manifest
                    name: db
                    spec:
                      manifest:
                        apiVersion: v1
                        kind: Secret
                        metadata: {name: db, namespace: foo}
                        stringData: {password: "%s"}
                  - type: istio.authorizationPolicy
                    name: warned
                    spec:
                      namespace: foo
                      action: DENY
                      rules: [{to: [{operation: {paths: ["/admin/*"]}}]}]
                """.formatted(PASSWORD);
        String refused = secret + """
                  - {type: istio.authorizationPolicy, name: meaningless, spec: {namespace: foo, action: DENY}}
                """;
        long expectedRuns = 0;
        for (String resources : List.of(secret, refused)) {
            Path stack = Files.writeString(dir.resolve("meshform.yaml"),
                    "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: remembered}\nresources:\n" + resources);
            Result fresh = validate(stack, istioctl);
            assertEquals(++expectedRuns, validateRuns(), "the first run asks istioctl");
            Result replayed = validate(stack, istioctl);
            assertEquals(expectedRuns, validateRuns(), "the second run is answered from the cache");
            assertEquals(fresh, replayed, "the same exit code and output, word for word");
            assertTrue(fresh.out().contains("will deny all traffic to TCP ports"), fresh.out());
            if (resources == refused) {
                assertEquals(1, fresh.code(), fresh.out());
                assertTrue(fresh.out().contains("DENY action without `rules` is meaningless"), fresh.out());
            } else {
                assertEquals(0, fresh.code(), fresh.out());
            }
        }
        try (Stream<Path> kept = Files.list(cacheDirectory())) {
            for (Path p : kept.filter(p -> p.toString().endsWith(".answer")).toList()) {
                assertFalse(Files.readString(p).contains(PASSWORD), "a Secret of the stack is in " + p);
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            }
        }
    }

    /** Where OfflineOutputs.standard() keeps the answers of this process's environment. */
    private static Path cacheDirectory() {
        Map<String, String> env = System.getenv();
        String base = env.get("MESHFORM_CACHE");
        if (base == null || base.isBlank()) {
            String xdg = env.get("XDG_CACHE_HOME");
            base = xdg != null && !xdg.isBlank() ? xdg + "/meshform" : System.getProperty("user.home") + "/.cache/meshform";
        }
        return Path.of(base, "istioctl");
    }
}

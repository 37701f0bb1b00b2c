package io.meshform.providers.istio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** istioctl's offline answers are reused only for the same binary, arguments, inputs and configuration. */
class OfflineOutputsTest {

    /** A stand-in istioctl that counts its runs and prints its input file: a second run on the same input is remembered. */
    @Test
    void theSameInputIsAnsweredFromTheCacheAChangedOneRunsIstioctlAgain(@TempDir Path dir) throws Exception {
        Path runs = dir.resolve("runs");
        Path bin = script(dir, "#!/bin/sh\necho run >> " + runs + "\ncat \"$4\"\n");
        Istioctl istioctl = new Istioctl(bin.toString(), "test", null, null, new OfflineOutputs(dir.resolve("cache"), Map.of()));
        Path input = Files.writeString(dir.resolve("iop.yaml"), "kind: IstioOperator\nspec: {profile: default}");
        List<String> args = List.of("manifest", "generate", "-f", input.toString());

        Istioctl.Result first = istioctl.runOffline(args, List.of(input), Duration.ofSeconds(30));
        Istioctl.Result second = istioctl.runOffline(args, List.of(input), Duration.ofSeconds(30));
        assertEquals(first.stdout(), second.stdout());
        assertEquals(List.of("kind: IstioOperator", "spec: {profile: default}"), second.stdout());
        assertEquals(1, Files.readAllLines(runs).size(), "the second run was answered from the cache");

        Files.writeString(input, "kind: IstioOperator\nspec: {profile: minimal}");
        assertEquals("spec: {profile: minimal}", istioctl.runOffline(args, List.of(input), Duration.ofSeconds(30)).stdout().get(1));
        assertEquals(2, Files.readAllLines(runs).size(), "another input runs istioctl");

        // Any write to the binary (here: the same script, rewritten) changes its change time: it runs again.
        Files.writeString(bin, Files.readString(bin));
        istioctl.runOffline(args, List.of(input), Duration.ofSeconds(30));
        assertEquals(3, Files.readAllLines(runs).size(), "a rewritten binary runs again");
        try (var files = Files.list(dir.resolve("cache"))) {
            assertTrue(files.allMatch(f -> {
                try {
                    return PosixFilePermissions.toString(Files.getPosixFilePermissions(f)).equals("rw-------");
                } catch (java.io.IOException e) {
                    return false;
                }
            }), "only the user reads the remembered outputs");
        }
    }

    /**
     * Two asks for the same answer at once (the install's plan and the mesh checks rendering one IstioOperator, from two
     * temporary files of the same content) start one istioctl: the second waits for the first one's answer.
     */
    @Test
    void theSameCommandAskedTwiceAtOnceRunsIstioctlOnce(@TempDir Path dir) throws Exception {
        Path runs = dir.resolve("runs");
        Path bin = script(dir, "#!/bin/sh\necho run >> " + runs + "\nsleep 1\ncat \"$4\"\n");
        Istioctl istioctl = new Istioctl(bin.toString(), "test", null, null, new OfflineOutputs(dir.resolve("cache"), Map.of()));
        Path a = Files.writeString(dir.resolve("a.yaml"), "kind: IstioOperator\nspec: {profile: default}");
        Path b = Files.writeString(dir.resolve("b.yaml"), "kind: IstioOperator\nspec: {profile: default}");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var first = pool.submit(() -> istioctl.runOffline(List.of("manifest", "generate", "-f", a.toString()), List.of(a),
                    Duration.ofSeconds(30)));
            var second = pool.submit(() -> istioctl.runOffline(List.of("manifest", "generate", "-f", b.toString()), List.of(b),
                    Duration.ofSeconds(30)));
            assertEquals(first.get().stdout(), second.get().stdout());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, Files.readAllLines(runs).size(), "one istioctl process for both");
    }

    @Test
    void failuresAndIstioSettingsAreNotMixedUp(@TempDir Path dir) throws Exception {
        Path bin = script(dir, "#!/bin/sh\necho boom >&2\nexit 3\n");
        Istioctl failing = new Istioctl(bin.toString(), "test", null, null, new OfflineOutputs(dir.resolve("cache"), Map.of()));
        assertEquals(3, failing.runOffline(List.of("version"), List.of(), Duration.ofSeconds(30)).exit());
        assertEquals(3, failing.runOffline(List.of("version"), List.of(), Duration.ofSeconds(30)).exit(), "a failure is never remembered");

        OfflineOutputs plain = new OfflineOutputs(dir.resolve("cache"), Map.of());
        OfflineOutputs withFlag = new OfflineOutputs(dir.resolve("cache"), Map.of("ISTIOCTL_ISTIONAMESPACE", "other"));
        assertNotEquals(plain.key(bin.toString(), List.of("version"), List.of()), withFlag.key(bin.toString(), List.of("version"), List.of()),
                "istioctl reads ISTIOCTL_* flags from the environment");
        assertTrue(new OfflineOutputs(null, Map.of()).key(bin.toString(), List.of("version"), List.of()).isEmpty(), "off: nothing cached");
    }

    /**
     * istioctl version (no input, no ISTIO* settings) is kept under its binary and arguments written out rather than a
     * digest: a kept file of the same name that does not repeat that exact text (a name collision, or an edit) is not
     * taken, and a rewritten binary runs again.
     */
    @Test
    void aRunOfTheBinaryAloneIsKeptUnderItsExactKeyAndAnotherTextUnderTheSameNameIsNotTaken(@TempDir Path dir) throws Exception {
        Path runs = dir.resolve("runs");
        Path bin = script(dir, "#!/bin/sh\necho run >> " + runs + "\necho 1.30.3\n");
        OfflineOutputs outputs = new OfflineOutputs(dir.resolve("cache"), Map.of("PATH", "/bin"));
        Istioctl istioctl = new Istioctl(bin.toString(), "test", null, null, outputs);
        List<String> args = List.of("version", "--remote=false", "--short");

        OfflineOutputs.Key key = outputs.key(bin.toString(), args, List.of()).orElseThrow();
        assertTrue(key.exact() != null && key.exact().contains(bin.toRealPath().toString()) && key.exact().contains("7:version "),
                "keyed by the binary and the arguments written out: " + key);
        assertEquals(List.of("1.30.3"), istioctl.runOffline(args, List.of(), Duration.ofSeconds(30)).stdout());
        assertEquals(List.of("1.30.3"), istioctl.runOffline(args, List.of(), Duration.ofSeconds(30)).stdout());
        assertEquals(1, Files.readAllLines(runs).size(), "the second run was answered from the cache");
        Path kept = dir.resolve("cache").resolve(key.name() + ".out");
        assertEquals("#meshform-key " + key.exact() + "\n1.30.3", Files.readString(kept));

        Files.writeString(kept, "#meshform-key 3:old \n9.9.9");
        assertEquals(List.of("1.30.3"), istioctl.runOffline(args, List.of(), Duration.ofSeconds(30)).stdout(),
                "a kept file that names another key is not this run's answer");
        assertEquals(2, Files.readAllLines(runs).size());

        assertTrue(new OfflineOutputs(dir.resolve("cache"), Map.of("ISTIOCONFIG", "/nowhere")).key(bin.toString(), args, List.of())
                .orElseThrow().exact() == null, "istioctl's settings in the environment: keyed by a digest of them");
        Path input = Files.writeString(dir.resolve("iop.yaml"), "kind: IstioOperator");
        assertTrue(outputs.key(bin.toString(), List.of("manifest", "generate", "-f", input.toString()), List.of(input))
                .orElseThrow().exact() == null, "a run with an input file: keyed by a digest of its content");
        Files.writeString(bin, Files.readString(bin));
        assertNotEquals(key, outputs.key(bin.toString(), args, List.of()).orElseThrow(), "a rewritten binary is another key");
    }

    /** A stand-in istioctl: {@code body} as an executable shell script only the user may run. */
    private static Path script(Path dir, String body) throws java.io.IOException {
        Path bin = dir.resolve("istioctl");
        Files.writeString(bin, body);
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwx------"));
        return bin;
    }
}

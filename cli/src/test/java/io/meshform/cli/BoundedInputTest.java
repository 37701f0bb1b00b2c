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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file a user names is checked before it is read: an endless device ({@code /dev/zero}, {@code /dev/urandom})
 * or a directory as the stack, an import, a --var-file, a manifest file, a saved plan, a pushed state or the state
 * itself is one clear error, no stack trace, at once, and nothing is written. (Before, such a file was read until the
 * heap was gone: 4.4 GB and an OutOfMemoryError.)
 */
class BoundedInputTest {
    @TempDir
    Path dir;
    Path stack;
    Path cluster;

    record Result(int code, String out, String err) {
    }

    @BeforeEach
    void writeStack() throws IOException {
        stack = dir.resolve("meshform.yaml");
        cluster = dir.resolve("c" + FileCluster.SUFFIX);
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - {type: fake.thing, name: mesh, spec: {mode: STRICT}}
                """);
    }

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--kubeconfig", cluster.toString()));
        if (!all.contains("-f")) {
            all.addAll(List.of("-f", stack.toString()));
        }
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]), Map.of(), false), all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private void refused(Result r, String... expected) {
        assertEquals(1, r.code(), r.out() + r.err());
        for (String e : expected) {
            assertTrue(r.err().contains(e), "expected \"" + e + "\" in:\n" + r.err());
        }
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat ") || r.err().contains("OutOfMemory"),
                "no stack trace: " + r.err());
        assertFalse(Files.exists(dir.resolve("meshform.state.json")), "nothing was written");
    }

    @Test
    void endlessDevicesAsTheStackAreRefusedBeforeReading() {
        for (String device : List.of("/dev/zero", "/dev/urandom")) {
            refused(run("plan", "-f", device), device, "not a regular file");
            refused(run("validate", "-f", device), device, "not a regular file");
        }
    }

    /** Refused before the lock, so no {@code .lock} is made beside a device (as root, /dev/zero.lock) or a directory. */
    @Test
    void aDeviceOrDirectoryAsTheStateIsRefusedWithoutALockBesideIt() throws IOException {
        Path stateDir = Files.createDirectory(dir.resolve("state-dir"));
        for (String command : List.of("plan", "apply")) {
            refused(run(command, "--state", stateDir.toString()), stateDir.toString(), "not a regular file");
            assertFalse(Files.exists(dir.resolve("state-dir.lock")), command + " made no lock file");
        }
        refused(run("destroy", "--state", stateDir.toString()), "not a regular file");
        refused(run("plan", "--state", "/dev/zero"), "/dev/zero", "not a regular file");
        assertFalse(Files.exists(Path.of("/dev/zero.lock")), "no lock file made in /dev");
    }

    @Test
    void aDirectoryAsTheStackIsRefused() {
        refused(run("plan", "-f", dir.toString()), "is a directory");
    }

    @Test
    void endlessDevicesAsVarFilesAndImportsAreRefused() throws IOException {
        // Outside the stack's root they are refused anyway (TrustTest); allowed out, the file check still holds.
        refused(run("plan", "--var-file", "/dev/zero", "--allow-outside-root"), "/dev/zero", "not a regular file");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                imports: [/dev/urandom]
                resources:
                  - {type: fake.thing, name: mesh, spec: {mode: STRICT}}
                """);
        refused(run("plan", "--allow-outside-root"), "/dev/urandom", "not a regular file");
    }

    @Test
    void endlessDevicesAsSavedPlansOrPushedStatesAreRefused() {
        refused(run("apply", "/dev/zero"), "/dev/zero", "not a regular file");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]), Map.of(), false), "show", "/dev/urandom");
        refused(new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)), "/dev/urandom",
                "not a regular file");
        refused(run("state", "push", "/dev/zero"), "/dev/zero", "not a regular file");
    }

    @Test
    void aPushedFileThatIsNoStateSaysWhichFilePushTakes() {
        refused(run("state", "push", stack.toString()), "is not a valid meshform state: not valid JSON at line 1, column 1",
                "push a state file: the JSON `meshform state pull` prints, or a state's .backup");
    }

    @Test
    void anEndlessDeviceAsTheStateIsRefused() {
        refused(run("plan", "--state", "/dev/zero"), "/dev/zero", "not a regular file");
    }

    @Test
    void aStackOverTheLimitIsRefusedWithTheLimit() throws IOException {
        Path big = dir.resolve("big.yaml");
        Files.write(big, new byte[(4 << 20) + 1]);
        refused(run("plan", "-f", big.toString()), "big.yaml", "stack file is too large (the limit is 4 MiB)");
    }
}

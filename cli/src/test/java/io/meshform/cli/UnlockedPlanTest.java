package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.state.LocalStateBackend;
import io.meshform.state.LockHandle;
import io.meshform.state.LockInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code plan --lock=false}: the state read without its lock, for a read-only checkout where the lock file cannot be
 * made, and said so; apply and destroy refuse it (their guarantees rest on one writer). On the file-backed fake
 * cluster ({@link FileCluster}).
 */
class UnlockedPlanTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = Stream.concat(Stream.of(args), Stream.of("-f", dir.resolve("meshform.yaml").toString(),
                "--kubeconfig", dir.resolve("c" + FileCluster.SUFFIX).toString())).toArray(String[]::new);
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false), all);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path state() {
        return dir.resolve("meshform.state.json");
    }

    /** A stack applied once, then changed: the state exists and the next plan has a change. */
    @BeforeEach
    void appliedState() throws IOException {
        Files.writeString(dir.resolve("meshform.yaml"), stack("STRICT"));
        Result applied = run("apply", "--auto-approve");
        assertEquals(ExitCodes.OK, applied.code(), applied.out() + applied.err());
        Files.writeString(dir.resolve("meshform.yaml"), stack("PERMISSIVE"));
    }

    private static String stack(String mode) {
        return """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: checkout}
                resources:
                  - type: fake.thing
                    name: mesh
                    spec: {mode: %s}
                """.formatted(mode);
    }

    @Test
    void aPlanWithoutTheLockReadsAStateWhoseLockIsHeldAndSaysSo() {
        try (LockHandle held = new LocalStateBackend(state()).lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            Result locked = run("plan");
            assertEquals(ExitCodes.ERROR, locked.code(), locked.out() + locked.err());
            assertTrue((locked.out() + locked.err()).toLowerCase().contains("lock"), locked.out() + locked.err());

            Result r = run("plan", "--lock=false");
            assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("Plan: 0 to add, 1 to change"), r.out());
            assertTrue(r.out().contains("the state was read without the state lock"), r.out());
            assertTrue(r.out().contains("bound to the state's serial and lineage"), r.out());
        }
    }

    @Test
    void aPlanWithoutTheLockMakesNoLockFile() throws IOException {
        // The checkout as committed: the state, and no lock file beside it (one is never deleted once made).
        Files.delete(dir.resolve("meshform.state.json.lock"));
        Result r = run("plan", "--lock", "false");
        assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
        assertFalse(Files.exists(dir.resolve("meshform.state.json.lock")), r.out());
    }

    @Test
    void theJsonPlanWithoutTheLockStaysOneDocumentAndTheNoteGoesToStandardError() {
        Result r = run("plan", "--lock=false", "--json");
        assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
        new tools.jackson.databind.json.JsonMapper().readTree(r.out());
        assertFalse(r.out().contains("without the state lock"), r.out());
        assertTrue(r.err().contains("the state was read without the state lock"), r.err());
    }

    @Test
    void aPlanSavedWithoutTheLockIsAppliedUnderTheLockOrRefusedWhenTheStateMoved() throws IOException {
        Path plan = dir.resolve("unlocked.plan");
        Result saved = run("plan", "--lock=false", "--out", plan.toString());
        assertEquals(ExitCodes.OK, saved.code(), saved.out() + saved.err());
        // Another run changes the state meanwhile: the saved plan is stale.
        Result other = run("apply", "--auto-approve");
        assertEquals(ExitCodes.OK, other.code(), other.out() + other.err());
        Result stale = run("apply", plan.toString());
        assertEquals(ExitCodes.ERROR, stale.code(), stale.out() + stale.err());
        assertTrue(stale.err().contains("the state changed since the plan was made"), stale.err());
    }

    @Test
    void aLockedPlanSaysNothingAboutTheLock() {
        Result r = run("plan");
        assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
        assertFalse((r.out() + r.err()).contains("without the state lock"), r.out() + r.err());
    }

    @Test
    void applyAndDestroyRefuseToRunWithoutTheLock() {
        for (String command : new String[] {"apply", "destroy"}) {
            Result r = run(command, "--auto-approve", "--lock=false");
            assertEquals(ExitCodes.ERROR, r.code(), command + ": " + r.out() + r.err());
            assertTrue(r.err().contains(command + " does not run without the state lock"), r.err());
            assertTrue(r.err().contains("--lock=false --out FILE"), r.err());
        }
        assertTrue(FileCluster.load(dir.resolve("c" + FileCluster.SUFFIX)).path("fake.thing.mesh").path("spec").path("mode")
                .asString().equals("STRICT"), "nothing was applied");
    }

    @Test
    void aLockTimeoutWithoutTheLockIsRefused() {
        Result r = run("plan", "--lock=false", "--lock-timeout", "5");
        assertTrue(r.err().contains("--lock-timeout is how long to wait for the state lock"), r.err());
    }
}

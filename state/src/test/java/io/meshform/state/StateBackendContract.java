package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What every state backend promises. A subclass gives a fresh, empty state location per test; each
 * {@link #openBackend()} call is another client of that same location, as two meshform runs would be.
 */
public abstract class StateBackendContract {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A new client on this test's state location. */
    protected abstract StateBackend openBackend();

    /** Deletes the stored state by hand, as a person would (a file and its backup, a Secret). */
    protected abstract void deleteStateByHand() throws Exception;

    /**
     * The state deleted by hand while an apply holds the lock and has no step left to record (a wait that then failed):
     * the end of the run writes it again, the same state under its serial, and says so. Before, the Kubernetes run
     * ended with "The state records every step that finished (serial N)" and no state Secret at all.
     */
    @Test
    void aStateDeletedDuringARunWithNothingLeftToRecordIsWrittenAgainAtItsEnd() throws Exception {
        StateBackend b = openBackend();
        StateSnapshot written = b.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        try (LockHandle ignored = b.lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            deleteStateByHand();
            StateSnapshot end = b.compact().orElseThrow();
            assertEquals(written.serial(), end.serial(), "the same state, under the serial it had");
        }
        assertEquals(written, openBackend().read().orElseThrow(), "the run does not end without the state it knows");
        assertEquals(1, b.notices().size(), "and the run says so");
        assertTrue(b.notices().get(0).contains("was deleted while this run held the lock")
                && b.notices().get(0).contains("(serial " + written.serial() + ")"), b.notices().toString());
    }

    /**
     * The state deleted by hand while an apply holds the lock, and a step then recorded: written again with every step,
     * under a serial above the one it had. Before, the Kubernetes run failed "could not write state ... not found (HTTP
     * 404): check that namespace ... exists", and the state was gone.
     */
    @Test
    void aStepRecordedAfterTheStateWasDeletedWritesItAgainWithEverything() throws Exception {
        StateBackend b = openBackend();
        StateSnapshot s;
        try (LockHandle ignored = b.lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            s = b.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
            s = b.record(s.with(resource("b", "2")));
            deleteStateByHand();
            StateSnapshot after = b.record(s.with(resource("c", "3")));
            assertTrue(after.serial() > s.serial(), "a new version of the state of serial " + s.serial() + ": "
                    + after.serial());
            b.compact();
        }
        StateSnapshot stored = openBackend().read().orElseThrow();
        assertEquals(List.of("a", "b", "c"), stored.resources().stream().map(ResourceState::address).toList());
        assertEquals(s.lineage(), stored.lineage());
        assertEquals(1, b.notices().size(), b.notices().toString());
    }

    /** A state another writer made after the deletion is not this run's to overwrite: refused, and left alone. */
    @Test
    void aStateAnotherWriterMadeAfterTheDeletionIsStillRefused() throws Exception {
        StateBackend b = openBackend();
        StateSnapshot s = b.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        deleteStateByHand();
        StateSnapshot theirs = openBackend().write(StateSnapshot.empty("0.1.0").with(resource("x", "9")));
        assertThrows(StateException.class, () -> b.write(s.with(resource("c", "3"))));
        assertTrue(b.compact().isEmpty(), "the end of the run leaves it alone too");
        assertEquals(theirs, openBackend().read().orElseThrow());
        assertEquals(List.of(), b.notices());
    }

    protected static ResourceState resource(String address, String value) {
        ObjectNode attrs = JSON.createObjectNode();
        attrs.put("value", value);
        attrs.putObject("spec").put("mtls", "STRICT").put("replicas", 3);
        return new ResourceState(address, "istio_peer_authentication", attrs,
                Map.of("uid", "u-" + address, "resourceVersion", "42"));
    }

    @Test
    void readOfAnEmptyLocationFindsNoState() {
        assertEquals(Optional.empty(), openBackend().read());
    }

    @Test
    void aStateExistsOnceWrittenAndNotBefore() {
        StateBackend b = openBackend();
        assertFalse(b.exists(), "an empty location holds no state");
        b.write(StateSnapshot.empty("0.1.0"));
        assertTrue(b.exists(), "a written state exists, even one recording nothing");
        assertTrue(openBackend().exists(), "and a second backend at the same location sees it");
    }

    @Test
    void writtenStateReadsBackEqual() {
        StateBackend b = openBackend();
        StateSnapshot s = StateSnapshot.empty("0.1.0").with(resource("mesh.peer_auth.default", "a"))
                .with(resource("mesh.namespace.apps", "b"));
        StateSnapshot written = b.write(s);
        assertEquals(written, b.read().orElseThrow());
        assertEquals(written, openBackend().read().orElseThrow(), "another client sees the same state");
        assertEquals(s.resources(), written.resources());
        assertEquals(s.lineage(), written.lineage());
    }

    /**
     * What an apply writes before its creates must survive the store: without it, the next plan refuses the objects an
     * interrupted apply made. Recorded steps keep it, and a whole write of a snapshot without it clears it.
     */
    @Test
    void whatAnApplyIsCreatingIsKeptUntilAWriteClearsIt() {
        StateBackend b = openBackend();
        StateSnapshot s = b.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        StateSnapshot creating = b.record(s.withCreating(java.util.List.of("b", "c")));
        assertEquals(java.util.Set.of("b", "c"), openBackend().read().orElseThrow().creating(), "another client sees it");
        b.record(creating.with(resource("b", "2")));
        StateSnapshot read = openBackend().read().orElseThrow();
        assertEquals(java.util.Set.of("b", "c"), read.creating(), "a recorded step keeps it");
        assertEquals(2, read.resources().size());
        b.write(read.withCreating(java.util.List.of()));
        assertTrue(openBackend().read().orElseThrow().creating().isEmpty(), "written without it, it is gone");
    }

    @Test
    void everyWriteAddsOneToTheSerial() {
        StateBackend b = openBackend();
        StateSnapshot first = b.write(StateSnapshot.empty("0.1.0"));
        assertEquals(1, first.serial());
        StateSnapshot second = b.write(first.with(resource("a", "1")));
        assertEquals(2, second.serial());
        // the store assigns the serial, whatever the caller's snapshot says
        StateSnapshot third = openBackend().write(first.with(resource("b", "2")));
        assertEquals(3, third.serial());
        assertEquals(3, b.read().orElseThrow().serial());
    }

    @Test
    void writingAnotherLineageIsRefused() {
        StateBackend b = openBackend();
        StateSnapshot mine = b.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        StateSnapshot other = StateSnapshot.empty("0.1.0");
        StateException e = assertThrows(StateException.class, () -> b.write(other));
        assertTrue(e.getMessage().contains(mine.lineage()), e.getMessage());
        assertTrue(e.getMessage().contains(other.lineage()), e.getMessage());
        assertEquals(mine, b.read().orElseThrow(), "the stored state is untouched");
    }

    @Test
    void secondLockerFailsAtOnceNamingTheHolder() {
        LockInfo info = LockInfo.forOperation("apply");
        try (LockHandle held = openBackend().lock(info, Duration.ZERO)) {
            long start = System.nanoTime();
            StateLockedException e = assertThrows(StateLockedException.class,
                    () -> openBackend().lock(LockInfo.forOperation("plan"), Duration.ZERO));
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 5_000, "wait=0 does not wait");
            assertEquals(held.id(), e.holder().id());
            assertEquals("apply", e.holder().operation());
            assertEquals(info.who(), e.holder().who());
            assertFalse(e.stale(), "a live holder is not stale");
            assertTrue(e.getMessage().contains("lock ID " + held.id()), e.getMessage());
            assertTrue(e.getMessage().contains(info.who()), e.getMessage());
            assertTrue(e.getMessage().contains("apply"), e.getMessage());
        }
    }

    @Test
    void closingTheHandleReleasesTheLock() {
        StateBackend b = openBackend();
        b.lock(LockInfo.forOperation("apply"), Duration.ZERO).close();
        try (LockHandle again = openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            assertFalse(again.id().isBlank());
        }
    }

    @Test
    void forceUnlockOfAnUnlockedStateIsRefused() {
        assertThrows(StateException.class, () -> openBackend().forceUnlock("whatever"));
    }

    @Test
    void aWriteAfterSomeoneElseWroteIsRefusedAndOverwritesNothing() {
        StateBackend mine = openBackend();
        StateSnapshot read = mine.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        StateBackend other = openBackend();
        StateSnapshot theirs = other.write(other.read().orElseThrow().with(resource("b", "2")));
        StateException e = assertThrows(StateException.class, () -> mine.write(read.with(resource("c", "3"))));
        assertTrue(e.getMessage().contains("changed since this run read it"), e.getMessage());
        assertEquals(theirs, openBackend().read().orElseThrow(), "the other writer's state stands");
    }

    @Test
    void stateCreatedBySomeoneElseAfterThisRunFoundNoneIsNotOverwritten() {
        StateBackend mine = openBackend();
        assertEquals(Optional.empty(), mine.read());
        StateSnapshot theirs = openBackend().write(StateSnapshot.empty("0.1.0").with(resource("b", "2")));
        assertThrows(StateException.class, () -> mine.write(StateSnapshot.empty("0.1.0").with(resource("a", "1"))));
        assertEquals(theirs, openBackend().read().orElseThrow());
    }

    @Test
    void aReleasedLockFencesLaterWrites() {
        StateBackend b = openBackend();
        LockHandle lock = b.lock(LockInfo.forOperation("apply"), Duration.ZERO);
        StateSnapshot s = b.write(StateSnapshot.empty("0.1.0"));
        lock.ensureHeld();
        lock.close();
        assertThrows(LockLostException.class, lock::ensureHeld);
        assertThrows(LockLostException.class, () -> b.write(s.with(resource("a", "1"))));
        assertEquals(s, openBackend().read().orElseThrow());
    }

    @Test
    void closingTheLockStopsTheChildrenItRecorded() throws Exception {
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            LockHandle lock = openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO);
            lock.childStarted(child.toHandle());
            long start = System.nanoTime();
            lock.close();
            assertTrue(child.waitFor(3, TimeUnit.SECONDS), "the child was stopped");
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 3_000);
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void waitingLockerGetsTheLockOnceTheHolderReleases() throws Exception {
        LockHandle held = openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO);
        CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
            sleep(700);
            held.close();
        });
        long start = System.nanoTime();
        try (LockHandle mine = openBackend().lock(LockInfo.forOperation("plan"), Duration.ofSeconds(20))) {
            long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(waited >= 500, "acquired after " + waited + " ms, before the holder released");
            assertNotEquals(held.id(), mine.id());
        }
        release.get(5, TimeUnit.SECONDS);
    }

    @Test
    void waitingLockerGivesUpWhenTheWaitEnds() {
        try (LockHandle held = openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            long start = System.nanoTime();
            StateLockedException e = assertThrows(StateLockedException.class,
                    () -> openBackend().lock(LockInfo.forOperation("plan"), Duration.ofMillis(800)));
            long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(waited >= 750, "gave up after " + waited + " ms");
            assertEquals(held.id(), e.holder().id());
            // It says that it waited: "state is locked" alone read as if it had given up at once.
            assertTrue(e.getMessage().startsWith("state is still locked after waiting 800ms (--lock-timeout): "), e.getMessage());
            assertTrue(assertThrows(StateLockedException.class,
                    () -> openBackend().lock(LockInfo.forOperation("plan"), Duration.ZERO)).getMessage()
                    .startsWith("state is locked: "), "no wait asked, none said");
        }
    }

    @Test
    void describeNamesTheLocation() {
        assertFalse(openBackend().describe().isBlank());
    }

    protected static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

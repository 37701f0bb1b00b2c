package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The state file deleted by hand (with its backup) while an apply holds the lock, e.g. during a step's long wait. The
 * run's writes make it again from what the run knows, as Terraform writes the state it holds in memory; before, a run
 * that had nothing left to record ended with "The state records every step that finished (serial N)" and no state
 * file at all, and one with a journal refused to write ("changed since this run read it ... now it is gone") and left
 * a journal no command can read without its state file.
 */
class VanishedStateFileTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;
    Path stateFile;

    @BeforeEach
    void location() {
        stateFile = dir.resolve("meshform.state.json");
    }

    private LocalStateBackend backend() {
        return new LocalStateBackend(stateFile, true);
    }

    private static ResourceState resource(String address, String value) {
        ObjectNode attrs = JSON.createObjectNode();
        attrs.put("value", value);
        return new ResourceState(address, "t", attrs, Map.of("uid", "u-" + address));
    }

    private void deleteByHand(LocalStateBackend b) throws IOException {
        Files.delete(b.file());
        Files.deleteIfExists(b.backupFile());
    }

    private static List<String> addresses(StateSnapshot s) {
        return s.resources().stream().map(ResourceState::address).toList();
    }

    @Test
    void aRunWithNothingLeftToRecordWritesTheStateAgainAtItsEnd() throws IOException {
        LocalStateBackend b = backend();
        StateSnapshot written = b.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        byte[] bytes = Files.readAllBytes(stateFile);
        try (LockHandle ignored = b.lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            deleteByHand(b);
            StateSnapshot end = b.compact().orElseThrow();
            assertEquals(written.serial(), end.serial(), "the same state, under the serial it had");
        }
        assertTrue(Files.exists(stateFile), "the run does not end without the state it knows");
        assertEquals(List.of("state file " + stateFile + " was deleted while this run held the lock (no meshform run writes"
                + " it without the lock); this run wrote it again, with everything it had recorded (serial 1), so that what"
                + " it made stays managed."), b.notices(), "and the run says so");
        assertArrayEquals(bytes, Files.readAllBytes(stateFile));
        assertEquals(written, backend().read().orElseThrow());
    }

    @Test
    void theJournalsStepsAreWrittenWholeWhenTheFileTheyContinueVanished() throws IOException {
        LocalStateBackend b = backend();
        StateSnapshot s;
        try (LockHandle ignored = b.lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            s = b.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
            s = b.record(s.with(resource("b", "2")));
            assertTrue(Files.exists(b.journalFile()));
            deleteByHand(b);
            StateSnapshot end = b.compact().orElseThrow();
            assertTrue(end.serial() > 1, "a new version of the file of serial 1: " + end.serial());
        }
        assertFalse(Files.exists(b.journalFile()), "folded into the file written again");
        assertEquals(List.of("a", "b"), addresses(backend().read().orElseThrow()));
    }

    @Test
    void aStepRecordedAfterTheFileVanishedWritesItWhole() throws IOException {
        LocalStateBackend b = backend();
        try (LockHandle ignored = b.lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            StateSnapshot s = b.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
            s = b.record(s.with(resource("b", "2")));
            deleteByHand(b);
            b.record(s.with(resource("c", "3")));
            assertEquals(List.of("a", "b", "c"), addresses(backend().read().orElseThrow()), "no step lost, none to replay");
            b.compact();
        }
        assertEquals(List.of("a", "b", "c"), addresses(backend().read().orElseThrow()));
    }

    /** A file that is there but other than this run left it is another writer's: still refused, not overwritten. */
    @Test
    void aFileReplacedMeanwhileIsStillAnotherWritersState() throws IOException {
        LocalStateBackend b = backend();
        StateSnapshot s = b.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        LocalStateBackend other = backend();
        StateSnapshot theirs = other.write(other.read().orElseThrow().with(resource("x", "9")));
        StateException e = assertThrows(StateException.class, () -> b.write(s.with(resource("c", "3"))));
        assertTrue(e.getMessage().contains("changed since this run read it"), e.getMessage());
        assertEquals(theirs, backend().read().orElseThrow());
        assertTrue(b.compact().isEmpty(), "the end of the run leaves it alone too");
        assertEquals(theirs, backend().read().orElseThrow());
        assertEquals(List.of(), b.notices());
    }
}

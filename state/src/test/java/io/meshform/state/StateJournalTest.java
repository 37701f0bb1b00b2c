package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The local state's journal: records per step, compaction, replay after a crash, and what replay refuses. */
class StateJournalTest {
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

    /** A state file of serial 1 holding a, and a journal of two records (b added, then a changed and b removed). */
    private StateSnapshot journalOfTwoRecords(LocalStateBackend b) {
        StateSnapshot s = b.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        s = b.record(s.with(resource("b", "2")));
        return b.record(s.with(resource("a", "3")).without("b"));
    }

    @Test
    void stepsAreAppendedNotRewrittenAndCompactionWritesOnce() throws IOException {
        LocalStateBackend b = backend();
        StateSnapshot s = b.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        byte[] file = Files.readAllBytes(stateFile);
        s = b.record(s.with(resource("b", "2")));
        s = b.record(s.with(resource("c", "3")));
        assertEquals(2, s.serial(), "recorded steps make the version the compaction will write");
        assertArrayEquals(file, Files.readAllBytes(stateFile), "the state file is not rewritten per step");
        assertEquals(2, Files.readAllLines(b.journalFile()).size(), "one line per record");
        assertEquals(List.of("a", "b", "c"), addresses(backend().read().orElseThrow()), "another reader replays it");
        StateSnapshot compacted = b.compact().orElseThrow();
        assertEquals(2, compacted.serial());
        assertFalse(Files.exists(b.journalFile()), "compaction removes the journal");
        assertEquals(compacted, backend().read().orElseThrow());
        assertTrue(b.compact().isEmpty(), "nothing left to compact");
    }

    /** An apply's creates cost one record between them (issue #18), which a crash keeps and compaction folds in. */
    @Test
    void whatAnApplyIsCreatingIsOneRecordForAllItsCreates() throws IOException {
        LocalStateBackend b = backend();
        StateSnapshot s = b.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        s = b.record(s.withCreating(List.of("b", "c")));
        s = b.record(s.with(resource("b", "2")));
        s = b.record(s.with(resource("c", "3")));
        List<String> lines = Files.readAllLines(b.journalFile());
        assertEquals(3, lines.size(), "one line per record");
        assertTrue(lines.get(0).contains("\"creating\":[\"b\",\"c\"]") && lines.get(0).contains("\"put\":[]"), lines.get(0));
        assertFalse(lines.get(1).contains("creating") || lines.get(2).contains("creating"), "the steps do not repeat it: " + lines);
        // the process "died" here: the next reader replays what it was creating
        assertEquals(java.util.Set.of("b", "c"), backend().read().orElseThrow().creating());
        b.record(s.withCreating(List.of()));
        StateSnapshot compacted = b.compact().orElseThrow();
        assertTrue(compacted.creating().isEmpty());
        assertFalse(Files.readString(stateFile).contains("creating"), "an empty list is left out of the file");
        assertEquals(compacted, backend().read().orElseThrow());
    }

    /**
     * A move's new entry and its old object's deposed record are one journal record: a crash after it leaves a state
     * that knows both objects, and one before it a state that still records the old one; never one that knows neither.
     */
    @Test
    void aMovesNewEntryAndItsDeposedOldObjectAreOneRecord() throws IOException {
        LocalStateBackend b = backend();
        ResourceState old = resource("a", "old");
        StateSnapshot s = b.write(StateSnapshot.empty("0.1.0").with(old));
        DeposedObject deposed = DeposedObject.of(old);
        s = b.record(s.with(resource("a", "new")).withDeposed(deposed));
        List<String> lines = Files.readAllLines(b.journalFile());
        assertEquals(1, lines.size(), "one record: " + lines);
        assertTrue(lines.get(0).contains("\"deposed\":[{\"address\":\"a\",\"key\":\"" + deposed.key() + "\""), lines.get(0));
        // the process "died" here: the next reader knows both objects
        StateSnapshot replayed = backend().read().orElseThrow();
        assertEquals(List.of(deposed), replayed.deposed());
        assertEquals("new", replayed.find("a").orElseThrow().attributes().path("value").asString());
        s = b.record(s.withoutDeposed("a", deposed.key()));
        assertTrue(Files.readAllLines(b.journalFile()).get(1).contains("\"deposed\":[]"), "an emptied list is recorded");
        assertTrue(backend().read().orElseThrow().deposed().isEmpty());
        StateSnapshot compacted = b.compact().orElseThrow();
        assertFalse(Files.readString(stateFile).contains("deposed"), "an empty list is left out of the file");
        assertEquals(compacted, backend().read().orElseThrow());
    }

    @Test
    void aCompactionThatCannotWriteSaysTheStepsAreInTheJournalAndKeepsIt() throws IOException {
        LocalStateBackend b = backend();
        StateSnapshot recorded = journalOfTwoRecords(b);
        // The backup's place is taken by a non-empty directory, so the whole write fails before touching the file.
        Path backup = stateFile.resolveSibling(stateFile.getFileName() + ".backup");
        Files.createDirectories(backup.resolve("blocker"));
        StateException e = assertThrows(StateException.class, b::compact);
        assertTrue(e.getMessage().contains("could not write state file"), e.getMessage());
        assertTrue(e.getMessage().contains("recorded in the state journal " + b.journalFile()), e.getMessage());
        assertTrue(Files.exists(b.journalFile()), "the journal stays for the next read");
        Files.delete(backup.resolve("blocker"));
        Files.delete(backup);
        assertEquals(addresses(recorded), addresses(backend().read().orElseThrow()), "the next reader replays it");
    }

    @Test
    void journalIsOwnerOnlyAndSecretsStayAsRecorded() throws IOException {
        LocalStateBackend b = backend();
        StateSnapshot s = b.write(StateSnapshot.empty("0.1.0"));
        b.record(s.with(resource("secret", "(sensitive value)")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(b.journalFile())));
        String text = Files.readString(b.journalFile());
        assertTrue(text.contains("(sensitive value)"), "the journal holds the entry exactly as the state would");
    }

    @Test
    void aRunKilledBeforeCompactingLosesNothing() {
        LocalStateBackend b = backend();
        StateSnapshot recorded = journalOfTwoRecords(b);
        // no compact(): the process "died" here
        StateSnapshot read = backend().read().orElseThrow();
        assertEquals(recorded.resources(), read.resources());
        assertEquals(2, read.serial(), "not the file's serial: a plan saved before these steps must not match");
    }

    @Test
    void theNextRunFoldsAnEarlierJournalInUnderTheSerialItsReadersSaw() throws IOException {
        LocalStateBackend crashed = backend();
        journalOfTwoRecords(crashed);
        LocalStateBackend next = backend();
        StateSnapshot read = next.read().orElseThrow();
        StateSnapshot step = next.record(read.with(resource("c", "4")));
        StateSnapshot file = new StateCodec().decode(Files.readAllBytes(stateFile), "state file");
        assertEquals(read, file, "the file now holds exactly what was read, under the serial it was read with");
        assertEquals(3, step.serial());
        assertTrue(Files.readString(next.journalFile()).contains("\"seq\":1"), "a fresh journal for this run's steps");
        assertEquals(step, backend().read().orElseThrow());
        assertEquals(step, next.compact().orElseThrow());
    }

    @Test
    void aWholeWriteOverAnEarlierJournalGetsASerialAboveTheOneItsReadersSaw() throws IOException {
        // `state rm`, `mv`, `push` and `import` write whole; after a run whose compaction failed (disk full), the
        // serial they read came from the journal, one above the file's.
        journalOfTwoRecords(backend());
        LocalStateBackend next = backend();
        StateSnapshot read = next.read().orElseThrow();
        StateSnapshot written = next.write(read.without("a"));
        assertEquals(read.serial() + 1, written.serial(),
                "another state under the serial readers saw would let a copy pulled before it be pushed back unasked");
        StateSnapshot backup = new StateCodec().decode(Files.readAllBytes(next.backupFile()), "backup");
        assertEquals(read, backup, "the backup is the state as it was read, journal included");
        assertFalse(Files.exists(next.journalFile()));
        assertEquals(written, backend().read().orElseThrow());
    }

    @Test
    void aTornLastRecordIsIgnoredAndTheRecordsBeforeItKept() throws IOException {
        LocalStateBackend b = backend();
        StateSnapshot s = b.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        StateSnapshot first = b.record(s.with(resource("b", "2")));
        b.record(first.with(resource("c", "3")));
        byte[] whole = Files.readAllBytes(b.journalFile());
        int firstLineEnd = new String(whole, StandardCharsets.UTF_8).indexOf('\n') + 1;
        Random random = new Random(7);
        for (int cut = 0; cut < 20; cut++) {
            // cut short anywhere inside the second record, with or without garbage where the rest should be
            int at = firstLineEnd + random.nextInt(whole.length - firstLineEnd - 1);
            byte[] torn = java.util.Arrays.copyOf(whole, at + (cut % 2 == 0 ? 0 : 3));
            if (cut % 2 == 1) {
                torn[at] = 'x';
                torn[at + 1] = 'y';
                torn[at + 2] = '\n';
            }
            Files.write(b.journalFile(), torn);
            assertEquals(addresses(first), addresses(backend().read().orElseThrow()), "cut at " + at);
        }
    }

    @Test
    void aDamagedRecordFollowedByAGoodOneIsCorruption() throws IOException {
        LocalStateBackend b = backend();
        journalOfTwoRecords(b);
        List<String> lines = new ArrayList<>(Files.readAllLines(b.journalFile()));
        lines.set(0, lines.get(0).replace("\"2\"", "\"9\""));  // the checksum no longer matches
        Files.write(b.journalFile(), lines);
        CorruptStateException e = assertThrows(CorruptStateException.class, () -> backend().read());
        assertTrue(e.getMessage().contains("record 1 is damaged"), e.getMessage());
        assertTrue(e.getMessage().contains(b.journalFile().toString()), e.getMessage());
    }

    @Test
    void replayIsIdempotent() throws IOException {
        LocalStateBackend b = backend();
        StateSnapshot recorded = journalOfTwoRecords(b);
        StateSnapshot once = backend().read().orElseThrow();
        assertEquals(once, backend().read().orElseThrow(), "reading twice gives the same state");
        // The same records replayed onto a state that already holds them change nothing.
        StateCodec codec = new StateCodec();
        byte[] journal = Files.readAllBytes(b.journalFile());
        StateSnapshot again = StateJournal.replay(once, journal, "journal", codec).state();
        assertEquals(recorded.resources(), again.resources());
        // Records appended twice (a record repeated) give the same state too, when numbered right: not allowed,
        // so the numbering refuses it instead of applying it twice.
        Files.write(b.journalFile(), journal, StandardOpenOption.APPEND);
        assertThrows(CorruptStateException.class, () -> backend().read());
    }

    @Test
    void aJournalAlreadyCompactedIsIgnoredAndRemovedByTheNextWrite() throws IOException {
        LocalStateBackend b = backend();
        StateSnapshot recorded = journalOfTwoRecords(b);
        byte[] journal = Files.readAllBytes(b.journalFile());
        StateSnapshot compacted = b.compact().orElseThrow();
        // a compaction that died after writing the state and before removing the journal
        Files.write(b.journalFile(), journal);
        LocalStateBackend next = backend();
        StateSnapshot read = next.read().orElseThrow();
        assertEquals(compacted, read);
        assertEquals(recorded.resources(), read.resources());
        StateSnapshot d = next.record(read.with(resource("d", "4")));
        assertTrue(Files.readString(next.journalFile()).contains("\"seq\":1"), "the stale journal is not continued");
        next.record(d.with(resource("e", "5")));
        assertEquals(List.of("a", "d", "e"), addresses(backend().read().orElseThrow()));
    }

    @Test
    void aRecordOfAnotherLineageIsRefused() throws IOException {
        LocalStateBackend b = backend();
        journalOfTwoRecords(b);
        byte[] journal = Files.readAllBytes(b.journalFile());
        // the state file replaced by another history of the same serial (state push of another project)
        Files.delete(stateFile);
        Files.delete(b.journalFile());
        LocalStateBackend other = backend();
        other.write(StateSnapshot.empty("0.1.0").with(resource("z", "0")));
        Files.write(other.journalFile(), journal);
        StateException e = assertThrows(StateException.class, () -> backend().read());
        assertTrue(e.getMessage().contains("another state"), e.getMessage());
        assertTrue(e.getMessage().contains("Nothing was changed"), e.getMessage());
    }

    @Test
    void aRecordOfALaterSerialThanTheStateIsRefused() throws IOException {
        LocalStateBackend b = backend();
        b.write(StateSnapshot.empty("0.1.0"));
        Files.copy(stateFile, dir.resolve("serial1"));
        StateSnapshot s = b.write(b.read().orElseThrow().with(resource("a", "1")));
        b.record(s.with(resource("b", "2")));
        // the state restored from an older copy while the journal of serial 2 is still there
        Files.copy(dir.resolve("serial1"), stateFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        StateException e = assertThrows(StateException.class, () -> backend().read());
        assertTrue(e.getMessage().contains("serial 2"), e.getMessage());
        assertTrue(e.getMessage().contains(".refused"), e.getMessage());
    }

    @Test
    void aLostLockRecordsNothing() throws IOException {
        LocalStateBackend b = backend();
        StateSnapshot s = b.write(StateSnapshot.empty("0.1.0"));
        try (LockHandle ignored = b.lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            s = b.record(s.with(resource("a", "1")));
            long before = Files.size(b.journalFile());
            Files.delete(b.lockFile());
            StateSnapshot next = s.with(resource("b", "2"));
            assertThrows(LockLostException.class, () -> b.record(next));
            assertThrows(LockLostException.class, b::compact);
            assertEquals(before, Files.size(b.journalFile()), "nothing appended after the lock was lost");
        }
    }

    @Test
    void anotherWriterMeanwhileStopsTheJournal() {
        LocalStateBackend b = backend();
        StateSnapshot s = journalOfTwoRecords(b);
        LocalStateBackend other = backend();
        other.write(other.read().orElseThrow().with(resource("x", "9")));
        StateException e = assertThrows(StateException.class, () -> b.record(s.with(resource("c", "3"))));
        assertTrue(e.getMessage().contains("changed since this run read it"), e.getMessage());
    }

    @Test
    void aJournalWithoutItsStateFileIsRefused() throws IOException {
        LocalStateBackend b = backend();
        journalOfTwoRecords(b);
        Files.delete(stateFile);
        StateException e = assertThrows(StateException.class, () -> backend().read());
        assertTrue(e.getMessage().contains("does not"), e.getMessage());
    }

    @Test
    void aLinkAtTheJournalPathIsNotFollowed() throws IOException {
        LocalStateBackend b = backend();
        StateSnapshot s = b.write(StateSnapshot.empty("0.1.0"));
        Path elsewhere = dir.resolve("elsewhere");
        Files.createSymbolicLink(b.journalFile(), elsewhere);
        assertThrows(StateException.class, () -> backend().read());
        // a run that did not read first: the record goes to a whole write, which removes the link itself
        LocalStateBackend writer = backend();
        StateSnapshot written = writer.record(s.with(resource("a", "1")));
        assertFalse(Files.exists(elsewhere), "nothing written through the link");
        assertFalse(Files.isSymbolicLink(writer.journalFile()));
        writer.record(written.with(resource("b", "2")));
        assertFalse(Files.exists(elsewhere), "nothing written through the link");
        assertEquals(List.of("a", "b"), addresses(backend().read().orElseThrow()));
    }

    @Test
    void killNineWhileRecordingLosesNoRecordedStep() throws Exception {
        Random random = new Random();
        int lastSeen = -1;
        for (int kill = 1; kill <= 8; kill++) {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    "-Xshare:auto", CrashingJournalWriter.class.getName(), stateFile.toString())
                    .redirectErrorStream(true).start();
            int lastRecorded = -1;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200 + random.nextInt(400));
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("recorded r")) {
                        lastRecorded = Integer.parseInt(line.substring("recorded r".length()));
                        if (System.nanoTime() > until) {
                            break;
                        }
                    }
                }
                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
            }
            assertTrue(lastRecorded >= 0, "the child recorded nothing before it was killed");
            StateSnapshot s = backend().read().orElseThrow();
            for (int i = 0; i <= lastRecorded; i++) {
                assertTrue(s.find("r" + i).isPresent(), "after kill " + kill + ": step r" + i + " was recorded but is lost");
            }
            assertTrue(lastRecorded > lastSeen, "the writer made progress");
            lastSeen = lastRecorded;
        }
    }

    private static List<String> addresses(StateSnapshot s) {
        return s.resources().stream().map(ResourceState::address).toList();
    }
}

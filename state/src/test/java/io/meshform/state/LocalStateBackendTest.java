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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LocalStateBackendTest extends StateBackendContract {

    @TempDir
    Path dir;
    Path stateFile;

    @BeforeEach
    void location() {
        stateFile = dir.resolve("meshform.state.json");
    }

    @Override
    protected StateBackend openBackend() {
        return new LocalStateBackend(stateFile);
    }

    @Override
    protected void deleteStateByHand() throws IOException {
        Files.delete(stateFile);
        Files.deleteIfExists(new LocalStateBackend(stateFile).backupFile());
    }

    @Test
    void writeKeepsThePreviousVersionAsBackup() throws IOException {
        LocalStateBackend b = new LocalStateBackend(stateFile);
        StateSnapshot first = b.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        assertFalse(Files.exists(b.backupFile()), "nothing to back up on the first write");
        byte[] firstBytes = Files.readAllBytes(stateFile);
        b.write(first.with(resource("b", "2")));
        assertArrayEquals(firstBytes, Files.readAllBytes(b.backupFile()));
        assertEquals(first, new LocalStateBackend(b.backupFile()).read().orElseThrow());
        try (var leftovers = Files.list(dir)) {
            assertEquals(2, leftovers.count(), "no temp files left behind");
        }
    }

    /** A plan branches on exists() before it locks: a journal alone counts (read() reports it), a device is refused. */
    @Test
    void existsCountsALoneJournalAndRefusesWhatIsNoFileWithoutALockBesideIt() throws IOException {
        LocalStateBackend b = new LocalStateBackend(stateFile);
        Files.writeString(b.journalFile(), "{}\n");
        assertTrue(b.exists());
        assertThrows(StateException.class, b::read, "a journal without its state file is an error under the lock");
        Path aDirectory = Files.createDirectory(dir.resolve("state-dir"));
        StateException e = assertThrows(StateException.class, () -> new LocalStateBackend(aDirectory).exists());
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        assertThrows(StateException.class, () -> new LocalStateBackend(aDirectory).lock(LockInfo.forOperation("state rm"),
                Duration.ZERO), "every command that locks refuses it");
        assertFalse(Files.exists(dir.resolve("state-dir.lock")), "no lock file made beside it");
    }

    /** A directory where the backup goes is named as the backup, not as the (unharmed) state file. */
    @Test
    void aDirectoryInTheBackupsPlaceIsNamedAsTheBackup() throws IOException {
        LocalStateBackend b = new LocalStateBackend(stateFile);
        StateSnapshot first = b.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        byte[] firstBytes = Files.readAllBytes(stateFile);
        Files.createDirectories(b.backupFile().resolve("blocker"));
        StateException e = assertThrows(StateException.class, () -> b.write(first.with(resource("b", "2"))));
        assertTrue(e.getMessage().startsWith("could not write state file " + stateFile + ": its backup " + b.backupFile()
                + " (the previous state, kept before each write) could not be written: it is a directory, and meshform"
                + " keeps the previous state there as a file; move the directory away (or delete it), then run meshform"
                + " again"), e.getMessage());
        assertArrayEquals(firstBytes, Files.readAllBytes(stateFile), "the state file is unchanged");
    }

    /**
     * A run that finds the lock held a moment before its holder wrote its record (two applies started together) still
     * names the holder: it looks again for the record instead of reporting "an unknown holder" at once.
     */
    @Test
    void aHolderThatHasNotWrittenItsRecordYetIsStillNamed() throws Exception {
        LocalStateBackend b = new LocalStateBackend(stateFile);
        Files.write(b.lockFile(), new byte[0]);
        LockInfo holder = LockInfo.forOperation("apply");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(b.lockFile(),
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock os = ch.lock()) {
            // The OS lock is taken; the record follows 100 ms later, as from a holder slowed down between the two.
            Thread writer = new Thread(() -> {
                try {
                    Thread.sleep(100);
                    ch.write(java.nio.ByteBuffer.wrap(holder.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            StateLockedException e = assertThrows(StateLockedException.class, () -> b.lock(LockInfo.forOperation("plan"), Duration.ZERO));
            writer.join();
            assertEquals(holder.id(), e.holder().id(), e.getMessage());
            assertEquals("apply", e.holder().operation());
            assertTrue(e.getMessage().contains("(pid " + ProcessHandle.current().pid() + ")"), e.getMessage());
        }
    }

    @Test
    void stateBackupAndLockFilesAreOwnerOnly() throws IOException {
        LocalStateBackend b = new LocalStateBackend(stateFile);
        b.write(b.write(StateSnapshot.empty("0.1.0")));
        try (LockHandle ignored = b.lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            for (Path p : new Path[] {b.file(), b.backupFile(), b.lockFile()}) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
            }
        }
    }

    @Test
    void lockFileNamesTheHolderAndIsEmptiedButKeptOnRelease() throws IOException {
        LocalStateBackend b = new LocalStateBackend(stateFile);
        try (LockHandle held = b.lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            String json = Files.readString(b.lockFile());
            LockInfo info = LockInfo.fromJson(json, "x");
            assertEquals(held.id(), info.id());
            assertEquals(ProcessHandle.current().pid(), info.pid());
            assertEquals("local file " + stateFile, info.path());
        }
        // Kept: deleting it could let two runs lock two different files of the same name.
        assertEquals("", Files.readString(b.lockFile()));
    }

    @Test
    void aRunKilledWhileHoldingTheLockNeedsNoForceUnlock() throws Exception {
        Process holder = child("hold");
        try {
            String line = firstLine(holder, "LOCKED");
            String id = line.substring("LOCKED ".length());
            StateLockedException e = assertThrows(StateLockedException.class,
                    () -> openBackend().lock(LockInfo.forOperation("plan"), Duration.ZERO));
            assertEquals(id, e.holder().id());
            assertEquals(holder.pid(), e.holder().pid());
            assertFalse(e.stale());
            StateException refused = assertThrows(StateException.class, () -> openBackend().forceUnlock(id));
            assertTrue(refused.getMessage().contains("alive") && refused.getMessage().contains("kill " + holder.pid()),
                    refused.getMessage());

            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long start = System.nanoTime();
            try (LockHandle mine = openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
                assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 2_000);
                assertFalse(mine.id().equals(id));
            }
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void aSecondBackendInThisProcessIsRefusedWithoutDroppingTheFirstOnesOsLock() throws Exception {
        try (LockHandle held = openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            StateLockedException e = assertThrows(StateLockedException.class,
                    () -> openBackend().lock(LockInfo.forOperation("plan"), Duration.ZERO));
            assertEquals(held.id(), e.holder().id());
            assertThrows(StateException.class, () -> openBackend().forceUnlock(held.id()));
            Process other = child("try");
            assertEquals("HELD " + ProcessHandle.current().pid(), firstLine(other, ""));
        }
    }

    @Test
    void aLockRecordLeftByADeadRunIsTakenAtOnce() throws Exception {
        LockInfo left = new LockInfo("abandoned-id", "apply", LockInfo.forOperation("x").who(), exitedProcessPid(),
                Instant.parse("2025-01-02T03:04:05Z"), "local file " + stateFile);
        Files.writeString(dir.resolve("meshform.state.json.lock"), left.toJson());
        try (LockHandle mine = openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            assertFalse(mine.id().equals("abandoned-id"));
        }
    }

    @Test
    void aDeadRunsIstioctlThatStillRunsKeepsTheLock() throws Exception {
        Process istioctl = new ProcessBuilder("sleep", "60").start();
        try {
            LockInfo left = LockInfo.forOperation("apply");
            left = new LockInfo("dead-run", "apply", left.who(), exitedProcessPid(), Instant.now(), "",
                    left.pidNamespace(), List.of(LockInfo.Child.of(istioctl.toHandle())));
            Files.writeString(dir.resolve("meshform.state.json.lock"), left.toJson());
            StateLockedException e = assertThrows(StateLockedException.class,
                    () -> openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO));
            assertFalse(e.stale());
            assertTrue(e.getMessage().contains("sleep (pid " + istioctl.pid() + ")")
                    && e.getMessage().contains("kill " + istioctl.pid()), e.getMessage());
            istioctl.destroyForcibly().waitFor();
            openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO).close();
        } finally {
            istioctl.destroyForcibly();
        }
    }

    @Test
    void aChildStartedUnderTheLockIsRecordedInIt() throws Exception {
        Process istioctl = new ProcessBuilder("sleep", "60").start();
        LocalStateBackend b = new LocalStateBackend(stateFile);
        try (LockHandle held = b.lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            held.childStarted(istioctl.toHandle());
            LockInfo record = LockInfo.fromJson(Files.readString(b.lockFile()), "x");
            assertEquals(List.of(istioctl.pid()), record.children().stream().map(LockInfo.Child::pid).toList());
            held.childEnded(istioctl.toHandle());
            assertEquals(List.of(), LockInfo.fromJson(Files.readString(b.lockFile()), "x").children());
        } finally {
            istioctl.destroyForcibly();
        }
    }

    @Test
    void tempFilesOfAKilledWriteAreRemovedByTheNextLockHolder() throws IOException {
        LocalStateBackend b = new LocalStateBackend(stateFile);
        b.write(StateSnapshot.empty("0.1.0"));
        Path leftover = dir.resolve(".meshform.state.json.tmp-0b6f1e55-dead-beef-0000-000000000000");
        Files.write(leftover, new byte[0]);
        assertEquals(1, b.read().orElseThrow().serial(), "readers ignore it");
        b.lock(LockInfo.forOperation("apply"), Duration.ZERO).close();
        assertFalse(Files.exists(leftover));
    }

    @Test
    void deletingTheLockFileUnderARunStopsItsWrites() throws IOException {
        LocalStateBackend b = new LocalStateBackend(stateFile);
        try (LockHandle held = b.lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            StateSnapshot s = b.write(StateSnapshot.empty("0.1.0"));
            Files.delete(b.lockFile());
            LockLostException e = assertThrows(LockLostException.class, () -> b.write(s));
            assertTrue(e.getMessage().contains("removed or replaced"), e.getMessage());
        }
    }

    @Test
    void aSymlinkedStateIsWrittenThroughAndStaysALink() throws IOException {
        Path disk = Files.createDirectory(dir.resolve("disk"));
        Path real = disk.resolve("real.json");
        Files.createSymbolicLink(stateFile, Path.of("disk/real.json"));
        LocalStateBackend b = new LocalStateBackend(stateFile);
        StateSnapshot first = b.write(StateSnapshot.empty("0.1.0"));
        b.write(first.with(resource("a", "1")));
        assertTrue(Files.isSymbolicLink(stateFile), "the link is kept");
        assertEquals(2, new LocalStateBackend(real).read().orElseThrow().serial(), "the target holds the state");
        assertTrue(Files.exists(disk.resolve("real.json.backup")), "the backup is beside the target");
        try (LockHandle viaLink = b.lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            assertThrows(StateLockedException.class,
                    () -> new LocalStateBackend(real).lock(LockInfo.forOperation("plan"), Duration.ZERO),
                    "the link and the target share one lock");
        }
        assertTrue(b.describe().contains("a link to " + real), b.describe());
    }

    @Test
    void aLoopOfLinksIsRefusedWithAMessage() throws IOException {
        Files.createSymbolicLink(stateFile, dir.resolve("other.json"));
        Files.createSymbolicLink(dir.resolve("other.json"), stateFile);
        StateException e = assertThrows(StateException.class, () -> new LocalStateBackend(stateFile));
        assertTrue(e.getMessage().contains("loop"), e.getMessage());
    }

    @Test
    void aLinkedLockFileIsNotFollowed() throws IOException {
        Path victim = Files.writeString(dir.resolve("victim.txt"), "keep me");
        Files.createSymbolicLink(dir.resolve("meshform.state.json.lock"), victim);
        assertThrows(StateException.class, () -> openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO));
        assertEquals("keep me", Files.readString(victim));
    }

    private Process child(String mode) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                LocalLockHolder.class.getName(), mode, stateFile.toString()).redirectErrorStream(true).start();
    }

    private static String firstLine(Process p, String prefix) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(prefix) && (prefix.length() > 0 || line.startsWith("GOT") || line.startsWith("HELD"))) {
                return line;
            }
        }
        throw new IllegalStateException("the child process ended without a line starting with " + prefix);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not JSON          | format_version = 1                                        | not valid JSON at line 1, column
            truncated         | {"format_version": 1, "serial": 3, "lineage": "l", "re    | line 1
            empty             | ''                                                        | empty
            missing lineage   | {"format_version":1,"serial":1,"meshform_version":"0","resources":[]} | lineage is missing
            negative serial   | {"format_version":1,"serial":-4,"lineage":"l","meshform_version":"0","resources":[]} | serial is -4
            duplicate address | {"format_version":1,"serial":1,"lineage":"l","meshform_version":"0","resources":[{"address":"a","type":"t","attributes":{}},{"address":"a","type":"t","attributes":{}}]} | resources[1]: address "a" appears twice
            duplicate key     | {"format_version":1,"serial":1,"serial":2,"lineage":"l","meshform_version":"0","resources":[]} | Duplicate Object property "serial"
            """)
    void corruptStateIsRefusedWithPathProblemAndBackup(String name, String content, String problem)
            throws IOException {
        LocalStateBackend b = new LocalStateBackend(stateFile);
        b.write(b.write(StateSnapshot.empty("0.1.0")));
        Files.writeString(stateFile, content, StandardCharsets.UTF_8);

        CorruptStateException read = assertThrows(CorruptStateException.class, b::read);
        assertTrue(read.getMessage().contains(stateFile.toString()), read.getMessage());
        assertTrue(read.getMessage().contains(problem), read.getMessage());
        assertTrue(read.getMessage().contains("cp " + b.backupFile() + " " + stateFile), read.getMessage());

        CorruptStateException write = assertThrows(CorruptStateException.class,
                () -> b.write(StateSnapshot.empty("0.1.0")));
        assertEquals(read.getMessage(), write.getMessage());
        assertEquals(content, Files.readString(stateFile), "a corrupt state is never overwritten");
    }

    @Test
    void corruptStateWithoutBackupSaysThereIsNone() throws IOException {
        Files.writeString(stateFile, "{");
        CorruptStateException e = assertThrows(CorruptStateException.class, () -> openBackend().read());
        assertTrue(e.getMessage().contains("There is no backup"), e.getMessage());
    }

    @Test
    void stateFromANewerMeshformIsRefused() throws IOException {
        Files.writeString(stateFile, """
                {"format_version": 5, "serial": 1, "lineage": "l", "meshform_version": "9.0.0", "resources": []}
                """);
        StateException e = assertThrows(StateException.class, () -> openBackend().read());
        assertEquals("state file " + stateFile + " was written by a newer meshform (format 5); this meshform "
                + "reads up to format 4: upgrade meshform", e.getMessage());
    }

    @Test
    void writeCreatesMissingDirectories() {
        LocalStateBackend b = new LocalStateBackend(dir.resolve("a/b/state.json"));
        b.write(StateSnapshot.empty("0.1.0"));
        assertEquals(1, b.read().orElseThrow().serial());
    }

    /** The pid of a process that has exited; pids are reused only after wrapping, far beyond a test run. */
    private static long exitedProcessPid() throws IOException {
        Process p = new ProcessBuilder("true").start();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return p.pid();
    }
}

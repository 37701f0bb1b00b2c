package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
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
    void lockFileNamesTheHolder() throws IOException {
        LocalStateBackend b = new LocalStateBackend(stateFile);
        try (LockHandle held = b.lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            String json = Files.readString(b.lockFile());
            LockInfo info = LockInfo.fromJson(json, "x");
            assertEquals(held.id(), info.id());
            assertEquals(ProcessHandle.current().pid(), info.pid());
            assertEquals("local file " + stateFile, info.path());
        }
        assertFalse(Files.exists(b.lockFile()));
    }

    @Test
    void lockOfADeadProcessOnThisHostIsReportedStale() throws Exception {
        long deadPid = exitedProcessPid();
        LockInfo left = new LockInfo("abandoned-id", "apply", LockInfo.forOperation("x").who(), deadPid,
                Instant.parse("2025-01-02T03:04:05Z"), "local file " + stateFile);
        Files.writeString(dir.resolve("meshform.state.json.lock"), left.toJson());

        StateLockedException e = assertThrows(StateLockedException.class,
                () -> openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO));
        assertTrue(e.stale());
        assertTrue(e.getMessage().contains("stale"), e.getMessage());
        assertTrue(e.getMessage().contains("meshform force-unlock abandoned-id"), e.getMessage());
        assertTrue(e.getMessage().contains("2025-01-02T03:04:05Z"), e.getMessage());

        openBackend().forceUnlock("abandoned-id");
        openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO).close();
    }

    @Test
    void lockOfAProcessOnAnotherHostIsNotStale() throws IOException {
        LockInfo left = new LockInfo("remote-id", "apply", "bob@elsewhere.example", exitedProcessPid(),
                Instant.now(), "");
        Files.writeString(dir.resolve("meshform.state.json.lock"), left.toJson());
        StateLockedException e = assertThrows(StateLockedException.class,
                () -> openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO));
        assertFalse(e.stale(), "we cannot see processes on another host");
        assertTrue(e.getMessage().contains("bob@elsewhere.example"), e.getMessage());
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
                {"format_version": 2, "serial": 1, "lineage": "l", "meshform_version": "9.0.0", "resources": []}
                """);
        StateException e = assertThrows(StateException.class, () -> openBackend().read());
        assertEquals("state file " + stateFile + " was written by a newer meshform (format 2); this meshform "
                + "reads up to format 1: upgrade meshform", e.getMessage());
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

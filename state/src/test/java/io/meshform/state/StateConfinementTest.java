package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state path the stack chose stays inside the stack's root where writes land (audit A, M1): a dangling link is
 * judged by its target, the lock, backup and journal are checked too, and a lock path holding a file meshform did not
 * write is never emptied.
 */
class StateConfinementTest {
    @TempDir
    Path dir;
    Path root;
    Path outside;

    @BeforeEach
    void dirs() throws IOException {
        root = Files.createDirectory(dir.resolve("stack"));
        outside = Files.createDirectory(dir.resolve("outside"));
    }

    private static StateBackend open(Path root, String path) {
        return BackendCatalog.installed().get("local").open(new BackendRequest(Map.of("path", path), root, type -> {
            throw new IllegalStateException("a local file needs no client");
        }, root));
    }

    private long filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void realPathsJudgeADanglingLinkByItsTarget() throws IOException {
        Files.createSymbolicLink(root.resolve("st.json"), outside.resolve("pwn.json"));
        Files.createSymbolicLink(root.resolve("rel.json"), Path.of("../outside/x/y.json"));
        Files.createSymbolicLink(root.resolve("chain.json"), Path.of("rel.json"));
        Files.createSymbolicLink(root.resolve("sub"), outside);
        Path realOutside = outside.toRealPath();
        assertEquals(realOutside.resolve("pwn.json"), RealPaths.resolve(root.resolve("st.json")));
        assertEquals(realOutside.resolve("x/y.json"), RealPaths.resolve(root.resolve("rel.json")));
        assertEquals(realOutside.resolve("x/y.json"), RealPaths.resolve(root.resolve("chain.json")));
        assertEquals(realOutside.resolve("new/a.json"), RealPaths.resolve(root.resolve("sub/new/a.json")));
        // ".." after a link is the parent of the link's target, as the kernel goes.
        assertEquals(dir.toRealPath().resolve("q.json"), RealPaths.resolve(root.resolve("sub/../q.json")));
        assertEquals(root.toRealPath().resolve("plain/new.json"), RealPaths.resolve(root.resolve("plain/new.json")));
        assertFalse(RealPaths.within(root.resolve("st.json"), root));
        assertTrue(RealPaths.within(root.resolve("plain/new.json"), root));

        Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(root.resolve("b"), Path.of("a"));
        assertThrows(FileSystemLoopException.class, () -> RealPaths.resolve(root.resolve("a")));
    }

    @Test
    void aDanglingLinkOutOfTheRootIsRefusedBeforeAnythingIsWritten() throws IOException {
        Files.createSymbolicLink(root.resolve("st.json"), outside.resolve("pwn.json"));
        StateException e = assertThrows(StateException.class, () -> open(root, "st.json"));
        assertTrue(e.getMessage().contains("leads outside the stack's root directory " + root), e.getMessage());
        assertTrue(e.getMessage().contains("pwn.json"), e.getMessage());
        assertTrue(e.getMessage().contains("--state FILE"), e.getMessage());
        assertEquals(0, filesIn(outside), "nothing created outside the root");
    }

    @Test
    void aPlantedGemfileLockOutsideIsNeverTruncated() throws IOException {
        Path victim = Files.writeString(outside.resolve("Gemfile.lock"), "precious content\n");
        Files.createSymbolicLink(root.resolve("st2.json"), outside.resolve("Gemfile"));
        assertThrows(StateException.class, () -> open(root, "st2.json"));
        assertEquals("precious content\n", Files.readString(victim));
    }

    @Test
    void aLinkedSiblingOutOfTheRootIsRefused() throws IOException {
        Files.createSymbolicLink(root.resolve("meshform.state.json.backup"), outside.resolve("b"));
        StateException e = assertThrows(StateException.class, () -> open(root, "meshform.state.json"));
        assertTrue(e.getMessage().contains("meshform.state.json.backup"), e.getMessage());
    }

    @Test
    void aLinkLoopIsRefused() throws IOException {
        Files.createSymbolicLink(root.resolve("d"), Path.of("e"));
        Files.createSymbolicLink(root.resolve("e"), Path.of("d"));
        assertThrows(StateException.class, () -> open(root, "d/st.json"));
    }

    @Test
    void aLinkInsideTheRootIsStillWrittenThrough() throws IOException {
        Files.createDirectory(root.resolve("disk"));
        Files.createSymbolicLink(root.resolve("st.json"), Path.of("disk/real.json")); // dangling until the first write
        StateBackend b = open(root, "st.json");
        LockHandle lock = b.lock(LockInfo.forOperation("apply"), Duration.ZERO);
        b.write(StateSnapshot.empty("0.1.0"));
        lock.close();
        assertTrue(Files.isSymbolicLink(root.resolve("st.json")));
        assertTrue(Files.isRegularFile(root.resolve("disk/real.json")));
        assertTrue(Files.exists(root.resolve("disk/real.json.lock")));
    }

    @Test
    void withoutARootTheRunnersPathIsWrittenThroughWhereverItLeads() throws IOException {
        // --state, or --allow-outside-root: the runner's choice, as before.
        Files.createSymbolicLink(root.resolve("st.json"), outside.resolve("real.json"));
        StateBackend b = BackendCatalog.installed().get("local").open(new BackendRequest(Map.of("path", "st.json"),
                root, type -> null));
        b.write(StateSnapshot.empty("0.1.0"));
        assertTrue(Files.isRegularFile(outside.resolve("real.json")));
    }

    @Test
    void aLockPathHoldingAFileMeshformDidNotWriteIsNeverEmptied() throws IOException {
        Path state = dir.resolve("Gemfile");
        Path lockFile = Files.writeString(dir.resolve("Gemfile.lock"), "GEM\n  remote: https://rubygems.org/\n");
        LocalStateBackend b = new LocalStateBackend(state);
        StateException e = assertThrows(StateException.class, () -> b.lock(LockInfo.forOperation("plan"), Duration.ZERO));
        assertTrue(e.getMessage().contains(lockFile.toString()) && e.getMessage().contains("not a meshform lock record"),
                e.getMessage());
        assertEquals("GEM\n  remote: https://rubygems.org/\n", Files.readString(lockFile));
        assertThrows(StateException.class, () -> b.forceUnlock("unknown"));
        assertEquals("GEM\n  remote: https://rubygems.org/\n", Files.readString(lockFile));
    }

    @Test
    void aLockRecordWholeOrCutShortByACrashIsMeshformsToReuse() throws IOException {
        Path state = dir.resolve("s.json");
        LocalStateBackend b = new LocalStateBackend(state);
        b.lock(LockInfo.forOperation("plan"), Duration.ZERO).close();
        Files.writeString(b.lockFile(), LockInfo.forOperation("apply").toJson());
        b.lock(LockInfo.forOperation("plan"), Duration.ZERO).close();
        Files.writeString(b.lockFile(), "{\n  \"id\" : \"3f2a");
        b.lock(LockInfo.forOperation("plan"), Duration.ZERO).close();
        assertEquals("", Files.readString(b.lockFile()), "emptied on release, as before");
        assertTrue(LocalLockFile.isLockRecord(LockInfo.forOperation("x").toJson()));
        assertFalse(LocalLockFile.isLockRecord("{\n  \"name\": \"pkg\", \"id\": 1}"));
    }
}

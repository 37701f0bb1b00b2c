package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state on a read-only file system (a read-only checkout, a {@code ro} mount): the lock file cannot be opened. The
 * error said only "check that the directory is writable"; it says that no run can lock there and that
 * {@code plan --lock=false} plans from such a checkout. The tests may run as root, who writes through any mode bits,
 * and cannot mount, so the exception stands in for the kernel's EROFS (the real case was run on a tmpfs remounted
 * read-only: same message).
 */
class ReadOnlyLockFileTest {
    @TempDir
    Path dir;

    @Test
    void aReadOnlyFileSystemPointsToPlanWithoutTheLock() {
        Path lock = dir.resolve("meshform.state.json.lock");
        StateException e = LocalLockFile.openFailure(lock,
                new FileSystemException(lock.toString(), null, "Read-only file system"));
        assertTrue(e.getMessage().startsWith("could not open lock file " + lock + ": read-only file system\n"),
                e.getMessage());
        assertTrue(e.getMessage().contains("`meshform plan --lock=false` reads the state without its lock"),
                e.getMessage());
        assertTrue(e.getMessage().contains("nothing was read or written"), e.getMessage());
    }

    @Test
    void anotherRefusalKeepsTheWritableAdvice() {
        Path lock = dir.resolve("meshform.state.json.lock");
        StateException e = LocalLockFile.openFailure(lock, new AccessDeniedException(lock.toString()));
        assertTrue(e.getMessage().contains("Check that the directory exists and is writable"), e.getMessage());
        assertFalse(e.getMessage().contains("--lock=false"), e.getMessage());
    }
}

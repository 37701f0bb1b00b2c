package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteFailureTest {
    @TempDir
    Path dir;

    @Test
    void aMissingDirectoryIsNamedNotTheTempFile() {
        Path target = dir.resolve("nonexistentdir/x.plan");
        assertEquals("cannot write " + target + ": directory " + dir.resolve("nonexistentdir") + " does not exist; create"
                + " it, or give a path in an existing directory", WriteFailure.message(target,
                new NoSuchFileException(dir.resolve("nonexistentdir/.x.plan.tmp-1234").toString())));
    }

    @Test
    void aFileWhereTheDirectoryShouldBe() throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "");
        assertEquals(file + " is not a directory; give a path in a directory",
                WriteFailure.reason(file.resolve("x.plan"), new FileSystemException(file + "/.x.tmp", null, "Not a directory")));
    }

    @Test
    void aDirectoryWhereTheFileShouldBe() throws IOException {
        Path target = Files.createDirectory(dir.resolve("x.plan"));
        assertEquals("it is a directory; give a file name", WriteFailure.reason(target, new IOException("Is a directory")));
    }

    @Test
    void permissionDeniedInPlainWords() {
        // The test may run as root, who may write anywhere, so the exception stands in for the refusal.
        String reason = WriteFailure.reason(dir.resolve("x.plan"), new AccessDeniedException(dir + "/.x.plan.tmp-1"));
        assertEquals("permission denied; choose a directory you may write, or change its permissions",
                reason.replace(" (directory " + dir + " is not writable by this user)", ""));
    }

    @Test
    void theSystemsReasonWithoutTheTempPath() {
        assertEquals("no space left on device", WriteFailure.reason(dir.resolve("x"),
                new FileSystemException(dir + "/.x.tmp-1", null, "No space left on device")));
    }

    @Test
    void aStatePathUnderAFileIsRefusedInPlainWords() throws IOException {
        Path file = Files.writeString(dir.resolve("afile"), "x");
        LocalStateBackend b = new LocalStateBackend(file.resolve("s.json"));
        StateException e = assertThrows(StateException.class,
                () -> b.lock(LockInfo.forOperation("plan"), Duration.ZERO));
        assertTrue(e.getMessage().startsWith("could not open lock file "
                + file.resolve("s.json.lock") + ": " + file + " is not a directory"), e.getMessage());
    }
}

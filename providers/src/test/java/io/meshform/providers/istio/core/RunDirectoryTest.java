package io.meshform.providers.istio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files meshform hands istioctl (an IstioOperator may hold sensitive values) live in one private directory per
 * run; what a killed run left there is removed by the next run, a live run's directory is kept.
 */
class RunDirectoryTest {
    @TempDir
    Path root;

    @Test
    void aRunsDirectoryIsPrivateAndHoldsItsFiles() throws IOException {
        Path dir = RunDirectory.current();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertTrue(dir.getFileName().toString().startsWith(RunDirectory.PREFIX + ProcessHandle.current().pid() + "-"), dir.toString());
        Path file = RunDirectory.newFile("iop-", ".yaml");
        assertEquals(dir, file.getParent());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Files.delete(file);
    }

    @Test
    void theNextRunRemovesWhatAKilledRunLeftAndKeepsALiveRunsDirectory() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        assertTrue(ended.waitFor(10, TimeUnit.SECONDS));
        ProcessHandle self = ProcessHandle.current();
        long selfStart = self.info().startInstant().orElseThrow().toEpochMilli();
        Path dead = Files.createDirectory(root.resolve(RunDirectory.PREFIX + ended.pid() + "-1700000000000-0a1b"));
        Files.writeString(dead.resolve("iop-1.yaml"), "secret: Passw0rd");
        Path reused = Files.createDirectory(root.resolve(RunDirectory.PREFIX + self.pid() + "-" + (selfStart - 5000) + "-0a1c"));
        Path live = Files.createDirectory(root.resolve(RunDirectory.PREFIX + self.pid() + "-" + selfStart + "-0a1d"));
        Files.writeString(live.resolve("iop-2.yaml"), "in use");
        Path other = Files.createDirectory(root.resolve("meshform-run-notes"));

        Path made = RunDirectory.create(root).path();

        assertFalse(Files.exists(dead), "a dead run's directory is removed");
        assertFalse(Files.exists(reused), "a directory whose pid now belongs to another process is removed");
        assertTrue(Files.exists(live.resolve("iop-2.yaml")), "a live run's directory is kept");
        assertTrue(Files.exists(other), "a name meshform does not make is left alone");
        assertTrue(Files.isDirectory(made));
    }
}

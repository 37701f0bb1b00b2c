package io.meshform.providers.istio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files meshform hands istioctl (an IstioOperator may hold sensitive values) live in one private directory per
 * run (not one per process: several runs share a JVM in the integration tests); what a killed run left there is
 * removed by the next run, a live run's directory is kept.
 */
class RunDirectoryTest {
    @TempDir
    Path root;

    @Test
    void aRunsDirectoryIsPrivateAndHoldsItsFiles() throws IOException {
        try (RunDirectory run = RunDirectory.under(root)) {
            Path dir = run.path();
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            assertTrue(dir.getFileName().toString().startsWith(RunDirectory.PREFIX + ProcessHandle.current().pid() + "-"), dir.toString());
            Path file = run.newFile("iop-", ".yaml");
            assertEquals(dir, file.getParent());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
    }

    /** As the integration tests do: Main.run again and again in one JVM, each run with its own directory. */
    @Test
    void twoRunsInOneJvmNeitherShareNorRemoveEachOthersFiles() throws IOException {
        RunDirectory first = RunDirectory.under(root);
        RunDirectory second = RunDirectory.under(root);
        Path firstFile = first.newFile("iop-", ".yaml");
        Path secondFile = second.newFile("iop-", ".yaml");
        assertNotEquals(first.path(), second.path(), "each run has a directory of its own");

        first.close();
        assertFalse(Files.exists(firstFile.getParent()), "the ended run's directory is gone");
        assertTrue(Files.exists(secondFile), "the other run's file is left alone");
        try (RunDirectory third = RunDirectory.under(root)) {
            third.newFile("objects-", ".yaml");
            assertTrue(Files.exists(secondFile), "a new run does not take a live run's directory for a stale one");
        }
        assertTrue(Files.exists(secondFile));
        second.close();
        assertFalse(Files.exists(secondFile));
    }

    @Test
    void runsAtOnceEachWriteAndRemoveOnlyTheirOwnFiles() throws Exception {
        int runs = 8;
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        CountDownLatch allWritten = new CountDownLatch(runs);
        try {
            List<Future<Path>> done = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                done.add(pool.submit(() -> {
                    Path file;
                    try (RunDirectory run = RunDirectory.under(root)) {
                        file = run.newFile("iop-", ".yaml");
                        Files.writeString(file, "mine");
                        allWritten.countDown();
                        // every run is live while the others make theirs (and look for stale ones)
                        assertTrue(allWritten.await(30, TimeUnit.SECONDS));
                        assertEquals("mine", Files.readString(file));
                    }
                    return file;
                }));
            }
            Set<Path> dirs = new HashSet<>();
            for (Future<Path> f : done) {
                Path file = f.get(60, TimeUnit.SECONDS);
                assertFalse(Files.exists(file), "a run's files go when it ends");
                dirs.add(file.getParent());
            }
            assertEquals(runs, dirs.size(), "no two runs shared a directory");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anEndedRunWritesNoMoreFiles() {
        RunDirectory run = RunDirectory.under(root);
        run.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run.newFile("iop-", ".yaml"));
        assertTrue(e.getMessage().contains("has ended"), e.getMessage());
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
        // A container sharing this /tmp: its pids mean nothing here, so only an old directory of it is removed.
        long elsewhere = RunDirectory.PID_NAMESPACE + 1;
        Path foreignLive = Files.createDirectory(root.resolve(RunDirectory.PREFIX + "1-" + selfStart + "-" + elsewhere + "-0a1e"));
        Path foreignOld = Files.createDirectory(root.resolve(RunDirectory.PREFIX + "1-" + selfStart + "-" + elsewhere + "-0a1f"));
        Files.setLastModifiedTime(foreignOld, FileTime.from(Instant.now().minus(RunDirectory.FOREIGN_STALE_AFTER).minusSeconds(60)));

        Path made = RunDirectory.create(root);

        assertFalse(Files.exists(dead), "a dead run's directory is removed");
        assertFalse(Files.exists(reused), "a directory whose pid now belongs to another process is removed");
        assertTrue(Files.exists(live.resolve("iop-2.yaml")), "a live run's directory is kept");
        assertTrue(Files.exists(other), "a name meshform does not make is left alone");
        assertTrue(Files.exists(foreignLive), "another PID namespace's recent directory is kept, whatever its pid");
        assertFalse(Files.exists(foreignOld), "another PID namespace's old directory is removed");
        assertTrue(made.getFileName().toString().contains("-" + RunDirectory.PID_NAMESPACE + "-"), made.toString());
        assertTrue(Files.isDirectory(made));
    }
}

package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments during writes must never leave a state that does not parse, nor one older than a
 * state already seen: the temp-file, fsync, rename sequence either happened or did not.
 */
class LocalStateCrashTest {

    private static final int KILLS = 25;

    @TempDir
    Path dir;

    @Test
    void stateSurvivesKillNineDuringWrites() throws Exception {
        Path stateFile = dir.resolve("meshform.state.json");
        Random random = new Random();
        long lastSerial = 0;
        long writesSeen = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
            Process child = startWriter(stateFile);
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line = out.readLine();
                while (line != null && !line.equals("writing")) {
                    line = out.readLine(); // JVM warnings may come first
                }
                if (line == null) {
                    child.destroyForcibly().waitFor();
                    fail("the writer exited before its first write; run CrashingWriter by hand to see why");
                }
                Thread.sleep(random.nextInt(300));
                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
            }
            // Parses (read() throws on anything else), lineage intact, and never goes back in time.
            StateSnapshot s = new LocalStateBackend(stateFile).read().orElseThrow();
            assertTrue(s.serial() >= lastSerial, "after kill " + kill + " serial went from " + lastSerial
                    + " back to " + s.serial());
            writesSeen += s.serial() - lastSerial;
            lastSerial = s.serial();
            StateSnapshot backup = new LocalStateBackend(dir.resolve("meshform.state.json.backup")).read()
                    .orElse(null);
            if (backup != null) {
                assertTrue(backup.serial() <= s.serial(), "backup is newer than the state");
                assertEquals(s.lineage(), backup.lineage());
            }
        }
        assertTrue(writesSeen > KILLS, "the writers wrote only " + writesSeen + " times");
    }

    private static Process startWriter(Path stateFile) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Xshare:auto", CrashingWriter.class.getName(), stateFile.toString())
                .redirectErrorStream(true)
                .start();
    }
}

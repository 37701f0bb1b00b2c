package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM options dist/src/main/dist/lib/launch.sh gives a runtime, seen by a fake {@code java} that records its
 * arguments (beside a JDK release file naming its version).
 */
class LauncherTest {
    private static final Path LAUNCHER = Path.of("..", "dist", "src", "main", "dist", "lib", "launch.sh").toAbsolutePath().normalize();

    /** The arguments of the fake java's last run (the command's; the first is the class cache's training). */
    private static List<String> lastRun(Path temp, String javaVersion) throws Exception {
        Path bin = Files.createDirectories(temp.resolve("jdk/bin"));
        Files.writeString(temp.resolve("jdk/release"), "JAVA_VERSION=\"" + javaVersion + "\"\nIMPLEMENTOR=\"Test\"\n");
        Path java = bin.resolve("java");
        Path log = temp.resolve("args");
        Files.writeString(java, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > '" + log + "'\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = Files.writeString(temp.resolve("meshform.jar"), "not a jar");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". \"$1\"; meshform_launch \"$2\" \"$3\" \"$4\" \"$5\" -- plan -f s.yaml",
                "launch", LAUNCHER.toString(), java.toString(), jar.toString(), temp.resolve("cache").toString(),
                temp.resolve("stack.yaml").toString()).redirectErrorStream(true);
        pb.environment().remove("MESHFORM_NO_CDS");
        pb.environment().remove("MESHFORM_JAVA_OPTS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return Files.readAllLines(log);
    }

    @Test
    void onJdk25NoAotOrCdsLogLineReachesTheUser(@TempDir Path temp) throws Exception {
        List<String> args = lastRun(temp, "25.0.3");
        // -Xlog:aot=off silenced the tag set [aot] alone: JDK 25.0.3 printed an [aot,codecache,stubs] warning at each start.
        assertTrue(args.contains("-Xlog:aot*=off") && args.contains("-Xlog:cds*=off"), args.toString());
        assertEquals(List.of("plan", "-f", "s.yaml"), args.subList(args.size() - 3, args.size()));
    }
}

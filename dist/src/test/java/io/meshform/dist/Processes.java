package io.meshform.dist;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command with a given environment (nothing inherited) and collects its output. */
final class Processes {
    private Processes() {
    }

    record Result(int code, String out, String err) {
    }

    static Result run(Path dir, Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = java.nio.file.Files.createTempFile("out", ".txt");
        Path err = java.nio.file.Files.createTempFile("err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "did not finish in 180 s: " + command);
        Result r = new Result(p.exitValue(), java.nio.file.Files.readString(out, StandardCharsets.UTF_8),
                java.nio.file.Files.readString(err, StandardCharsets.UTF_8));
        java.nio.file.Files.delete(out);
        java.nio.file.Files.delete(err);
        return r;
    }

    static void untar(Path archive, Path into) throws IOException, InterruptedException {
        java.nio.file.Files.createDirectories(into);
        Result r = run(into, Map.of("PATH", "/usr/bin:/bin"), List.of("tar", "-xf", archive.toString(), "-C", into.toString()));
        assertTrue(r.code() == 0, "tar -xf " + archive + ": " + r.err());
    }
}

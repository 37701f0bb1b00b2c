package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's walkthrough runs plain {@code kubectl} after {@code eval "$(bin/dev-cluster env)"}: on a machine with
 * no kubectl installed, the test bed's cached one must be found, first on PATH, and evaluating the lines again must
 * not grow PATH. The real script runs with a cache holding a stand-in kubectl and a PATH without one.
 */
class DevClusterEnvTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path temp;

    @Test
    void envPutsTheCachedKubectlFirstOnPathOnceHoweverOftenItIsEvaluated() throws Exception {
        String version = Files.readAllLines(REPO.resolve("testbed/versions.env")).stream()
                .filter(l -> l.startsWith("K8S_VERSION=")).findFirst().orElseThrow().substring("K8S_VERSION=".length())
                .replace("\"", "");
        Path bin = temp.resolve("cache/bin/kubernetes-" + version);
        Files.createDirectories(bin);
        Files.writeString(bin.resolve("kubectl"), "#!/bin/sh\necho cached kubectl\n");
        Files.setPosixFilePermissions(bin.resolve("kubectl"), PosixFilePermissions.fromString("rwxr-xr-x"));
        // A directory of its own holds bash and the tools the script needs: no kubectl in it, whatever the machine has.
        Path tools = temp.resolve("tools");
        Files.createDirectories(tools);
        for (String tool : List.of("bash", "dirname", "head", "cat", "awk", "mkdir", "sed", "grep", "date", "env",
                "sha256sum", "sort", "find", "xargs", "cut")) {
            Path found = java.util.stream.Stream.of("/usr/bin", "/bin").map(d -> Path.of(d, tool)).filter(Files::isExecutable)
                    .findFirst().orElseThrow(() -> new AssertionError(tool + " is needed to run bin/dev-cluster"));
            Files.createSymbolicLink(tools.resolve(tool), found);
        }
        ProcessBuilder pb = new ProcessBuilder(tools.resolve("bash").toString(), "-c",
                "eval \"$(bin/dev-cluster env)\"; first=$PATH; eval \"$(bin/dev-cluster env)\"; "
                        + "[ \"$PATH\" = \"$first\" ] || echo \"PATH changed: $first -> $PATH\"; echo \"$PATH\"; kubectl")
                .directory(REPO.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().putAll(java.util.Map.of("HOME", temp.toString(), "PATH", tools.toString(),
                "MESHFORM_CACHE", temp.resolve("cache").toString(), "MESHFORM_CLUSTER_DIR", temp.resolve("cluster").toString()));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(bin + ":" + tools + "\ncached kubectl\n", out);
    }
}

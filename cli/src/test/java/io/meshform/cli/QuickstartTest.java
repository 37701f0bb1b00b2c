package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/quickstart's state: kept with the cluster it applied to (its MESHFORM_CLUSTER_DIR), named in what it prints,
 * and the one the README's walkthrough passes. The script runs beside stand-ins for bin/dev-cluster, bin/meshform
 * and kubectl that record what they are given.
 */
class QuickstartTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path temp;

    private static void script(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/usr/bin/env bash\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Run(String out, List<String> meshform) {
    }

    private Run quickstart(Path clusterDir) throws Exception {
        Path repo = temp.resolve("repo");
        Path log = temp.resolve("meshform.log");
        Files.deleteIfExists(log);
        Files.createDirectories(repo.resolve("bin"));
        Files.copy(REPO.resolve("bin/quickstart"), repo.resolve("bin/quickstart"), StandardCopyOption.REPLACE_EXISTING);
        script(repo.resolve("bin/dev-cluster"), """
                d=${MESHFORM_CLUSTER_DIR:-${MESHFORM_CACHE:-$HOME/.cache/meshform}/cluster}
                case $1 in up) mkdir -p "$d" ;; env) echo "export KUBECONFIG=$d/kubeconfig MESHFORM_ISTIOCTL=/none" ;; esac
                """);
        script(repo.resolve("bin/meshform"), "echo \"$*\" >> '" + log + "'\n");
        Files.createDirectories(repo.resolve("testbed"));
        Files.writeString(repo.resolve("testbed/versions.env"), "K8S_VERSION=test\n");
        script(temp.resolve("cache/bin/kubernetes-test/kubectl"), "cat >/dev/null 2>&1 || true\n");
        ProcessBuilder pb = new ProcessBuilder("bash", repo.resolve("bin/quickstart").toString()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().remove("MESHFORM_QUICKSTART_DIR");
        pb.environment().put("HOME", temp.resolve("home").toString());
        pb.environment().put("MESHFORM_CACHE", temp.resolve("cache").toString());
        pb.environment().put("MESHFORM_CLUSTER_DIR", clusterDir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return new Run(out, Files.readAllLines(log));
    }

    @Test
    void theStateIsKeptWithTheClusterAndNamedInWhatQuickstartPrints() throws Exception {
        Path one = temp.resolve("cluster-one");
        Run run = quickstart(one);
        String state = one.resolve("quickstart/cortex-production.state.json").toString();
        List<String> stateful = run.meshform().stream().filter(a -> !a.startsWith("version") && !a.startsWith("validate")).toList();
        assertEquals(4, stateful.size(), run.meshform().toString()); // plan, apply, plan --detailed-exitcode, drift
        for (String args : stateful) {
            assertTrue(args.contains("--state " + state), args);
        }
        assertTrue(run.out().contains("bin/meshform plan -f examples/cortex-production.yaml --state " + state), run.out());
        assertFalse(Files.exists(temp.resolve("home/.cache/meshform/quickstart")), "nothing shared between clusters");

        Path two = temp.resolve("cluster-two");
        assertTrue(quickstart(two).meshform().get(2).contains("--state " + two.resolve("quickstart/cortex-production.state.json")),
                "another cluster directory, another state");
    }

    @Test
    void theReadmeWalkthroughPassesTheStateQuickstartWrote() throws IOException {
        String readme = Files.readString(REPO.resolve("README.md"));
        // bin/dev-cluster env exports KUBECONFIG in the cluster's directory, where quickstart keeps its state.
        assertTrue(Files.readString(REPO.resolve("bin/dev-cluster")).contains("echo \"export KUBECONFIG=$state/kubeconfig\""));
        assertTrue(Files.readString(REPO.resolve("bin/quickstart")).contains("work=${MESHFORM_QUICKSTART_DIR:-$cluster_dir/quickstart}"));
        assertTrue(readme.contains("S=$(dirname \"$KUBECONFIG\")/quickstart/cortex-production.state.json"), "README defines S");
        String walkthrough = readme.substring(readme.indexOf("## A walk through plan, apply and drift"),
                readme.indexOf("### Catching an ingress auth bypass"));
        List<String> runs = walkthrough.lines().filter(l -> l.startsWith("$ bin/meshform")).toList();
        assertEquals(5, runs.size(), runs.toString());
        for (String line : runs) {
            assertTrue(line.contains("-f examples/cortex-production.yaml --state \"$S\""), line);
        }
    }
}

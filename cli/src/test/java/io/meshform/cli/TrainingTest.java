package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's training run (dist/src/main/dist/lib/launch.sh) in its own JVM, as the launcher starts it: it
 * must reach the apply and drift paths against its fake API server, and leave nothing outside its directory (the
 * launcher deletes that directory, and a user's home, working directory and temporary directory are not its to
 * fill). istioctl is pointed at nothing here, so the test does not depend on one being installed.
 */
class TrainingTest {

    @Test
    void appliesPlansAndFindsDriftWithoutWritingOutsideItsDirectory(@TempDir Path temp) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("training"));
        Path home = Files.createDirectories(temp.resolve("home"));
        Path cwd = Files.createDirectories(temp.resolve("cwd"));
        Path tmp = Files.createDirectories(temp.resolve("tmp"));
        Path stack = Path.of("..", "examples", "cortex-production.yaml").toAbsolutePath().normalize();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-Djava.io.tmpdir=" + tmp, "-Xlog:class+load=info:file=" + temp.resolve("classes.txt"),
                "-cp", System.getProperty("java.class.path"),
                Training.class.getName(), dir.toString(), stack.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectError(temp.resolve("stderr").toFile());
        pb.environment().put("HOME", home.toString());
        pb.environment().put("MESHFORM_ISTIOCTL", temp.resolve("no-istioctl").toString());
        pb.environment().remove("MESHFORM_CACHE");
        pb.environment().remove("XDG_CACHE_HOME");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the training ends");
        assertEquals(0, p.exitValue(), out + Files.readString(temp.resolve("stderr")));

        assertTrue(out.contains("apply=0 plan=0 drift=2"), "apply, a no-op plan, and a drift that finds the change: " + out);
        Matcher patches = Pattern.compile("PATCH=(\\d+)").matcher(out);
        assertTrue(patches.find() && Integer.parseInt(patches.group(1)) >= 8,
                "the fake server saw the apply's server-side-apply PATCHes: " + out);
        // The class cache made at the training's exit must hold fabric8's model classes (its scan of them), which
        // the plan and drift of built-in kinds no longer load but an apply's typed objects and a custom kind's
        // lookup still do: RuntimeClass is one that no run of the training reads or writes.
        assertTrue(Files.readString(temp.resolve("classes.txt")).contains("io.fabric8.kubernetes.api.model.node.v1.RuntimeClass "),
                "the training loads fabric8's model classes");
        assertEquals(List.of(), files(home), "nothing in the home");
        assertEquals(List.of(), files(cwd), "nothing in the working directory");
        assertEquals(List.of(), files(tmp), "nothing left in the temporary directory");
    }

    @Test
    void storesWhatIsAppliedAndListsItBySelector() {
        TrainingCluster cluster = new TrainingCluster(List.of("team"));
        byte[] configMap = """
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "labels": {"app": "x"}}, "data": {"k": "v"}}"""
                .getBytes(StandardCharsets.UTF_8);
        String at = "/api/v1/namespaces/team/configmaps/a";
        assertEquals(404, cluster.answer("GET", at, new byte[0]).code());
        assertEquals(201, cluster.answer("PATCH", at + "?fieldManager=meshform&fieldValidation=Strict", configMap).code());
        TrainingCluster.Response got = cluster.answer("GET", at, new byte[0]);
        assertEquals(200, got.code());
        assertTrue(got.body().contains("\"manager\":\"meshform\"") && got.body().contains("\"f:k\":{}"), got.body());
        assertTrue(cluster.answer("GET", "/api/v1/configmaps?labelSelector=app%3Dx", new byte[0]).body().contains("\"name\":\"a\""));
        assertTrue(cluster.answer("GET", "/api/v1/namespaces/team/configmaps?labelSelector=app%3Dy", new byte[0]).body()
                .contains("\"items\":[]"));
        cluster.editByHand(at, "k", "w");
        assertTrue(cluster.answer("GET", at, new byte[0]).body().contains("\"k\":\"w\""));
        assertTrue(cluster.answer("GET", "/api/v1/namespaces", new byte[0]).body().contains("\"name\":\"team\""));
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).toList();
        }
    }
}

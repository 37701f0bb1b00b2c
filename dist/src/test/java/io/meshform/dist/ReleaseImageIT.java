package io.meshform.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OCI image tar that Jib wrote: its index, manifest and config say what runs (the entrypoint), as whom (a
 * non-root user) and with which istioctl; its layers hold meshform, the runtime, the C library and istioctl; and
 * unpacked into a root of its own, it runs as that user with nothing from the host.
 */
class ReleaseImageIT {
    private static final String VERSION = System.getProperty("meshform.version");
    private static final Path TAR = Path.of(System.getProperty("meshform.image.tar"));
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private JsonNode blob(Path layout, String digest) throws Exception {
        return JSON.readTree(Files.readString(layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()))));
    }

    private static String istioVersion() throws Exception {
        return Files.readAllLines(Path.of("../testbed/versions.env")).stream().filter(l -> l.startsWith("ISTIO_VERSION="))
                .map(l -> l.substring("ISTIO_VERSION=".length()).trim()).findFirst().orElseThrow();
    }

    @Test
    void configLayersAndARunAsTheImageUser() throws Exception {
        Path layout = dir.resolve("layout");
        Processes.untar(TAR, layout);
        JsonNode index = JSON.readTree(Files.readString(layout.resolve("index.json")));
        JsonNode ref = index.get("manifests").get(0);
        assertEquals("meshform:" + VERSION, ref.get("annotations").get("org.opencontainers.image.ref.name").asString());
        JsonNode manifest = blob(layout, ref.get("digest").asString());
        JsonNode config = blob(layout, manifest.get("config").get("digest").asString());
        assertEquals("amd64", config.get("architecture").asString());
        assertEquals("linux", config.get("os").asString());
        JsonNode c = config.get("config");
        assertEquals("65532:65532", c.get("User").asString(), "not root");
        List<String> entrypoint = new ArrayList<>();
        c.get("Entrypoint").forEach(a -> entrypoint.add(a.asString()));
        assertEquals("/opt/meshform/runtime/bin/java", entrypoint.get(0));
        // The class path and main class the image's class cache was made with (assemble.sh), as the launcher runs it.
        assertEquals(List.of("-cp", "/opt/meshform/lib/meshform.jar", "io.meshform.cli.Main"),
                entrypoint.subList(entrypoint.size() - 3, entrypoint.size()));
        Map<String, String> env = new HashMap<>();
        c.get("Env").forEach(e -> {
            String[] kv = e.asString().split("=", 2);
            env.put(kv[0], kv[1]);
        });
        assertEquals("/usr/local/bin/istioctl", env.get("MESHFORM_ISTIOCTL"));

        Path root = dir.resolve("root");
        List<String> files = new ArrayList<>();
        for (JsonNode layer : manifest.get("layers")) {
            Path blob = layout.resolve("blobs/sha256").resolve(layer.get("digest").asString().substring("sha256:".length()));
            files.addAll(Processes.run(dir, Map.of("PATH", "/usr/bin:/bin"), List.of("tar", "--warning=no-unknown-keyword", "-tzf", blob.toString())).out().lines().toList());
            Processes.run(dir, Map.of("PATH", "/usr/bin:/bin"), List.of("mkdir", "-p", root.toString()));
            assertEquals(0, Processes.run(dir, Map.of("PATH", "/usr/bin:/bin"),
                    List.of("tar", "--warning=no-unknown-keyword", "-xzpf", blob.toString(), "-C", root.toString())).code());
        }
        for (String f : List.of("opt/meshform/runtime/bin/java", "opt/meshform/lib/meshform.jar", "usr/local/bin/istioctl",
                "lib64/ld-linux-x86-64.so.2", "lib/x86_64-linux-gnu/libc.so.6", "etc/passwd")) {
            assertTrue(files.stream().anyMatch(x -> x.replaceFirst("^/", "").equals(f)), f + " is in a layer: " + files.size() + " files");
        }
        assertTrue(Files.readString(root.resolve("etc/passwd")).contains("meshform:x:65532:65532"));
        // /tmp is the user's (HOME, the working directory): nothing of the build's training run is left in it.
        List<String> inTmp = files.stream().map(x -> x.replaceFirst("^/", ""))
                .filter(x -> x.startsWith("tmp/") && !x.equals("tmp/")).toList();
        assertEquals(List.of(), inTmp, "the image's /tmp is empty");

        // Run the entrypoint in the image's own root: the host's libraries and tools are out of reach.
        Path stack = root.resolve("tmp/stack");
        Files.createDirectories(stack);
        for (String f : List.of("cortex-production.yaml", "cortex-base.yaml")) {
            Files.copy(Path.of("../examples", f), stack.resolve(f));
        }
        Processes.run(dir, Map.of("PATH", "/usr/bin:/bin"), List.of("chmod", "-R", "a+rwX", root.resolve("tmp").toString()));
        Files.createDirectories(root.resolve("proc"));
        List<String> version = inImage(root, entrypoint, "version");
        Processes.Result v = Processes.run(dir, env, version);
        assertEquals(0, v.code(), v.err() + v.out());
        assertTrue(v.out().startsWith("meshform " + VERSION), v.out());
        assertTrue(v.out().contains("istioctl " + istioVersion() + " (/usr/local/bin/istioctl, from MESHFORM_ISTIOCTL)"), v.out());
        Processes.Result validate = Processes.run(dir, env, inImage(root, entrypoint, "validate", "-f", "/tmp/stack/cortex-production.yaml"));
        assertEquals(0, validate.code(), validate.err() + validate.out());
    }

    /**
     * As a container runtime does: the image's root, with its own /proc (the JVM and the loader's $ORIGIN read it),
     * as the image's user. Run as root, chroot switches to that user; as anyone else, a user namespace maps them.
     */
    private static List<String> inImage(Path root, List<String> entrypoint, String... args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/unshare", "--fork", "--pid", "--mount",
                "--mount-proc=" + root.resolve("proc")));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("/usr/sbin/chroot", "--userspec=65532:65532", root.toString()));
        } else {
            cmd.add(1, "--map-root-user");
            cmd.addAll(List.of("/usr/sbin/chroot", root.toString()));
        }
        cmd.addAll(entrypoint);
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void theDriftCronJobUsesThisVersionsImage() throws Exception {
        String cronjob = Files.readString(Path.of("../examples/drift-cronjob.yaml"));
        Matcher m = Pattern.compile("(?m)^\\s+image: (\\S+)").matcher(cronjob);
        assertTrue(m.find(), "the CronJob names an image");
        assertTrue(m.group(1).endsWith("/meshform:" + VERSION), "tag derived from the version: " + m.group(1));
    }
}

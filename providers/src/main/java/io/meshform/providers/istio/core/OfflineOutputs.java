package io.meshform.providers.istio.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The remembered output of istioctl's offline commands ({@code version --remote=false}, {@code manifest generate}):
 * what they print depends only on the binary, the arguments, the input files and istioctl's own configuration, and
 * running them costs 0.3-0.6 s of a plan that otherwise takes under a second. The key is a SHA-256 of all of
 * that: the binary's real path, inode, size, modification and change times (any write to the binary changes the
 * change time), the arguments with each input file replaced by its content, every {@code ISTIO*} environment
 * variable (istioctl reads {@code ISTIOCTL_*} flags from the environment), and istioctl's defaults file
 * ({@code $ISTIOCONFIG}, else {@code ~/.istioctl/config.yaml}). Only successful runs are kept. Files live in
 * {@code $MESHFORM_CACHE/istioctl} (default {@code ~/.cache/meshform/istioctl}), readable by the user only; the
 * newest {@value #KEEP} are kept. {@code MESHFORM_ISTIOCTL_CACHE=off} always runs istioctl.
 */
final class OfflineOutputs {
    static final int KEEP = 32;
    private final Path dir;
    private final Map<String, String> env;

    OfflineOutputs(Path dir, Map<String, String> env) {
        this.dir = dir;
        this.env = env;
    }

    /** The cache of this process's environment; disabled when there is no home to keep it in. */
    static OfflineOutputs standard() {
        Map<String, String> env = System.getenv();
        if ("off".equals(env.get("MESHFORM_ISTIOCTL_CACHE"))) {
            return new OfflineOutputs(null, env);
        }
        String base = env.get("MESHFORM_CACHE");
        if (base == null || base.isBlank()) {
            String xdg = env.get("XDG_CACHE_HOME");
            String home = System.getProperty("user.home");
            base = xdg != null && !xdg.isBlank() ? xdg + "/meshform"
                    : home == null || home.isBlank() || home.equals("?") ? null : home + "/.cache/meshform";
        }
        return new OfflineOutputs(base == null ? null : Path.of(base, "istioctl"), env);
    }

    /** Where the answers are kept, or null when remembering is off (no home, or MESHFORM_ISTIOCTL_CACHE=off). */
    Path directory() {
        return dir;
    }

    /** The key of one run, or empty when the binary or an input cannot be read (then nothing is cached). */
    Optional<String> key(String binary, List<String> args, List<Path> inputs) {
        if (dir == null) {
            return Optional.empty();
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            Path bin = Path.of(binary).toRealPath();
            Map<String, Object> attrs = Files.readAttributes(bin, "unix:ino,size,lastModifiedTime,ctime");
            field(sha, bin.toString());
            for (String a : List.of("ino", "size", "lastModifiedTime", "ctime")) {
                Object v = attrs.get(a);
                field(sha, v instanceof FileTime t ? Long.toString(t.to(java.util.concurrent.TimeUnit.NANOSECONDS)) : String.valueOf(v));
            }
            for (String arg : args) {
                int input = inputs.stream().map(Path::toString).toList().indexOf(arg);
                if (input < 0) {
                    field(sha, arg);
                } else {
                    field(sha, "<input>");
                    sha.update(Files.readAllBytes(inputs.get(input)));
                }
            }
            for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
                if (e.getKey().startsWith("ISTIO")) {
                    field(sha, e.getKey() + "=" + e.getValue());
                }
            }
            String config = env.get("ISTIOCONFIG");
            Path defaults = config != null && !config.isBlank() ? Path.of(config)
                    : Path.of(System.getProperty("user.home", "/"), ".istioctl", "config.yaml");
            field(sha, Files.isRegularFile(defaults) ? new String(Files.readAllBytes(defaults), StandardCharsets.UTF_8) : "<no defaults>");
            return Optional.of(HexFormat.of().formatHex(sha.digest()));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | NoSuchAlgorithmException e) {
            return Optional.empty();
        }
    }

    private static void field(MessageDigest sha, String value) {
        sha.update(value.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
    }

    Optional<List<String>> get(String key) {
        Path f = dir.resolve(key + ".out");
        try {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            return Optional.of(text.isEmpty() ? List.of() : List.of(text.split("\n", -1)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Keeps a successful run's stdout; a failure to write only means the next run asks istioctl again. */
    void put(String key, List<String> stdout) {
        try {
            CacheFiles.write(dir, key + ".out", String.join("\n", stdout), n -> n.endsWith(".out"), KEEP);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort
        }
    }
}

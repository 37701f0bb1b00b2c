package io.meshform.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as a user gets it: its checksum file matches, and unpacked into an empty directory it runs
 * with a PATH that has no mvn and no java, no checkout beside it, and a fresh HOME (so the first command other than
 * {@code version} builds the class cache and says so).
 */
class ReleaseArchiveIT {
    private static final String VERSION = System.getProperty("meshform.version");
    private static final Path ARCHIVE = Path.of(System.getProperty("meshform.archive"));

    @TempDir
    Path dir;

    @Test
    void checksumFileMatches() throws Exception {
        String line = Files.readString(Path.of(ARCHIVE + ".sha256")).trim();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(ARCHIVE)));
        assertEquals(sha + "  " + ARCHIVE.getFileName(), line, "sha256sum -c format");
    }

    /** The README linked CONTRIBUTING.md and testbed/README.md, which the archive does not ship. */
    @Test
    void everyRelativeLinkOfTheShippedDocsOpensAFileOfTheArchive() throws Exception {
        Processes.untar(ARCHIVE, dir.resolve("unpacked"));
        Path home = dir.resolve("unpacked/meshform-" + VERSION);
        java.util.regex.Pattern link = java.util.regex.Pattern.compile("\\[[^\\]]+\\]\\(((?![a-z]+:)[^)#\\s]+)(#[^)]*)?\\)");
        List<String> broken = new java.util.ArrayList<>();
        int links = 0;
        try (var files = Files.walk(home)) {
            for (Path md : files.filter(p -> p.toString().endsWith(".md") && !p.startsWith(home.resolve("runtime"))).toList()) {
                var m = link.matcher(Files.readString(md));
                while (m.find()) {
                    links++;
                    if (!Files.exists(md.getParent().resolve(m.group(1)))) {
                        broken.add(home.relativize(md) + " -> " + m.group(1));
                    }
                }
            }
        }
        assertEquals(List.of(), broken);
        assertTrue(links > 10, "links checked: " + links);
        assertTrue(Files.readString(home.resolve("README.md")).contains("CONTRIBUTING.md (in the source tree, not in this archive)"));
    }

    @Test
    void runsWithoutMavenJavaOrCheckout() throws Exception {
        Processes.untar(ARCHIVE, dir.resolve("unpacked"));
        Path home = dir.resolve("unpacked/meshform-" + VERSION);
        Path launcher = home.resolve("bin/meshform");
        assertTrue(Files.isExecutable(launcher), "bin/meshform is executable");
        assertTrue(Files.isExecutable(home.resolve("runtime/bin/java")), "the bundled runtime is there");
        for (String f : List.of("LICENSE", "README.md", "CHANGELOG.md", "lib/meshform.jar", "examples/cortex-production.yaml")) {
            assertTrue(Files.exists(home.resolve(f)), f);
        }
        // Only the few tools the launcher script uses, none of them mvn or java.
        Path tools = dir.resolve("tools");
        Files.createDirectories(tools);
        for (String t : List.of("bash", "readlink", "cksum", "mkdir", "mktemp", "mv", "rm", "stat")) {
            Path real = Path.of("/usr/bin", t);
            Files.createSymbolicLink(tools.resolve(t), Files.exists(real) ? real : Path.of("/bin", t));
        }
        Map<String, String> env = Map.of("PATH", tools.toString(), "HOME", dir.resolve("home").toString());
        Processes.Result noMaven = Processes.run(dir, env, List.of(tools.resolve("bash").toString(), "-c", "command -v mvn || command -v java"));
        assertNotEquals(0, noMaven.code(), "neither mvn nor java is on this PATH: " + noMaven.out());

        // version starts without the class cache, so it neither makes nor needs one.
        Processes.Result version = Processes.run(dir, env, List.of(launcher.toString(), "version"));
        assertEquals(0, version.code(), version.err());
        assertTrue(version.out().startsWith("meshform " + VERSION + " (commit "), version.out());
        assertTrue(version.out().contains("java     17"), "the bundled runtime: " + version.out());
        assertEquals("", version.err(), "no class cache is made for version");
        assertFalse(Files.exists(dir.resolve("home/.cache/meshform/cds")), "no class cache is made for version");

        Processes.Result first = Processes.run(dir, env, List.of(launcher.toString(), "--help"));
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("Commands:") && first.out().contains("  plan "), first.out());
        assertTrue(first.err().contains("[meshform] first run of this build: making its class cache"), first.err());
        try (var jsa = Files.list(dir.resolve("home/.cache/meshform/cds"))) {
            assertEquals(1, jsa.filter(p -> p.toString().endsWith(".jsa")).count(), "the class cache was written");
        }

        Processes.Result help = Processes.run(dir, env, List.of(launcher.toString(), "plan", "--help"));
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().contains("--detailed-exitcode"), help.out());
        assertFalse(help.err().contains("first run"), "the class cache is built once: " + help.err());

        // The archive ships no istioctl: validate must not call the example's Istio objects valid without it.
        String example = home.resolve("examples/cortex-production.yaml").toString();
        Processes.Result unchecked = Processes.run(dir, env, List.of(launcher.toString(), "validate", "-f", example));
        assertEquals(1, unchecked.code(), unchecked.out() + unchecked.err());
        assertTrue(unchecked.err().contains("Istio's validation did not run") && unchecked.err().contains("--istioctl"),
                unchecked.err());
        assertFalse(unchecked.out().contains("is valid"), unchecked.out());
        // With the istioctl the release image carries (the pinned one, laid out by the same build), it is valid.
        Path istioctl = Path.of(System.getProperty("meshform.istioctl"));
        assertTrue(Files.isExecutable(istioctl), "the build laid out istioctl at " + istioctl);
        Processes.Result validate = Processes.run(dir, env, List.of(launcher.toString(), "validate", "-f", example,
                "--istioctl", istioctl.toString()));
        assertEquals(0, validate.code(), validate.err());
        assertTrue(validate.out().contains("is valid"), validate.out());

        // Through a symbolic link, as installed into /usr/local/bin.
        Path link = dir.resolve("meshform-link");
        Files.createSymbolicLink(link, launcher);
        assertEquals(0, Processes.run(dir, env, List.of(link.toString(), "version")).code());
        Processes.Result shortVersion = Processes.run(dir, env, List.of(link.toString(), "--version"));
        assertEquals(version.out().lines().findFirst().orElseThrow() + "\n", shortVersion.out(), "--version is version's first line");
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code version}'s Java line is spelled out without {@link Runtime.Version#toString()} (whose lambdas cost a JVM
 * without the class cache about 9 ms), so it must print what that method prints, for every form JEP 322 allows.
 * The quick answers must print what picocli prints for the same command, which it still answers when the command
 * line has more (e.g. {@code meshform --version --no-color} is not a quick answer).
 */
class VersionCommandTest {
    @Test
    void javaLineIsWhatRuntimeVersionPrints() {
        List<String> forms = List.of("17", "17.0.15", "17.0.15+6", "17.0.15+6-Debian-1deb12u1", "25-ea+3", "25-ea+3-2044",
                "21-ea", "21-ea-custom", "17.0.1+-custom", "11.0.2.1.3+9-LTS", Runtime.version().toString());
        for (String form : forms) {
            Runtime.Version v = Runtime.Version.parse(form);
            assertEquals(v.toString(), VersionCommand.text(v), form);
        }
        assertEquals(System.getProperty("java.runtime.version"), VersionCommand.text(Runtime.version()));
    }

    @Test
    void quickAnswersMatchPicocli() {
        HelpTest.Result quick = HelpTest.run("--version");
        HelpTest.Result picocli = HelpTest.run("--version", "--no-color");
        assertEquals(0, quick.code(), quick.err());
        assertEquals(picocli.out(), quick.out());
        assertEquals(quick.out(), HelpTest.run("-V").out());
        assertEquals(MeshformVersion.line() + "\n", quick.out());
        assertEquals(MeshformVersion.line(), HelpTest.run("version").out().lines().findFirst().orElseThrow());
    }

    /**
     * A program that is not istioctl (it answers {@code version --short} with exit 0 and no version): one line that
     * quotes the run it judged, with its real arguments, and no "failed" or "1 error" block inside a report that
     * exits 0.
     */
    @Test
    void aProgramThatIsNotIstioctlIsSaidInOneTrueLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path echo = dir.resolve("not-istioctl");
        java.nio.file.Files.writeString(echo, "#!/bin/sh\necho \"$@\"\n");
        assertEquals(true, echo.toFile().setExecutable(true));
        HelpTest.Result r = HelpTest.run("version", "--istioctl", echo.toString());
        assertEquals(0, r.code(), r.err());
        String line = r.out().lines().filter(l -> l.startsWith("istioctl ")).findFirst().orElseThrow();
        assertEquals(3, r.out().lines().filter(l -> !l.isBlank()).count(), r.out());  // meshform, java, istioctl
        org.junit.jupiter.api.Assertions.assertTrue(line.startsWith("istioctl none usable: cannot tell the version of istioctl "
                + echo + " (from --istioctl): `istioctl version --remote=false --short` exited 0"), line);
        org.junit.jupiter.api.Assertions.assertFalse(r.out().contains("failed") || r.out().contains("1 error"), r.out());
    }

    /**
     * The README's row for {@code version} gives the shape of {@code version --json}, which scripts parse: it said only
     * "--json for scripts", naming none of the fields ({@code .istioctl.problem} says why no istioctl is usable).
     */
    @Test
    void theReadmeNamesEveryFieldOfTheJson() throws Exception {
        HelpTest.Result r = HelpTest.run("version", "--json", "--istioctl", "/nonexistent/istioctl");
        assertEquals(0, r.code(), r.err());
        tools.jackson.databind.JsonNode json = tools.jackson.databind.json.JsonMapper.builder().build().readTree(r.out());
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
        String row = readme.lines().filter(l -> l.startsWith("| `version` |")).findFirst().orElseThrow();
        for (var section : json.properties()) {
            for (var field : section.getValue().properties()) {
                org.junit.jupiter.api.Assertions.assertTrue(row.contains("\"" + section.getKey() + "\": {")
                        && row.contains("\"" + field.getKey() + "\""), section.getKey() + "." + field.getKey() + ": " + row);
            }
        }
    }

    /** The stamp is read from the jar or classes directory the CLI runs from, as the class loader would find it. */
    @Test
    void theStampIsReadFromAJarAndFromADirectory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path classes = java.nio.file.Files.createDirectories(dir.resolve("classes/io/meshform/cli"));
        java.nio.file.Files.writeString(classes.resolve("version.properties"), "version=1.2.3\n");
        java.nio.file.Files.writeString(classes.resolve("commit.properties"), "commit=abc1234\ndirty=true\n");
        java.nio.file.Path jar = dir.resolve("meshform.jar");
        try (var out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar))) {
            for (String name : List.of("version.properties", "commit.properties")) {
                out.putNextEntry(new java.util.zip.ZipEntry("io/meshform/cli/" + name));
                out.write(java.nio.file.Files.readAllBytes(classes.resolve(name)));
                out.closeEntry();
            }
        }
        for (java.nio.file.Path where : List.of(dir.resolve("classes"), jar)) {
            java.util.Properties p = MeshformVersion.stamp(where);
            assertEquals("1.2.3", p.getProperty("version"), where.toString());
            assertEquals("abc1234", p.getProperty("commit"), where.toString());
            assertEquals("true", p.getProperty("dirty"), where.toString());
        }
        // Through the class loader (a location that is not a file): the build's own stamp.
        assertEquals(MeshformVersion.get(), MeshformVersion.stamp(null).getProperty("version"));
    }
}

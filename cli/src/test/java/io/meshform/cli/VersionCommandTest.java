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
}

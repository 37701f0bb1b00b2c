package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The layout tables of README.md and CONTRIBUTING.md are where a newcomer looks for a part of the code: each Maven
 * module of the root pom has its row, so a module added or split (state-kubernetes, picocli) cannot go unmentioned.
 */
class LayoutTablesTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    private static List<String> modules() throws IOException {
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(REPO.resolve("pom.xml")));
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void everyModuleHasARowInEachLayoutTable() throws IOException {
        List<String> modules = modules();
        assertFalse(modules.isEmpty(), "the root pom lists its modules");
        for (String doc : List.of("README.md", "CONTRIBUTING.md")) {
            String text = Files.readString(REPO.resolve(doc));
            for (String module : modules) {
                assertTrue(text.contains("| `" + module + "/`"), doc + " has no layout row for the module " + module);
            }
        }
    }

    @Test
    void theCoreStateModuleIsNotSaidToHoldTheKubernetesBackend() throws IOException {
        for (String doc : List.of("README.md", "CONTRIBUTING.md")) {
            String row = Files.readString(REPO.resolve(doc)).lines().filter(l -> l.startsWith("| `state/`"))
                    .findFirst().orElseThrow();
            assertFalse(row.contains("Secret"), doc + ": " + row);
        }
    }
}

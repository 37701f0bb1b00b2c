package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Common options" says which options a command refuses and which it accepts with a note: a script
 * written from it must not be surprised by an exit 1: validate and graph refuse the state options (they read no
 * state, StateOptions), where the README said every option that does nothing is accepted with a note.
 */
class ReadmeOptionNotesTest {
    private static final Path README = Path.of("..").toAbsolutePath().normalize().resolve("README.md");

    @TempDir
    Path dir;

    private int run(ByteArrayOutputStream err, String... args) {
        return Main.run(new Terminal(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                args);
    }

    @Test
    void theReadmeSaysValidateAndGraphRefuseTheStateOptionsAsTheyDo() throws IOException {
        Path stack = Files.writeString(dir.resolve("s.yaml"), "apiVersion: meshform.io/v1alpha1\nkind: Stack\n"
                + "metadata: {name: s}\nresources: []\n");
        for (String command : List.of("validate", "graph")) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(1, run(err, command, "-f", stack.toString(), "--state", "x.json"), command);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains(command + " reads no state"), err.toString());
        }
        String readme = String.join(" ", Files.readString(README).split("\\s+"));
        assertTrue(readme.contains("are not on `validate` and `graph`, which read no state, and are refused there"),
                "README.md says validate and graph refuse --state, --state-secret and --lock-timeout");
    }
}

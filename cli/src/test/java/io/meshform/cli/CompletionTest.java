package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The completion script, run by a real bash: commands, nested commands, options and option values complete. */
class CompletionTest {
    @TempDir
    Path dir;

    private List<String> complete(String line) throws IOException, InterruptedException {
        HelpTest.Result script = HelpTest.run("completion", "bash");
        assertEquals(0, script.code(), script.err());
        Path file = dir.resolve("meshform.bash");
        Files.writeString(file, script.out());
        // The words as bash splits the line; the cursor is on the last (possibly empty) word.
        String words = line.endsWith(" ") ? line + "''" : line;
        // compopt only works while bash itself runs a completion; here it is a no-op.
        String probe = "compopt() { :; }\nsource " + file + "\nCOMP_WORDS=(" + words + ")\nCOMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
                + "COMP_LINE='" + line + "'\nCOMP_POINT=${#COMP_LINE}\n_complete_meshform\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Process p = new ProcessBuilder("bash", "-c", probe).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.lines().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Test
    void commandsOptionsAndValuesComplete() throws Exception {
        assertTrue(complete("meshform pl").contains("plan"), complete("meshform pl").toString());
        assertTrue(complete("meshform state ").containsAll(List.of("list", "show", "rm", "mv", "pull", "push")));
        assertTrue(complete("meshform drift --for").contains("--format"));
        assertEquals(List.of("text", "json", "markdown", "junit"), complete("meshform drift --format "));
        assertEquals(List.of("debug"), complete("meshform plan --log-level d"));
        assertEquals(List.of("bash", "zsh"), complete("meshform completion "));
    }

    @Test
    void anotherShellIsToldWhichShellsAreSupportedNotOfferedBash() {
        HelpTest.Result fish = HelpTest.run("completion", "fish");
        assertEquals(1, fish.code(), fish.err());
        assertTrue(fish.err().contains("meshform completes in bash and zsh only, not fish: its script is the bash script of"
                + " picocli's AutoComplete"), fish.err());
        assertFalse(fish.err().contains("did you mean"), fish.err());
        // A typo of a supported shell still gets its suggestion.
        assertTrue(HelpTest.run("completion", "bsh").err().contains("did you mean 'bash'?"));
    }

    @Test
    void zshScriptLoadsBashCompatibility() {
        HelpTest.Result zsh = HelpTest.run("completion", "zsh");
        assertEquals(0, zsh.code());
        assertTrue(zsh.out().startsWith("#compdef meshform\n"), zsh.out());
        assertTrue(zsh.out().contains("bashcompinit"), zsh.out());
        assertTrue(zsh.out().contains("complete -F _complete_meshform"), zsh.out());
    }
}

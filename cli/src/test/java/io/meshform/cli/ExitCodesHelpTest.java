package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command's help has an "Exit codes:" section (validate, show, graph and the rest had none), and the codes it
 * names are the ones the command returns.
 */
class ExitCodesHelpTest {
    @TempDir
    Path dir;

    @Test
    void everyCommandsHelpListsItsExitCodes() {
        for (List<String> path : HelpTest.paths()) {
            String help = HelpTest.run(java.util.stream.Stream.concat(path.stream(), java.util.stream.Stream.of("--help"))
                    .toArray(String[]::new)).out();
            assertTrue(help.contains("\nExit codes:\n  0  "), "meshform " + String.join(" ", path) + " --help:\n" + help);
            assertTrue(help.contains("\n  1  "), "meshform " + String.join(" ", path) + " --help:\n" + help);
        }
        String validate = HelpTest.run("validate", "--help").out();
        assertTrue(validate.endsWith("Exit codes:\n  0  valid (warnings and notes do not change the code)\n"
                + "  1  error, or a usage error (the message says which)\n"), validate);
    }

    @Test
    void theCodesAreTheOnesTheCommandsReturn() throws Exception {
        String example = Path.of("..", "examples", "cortex-production.yaml").toString();
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "bogus: 1\n");
        assertEquals(0, HelpTest.run("validate", "-f", example).code());
        assertEquals(1, HelpTest.run("validate", "-f", bad.toString()).code());
        assertEquals(0, HelpTest.run("graph", "-f", example).code());
        assertEquals(1, HelpTest.run("graph", "-f", bad.toString()).code());
        assertEquals(1, HelpTest.run("show", dir.resolve("missing.plan").toString()).code());
        assertEquals(1, HelpTest.run("state", "list", "--state", dir.resolve("none.json").toString()).code());
        assertEquals(1, HelpTest.run("state", "pull", "--state", dir.resolve("none.json").toString()).code());
        assertEquals(0, HelpTest.run("version").code(), "0 also when istioctl is not found");
        assertEquals(1, HelpTest.run("completion", "fish").code());
        assertEquals(1, HelpTest.run("help", "nosuch").code());
        assertEquals(1, HelpTest.run("state").code());
        assertEquals(0, HelpTest.run("state", "--help").code());
    }
}

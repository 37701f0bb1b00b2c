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

    /**
     * The root's help ("every command's codes") and the README's "Exit codes" name every code a command's help does:
     * both listed 0, 1 and 2 only, while apply and destroy exit 130 on Ctrl-C (143 on SIGTERM), as their help says.
     */
    @Test
    void theRootHelpAndTheReadmeListEveryCommandsCodes() throws Exception {
        String root = HelpTest.run("--help").out();
        String readme = String.join(" ", Files.readString(Path.of("..", "README.md")).split("\\s+"));
        String codes = readme.substring(readme.indexOf("**Exit codes**"));
        codes = codes.substring(0, codes.indexOf(" ## "));
        for (List<String> path : HelpTest.paths()) {
            String help = HelpTest.run(java.util.stream.Stream.concat(path.stream(), java.util.stream.Stream.of("--help"))
                    .toArray(String[]::new)).out();
            var m = java.util.regex.Pattern.compile("\\b(\\d{1,3})(?=  |: by)").matcher(help.substring(help.indexOf("\nExit codes:")));
            while (m.find()) {
                String code = m.group(1);
                assertTrue(root.matches("(?s).*\\nExit codes:.*\\b" + code + "\\b.*"), "meshform --help lacks exit code " + code
                        + " of meshform " + String.join(" ", path) + ":\n" + root);
                assertTrue(codes.matches("(?s).*\\b" + code + "\\b.*"), "README's Exit codes lack " + code + " of meshform "
                        + String.join(" ", path) + ": " + codes);
            }
        }
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

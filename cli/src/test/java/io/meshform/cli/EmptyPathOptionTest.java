package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An empty file or directory value is a usage error before any work: it named the working directory, so
 * `plan --out=` planned in full and then said "cannot write : it is a directory", and `--root=` or `--istioctl=`
 * were taken without a word.
 */
class EmptyPathOptionTest {
    @Test
    void anEmptyPathIsRefusedAtTheOptionThatGaveIt() {
        for (List<String> args : List.of(List.of("plan", "--out="), List.of("drift", "--output="), List.of("validate", "-f="),
                List.of("validate", "--root="), List.of("validate", "--var-file="), List.of("validate", "--istioctl="),
                List.of("plan", "--state="), List.of("plan", "--kubeconfig="), List.of("state", "list", "--state="),
                List.of("version", "--istioctl="))) {
            HelpTest.Result r = HelpTest.run(args.toArray(String[]::new));
            String option = args.get(args.size() - 1).replace("=", "");
            String shown = option.equals("-f") ? "--file" : option;
            assertEquals(1, r.code(), args + ": " + r.out() + r.err());
            // A repeatable option's name is followed by its label: "option '--var-file' (FILE): the path is empty".
            assertTrue(r.err().contains("Invalid value for option '" + shown + "'")
                    && r.err().contains(": the path is empty: give a file or directory name"), args + ": " + r.err());
            // Refused while parsing: no stack was looked for, nothing planned.
            assertFalse(r.err().contains("meshform.yaml") || r.out().contains("Plan:"), args + ": " + r.out() + r.err());
        }
    }

    @Test
    void anEmptyPlanFileIsRefusedAsAnArgument() {
        for (String command : List.of("show", "apply")) {
            HelpTest.Result r = HelpTest.run(command, "");
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("(PLANFILE): the path is empty"), command + ": " + r.err());
        }
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code apply -f OTHER.yaml PLANFILE} with a plan made for another stack: nothing moved, the plan was never this
 * stack's, so "stale plan: the desired-state file changed" (and the advice to plan OTHER.yaml over PLANFILE) was untrue.
 */
class SavedPlanOfAnotherStackTest {
    @TempDir
    Path dir;
    Path alpha;
    Path beta;
    Path cluster;

    record Result(int code, String out, String err) {
    }

    @BeforeEach
    void writeStacks() throws IOException {
        alpha = dir.resolve("alpha.yaml");
        beta = dir.resolve("beta.yaml");
        cluster = dir.resolve("c" + FileCluster.SUFFIX);
        for (String name : List.of("alpha", "beta")) {
            Files.writeString(dir.resolve(name + ".yaml"), """
                    apiVersion: meshform.io/v1alpha1
                    kind: Stack
                    metadata: {name: %s}
                    backend: {local: {path: %s.state.json}}
                    resources:
                      - type: fake.thing
                        name: %s-mesh
                        spec: {mode: STRICT}
                    """.formatted(name, name, name));
        }
    }

    private Result run(Path stack, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", stack.toString(), "--kubeconfig", cluster.toString()));
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void applyingAnotherStacksPlanSaysWhichStackItIsForAndNotThatAFileChanged() throws IOException {
        assertEquals(0, run(beta, "apply", "--auto-approve").code(), "beta has a state of its own");
        Path planFile = dir.resolve("alpha.plan");
        assertEquals(0, run(alpha, "plan", "--out", planFile.toString()).code());
        String cluster0 = Files.readString(cluster);

        Result wrong = run(beta, "apply", planFile.toString());
        assertEquals(1, wrong.code(), wrong.out());
        assertTrue(wrong.err().contains("wrong stack: " + planFile + " is a plan of stack `alpha`, and " + beta
                + " is stack `beta`; nothing was applied"), wrong.err());
        assertTrue(wrong.err().contains("Apply it with the file of stack `alpha`"), wrong.err());
        assertFalse(wrong.err().contains("changed since the plan was made"), "no file changed: " + wrong.err());
        assertFalse(wrong.err().contains("another history"), "the state is beta's own: " + wrong.err());
        assertFalse(wrong.err().contains("--out " + planFile), "never advise writing beta's plan over alpha's: " + wrong.err());
        assertEquals(cluster0, Files.readString(cluster), "nothing applied");

        Result right = run(alpha, "apply", planFile.toString());
        assertEquals(0, right.code(), right.err());
    }
}

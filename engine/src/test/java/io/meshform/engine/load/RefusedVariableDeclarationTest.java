package io.meshform.engine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.testing.InMemoryCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A variable whose declaration is refused (a default of the wrong type, an unknown type, a non-bool `sensitive`) is
 * still declared: its one error stands at the declaration, and a use of it, or a value given for it, is no second
 * error calling it "undefined" or "undeclared", which would be untrue and send the user looking for a typo.
 */
class RefusedVariableDeclarationTest {
    @TempDir
    Path dir;

    private final StackLoader loader = new StackLoader(new InMemoryCluster().registry());

    private List<Diagnostic> errors(String variable, VariableInputs inputs) throws IOException {
        Path stack = dir.resolve("stack.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: t}
                variables:
                """ + "  " + variable + "\n" + """
                resources:
                  - type: test.thing
                    name: x
                    spec: {a: "${var.flag}", b: "is ${var.flag}"}
                """);
        return assertThrows(DiagnosticsException.class, () -> loader.load(stack, inputs)).diagnostics().stream()
                .filter(Diagnostic::isError).toList();
    }

    @Test
    void aDefaultOfTheWrongTypeIsOneErrorAtTheDeclaration() throws IOException {
        List<Diagnostic> errors = errors("flag: {type: bool, default: \"yes\"}", VariableInputs.none());
        assertEquals(List.of("default of variable `flag` is not a bool"), errors.stream().map(Diagnostic::summary).toList());
        assertEquals(5, errors.get(0).range().line());
        // YAML 1.1 read yes as true; a newcomer is told why it is a string here, and what to write.
        assertEquals("found the string \"yes\"; write true or false (stacks are YAML 1.2, where yes, no, on and off are"
                + " strings)", errors.get(0).detail());
    }

    @Test
    void anUnknownTypeOrSensitiveFlagIsOneErrorToo() throws IOException {
        assertEquals(List.of("unknown variable type `boolean`"), errors("flag: {type: boolean}", VariableInputs.none())
                .stream().map(Diagnostic::summary).toList());
        assertEquals(List.of("`sensitive` of variable `flag` is not a bool"), errors("flag: {default: abcd, sensitive: yes}",
                VariableInputs.none()).stream().map(Diagnostic::summary).toList());
    }

    @Test
    void aValueGivenForItIsNotCalledUndeclared() throws IOException {
        List<Diagnostic> errors = errors("flag: {type: bool, default: \"yes\"}",
                new VariableInputs(Map.of(), List.of(), Map.of("flag", "true")));
        assertEquals(List.of("default of variable `flag` is not a bool"), errors.stream().map(Diagnostic::summary).toList());
    }
}

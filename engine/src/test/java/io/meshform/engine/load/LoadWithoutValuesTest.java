package io.meshform.engine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.testing.InMemoryCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StackLoader#loadWithoutValues}: a variable without a value is unknown, as {@code terraform validate} takes its
 * variables, and everything that does not need the value is still checked; {@link StackLoader#load}, which plan and
 * apply use, still refuses it.
 */
class LoadWithoutValuesTest {
    @TempDir
    Path dir;

    private final StackLoader loader = new StackLoader(new InMemoryCluster().registry());

    private static final String HEAD = "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\n";

    private Path stack(String body) throws IOException {
        Path p = dir.resolve("stack.yaml");
        Files.writeString(p, HEAD + body);
        return p;
    }

    private List<String> errors(Path p, VariableInputs inputs) {
        return assertThrows(DiagnosticsException.class, () -> loader.loadWithoutValues(p, inputs, StackRoot.unconfined()))
                .diagnostics().stream().filter(Diagnostic::isError).map(Diagnostic::format).toList();
    }

    @Test
    void aVariableWithoutAValueIsUnknownAndItsPlacesAreListed() throws IOException {
        Path p = stack("""
                variables:
                  who: {type: string}
                  n: {type: number}
                resources:
                  - type: test.thing
                    name: a
                    spec: {value: "${var.who}", other: "x-${var.who}-${var.n}"}
                  - type: test.thing
                    name: b
                    dependsOn: [test.thing.a]
                    spec: {value: "b"}
                """);
        var refused = assertThrows(DiagnosticsException.class, () -> loader.load(p, VariableInputs.none()));
        assertTrue(refused.getMessage().contains("variable `who` has no value"), "plan and apply still need it: " + refused.getMessage());

        StackLoader.Loaded loaded = loader.loadWithoutValues(p, VariableInputs.none(), StackRoot.unconfined());
        assertEquals(Set.of("n", "who"), loaded.unknownVariables());
        assertEquals(List.of("spec.other [n, who] " + p + ":10:40", "spec.value [who] " + p + ":10:19"),
                loaded.unknown().stream().map(u -> u.field() + " " + new java.util.TreeSet<>(u.variables()) + " " + u.range())
                        .toList());
        assertEquals("var.n, var.who", loaded.unknown().get(0).references());
        // left as written, never made up: nothing downstream can take `${var.who}` for a value it was given
        assertEquals("${var.who}", loaded.stack().find(ResourceAddress.parse("test.thing.a")).orElseThrow().spec()
                .get("value").asString());
        assertEquals(2, loaded.stack().resources().size());
        assertTrue(loaded.warnings().stream().noneMatch(w -> w.summary().contains("never used")), loaded.warnings().toString());
    }

    @Test
    void everyCheckThatNeedsNoValueStillRunsBesideAnUnknownOne() throws IOException {
        Path p = stack("""
                variables:
                  who: {type: string}
                resources:
                  - type: test.thing
                    name: a
                    spec: {value: "${var.who}", other: "${var.nope}", third: "${who}"}
                  - type: test.thing
                    name: b
                    spec: {value: 5}
                  - type: test.thing
                    name: c
                    dependsOn: [test.thing.d]
                """);
        List<String> errors = errors(p, VariableInputs.none());
        String all = String.join("\n", errors);
        assertTrue(all.contains(p + ":9:33: error: undefined variable `nope`"), all);
        assertTrue(all.contains(p + ":9:55: error: unsupported expression `${who}`"), all);
        assertTrue(all.contains(p + ":12:12: error: test.thing.b: spec.value: must be a string"), all);
        assertTrue(all.contains("test.thing.d"), "an unknown dependency: " + all);
        assertTrue(errors.stream().noneMatch(e -> e.contains("has no value")), all);
    }

    /** A value that is given is checked as ever: of the declared type, for a declared variable. */
    @Test
    void theValuesThatAreGivenAreStillChecked() throws IOException {
        Path p = stack("""
                variables:
                  who: {type: string}
                  n: {type: number}
                resources:
                  - type: test.thing
                    name: a
                    spec: {value: "${var.who}", other: "${var.n}"}
                """);
        String all = String.join("\n", errors(p, new VariableInputs(Map.of(), List.of(), Map.of("n", "many", "whom", "x"))));
        assertTrue(all.contains("variable `n` from --var n is not a number"), all);
        assertTrue(all.contains("--var sets undeclared variable `whom`"), all);
        StackLoader.Loaded loaded = loader.loadWithoutValues(p, new VariableInputs(Map.of(), List.of(), Map.of("n", "3")),
                StackRoot.unconfined());
        assertEquals(3, loaded.stack().resources().get(0).spec().get("other").asInt());
        assertEquals(Set.of("who"), loaded.unknownVariables());
    }

    /** A sensitive variable keeps its rules without a value: it still cannot name an object. */
    @Test
    void aSensitiveVariableWithoutAValueStillCannotNameAnObject() throws IOException {
        Path p = stack("""
                variables:
                  secret: {type: string, sensitive: true}
                resources:
                  - type: test.thing
                    name: a
                    spec: {object: "${var.secret}", value: "${var.secret}"}
                """);
        String all = String.join("\n", errors(p, VariableInputs.none()));
        assertTrue(all.contains(p + ":9:20: error: test.thing.a: spec.object takes a sensitive value, which cannot name an"
                + " object"), all);
    }

    /** A resource of one file and one of its import have the same pointer in their own documents: no mix-up. */
    @Test
    void theUnknownPlacesOfAnImportAndItsImporterAreTheirOwn() throws IOException {
        Files.writeString(dir.resolve("base.yaml"), HEAD + """
                variables:
                  who: {type: string}
                resources:
                  - type: test.thing
                    name: base
                    spec: {value: "${var.who}"}
                """);
        Path p = stack("""
                imports: [base.yaml]
                resources:
                  - type: test.thing
                    name: top
                    spec: {value: "top"}
                """);
        StackLoader.Loaded loaded = loader.loadWithoutValues(p, VariableInputs.none(), StackRoot.unconfined());
        assertEquals(List.of("test.thing.base"), loaded.unknown().stream().map(u -> u.address().toString()).toList());
        assertEquals("top", loaded.stack().find(ResourceAddress.parse("test.thing.top")).orElseThrow().spec().get("value")
                .asString());
    }
}

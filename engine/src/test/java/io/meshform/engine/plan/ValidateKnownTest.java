package io.meshform.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.load.StackLoader;
import io.meshform.engine.load.StackRoot;
import io.meshform.engine.load.UnknownValue;
import io.meshform.engine.load.VariableInputs;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.engine.testing.InMemoryCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Validator#validateKnown}: for a stack loaded without some values, a check that judges each object alone runs on
 * the objects whose values are all known, and a check of how objects go together does not run at all.
 */
class ValidateKnownTest {
    @TempDir
    Path dir;

    /** A check that needs no cluster and records which objects it was given. */
    private static PlanCheck recording(String name, boolean eachAlone, List<Set<String>> seen) {
        return new PlanCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean needsCluster() {
                return false;
            }

            @Override
            public boolean judgesEachObjectAlone() {
                return eachAlone;
            }

            @Override
            public List<Diagnostic> check(CheckContext context) {
                seen.add(context.after().keySet().stream().map(ResourceAddress::toString).collect(Collectors.toSet()));
                return List.of();
            }
        };
    }

    @Test
    void aCheckOfEachObjectRunsOnTheKnownOnesAndACheckOfThemTogetherDoesNotRun() throws IOException {
        InMemoryCluster cluster = new InMemoryCluster();
        List<Set<String>> alone = new ArrayList<>();
        List<Set<String>> together = new ArrayList<>();
        cluster.addCheck(recording("alone", true, alone));
        cluster.addCheck(recording("together", false, together));
        Path p = dir.resolve("stack.yaml");
        Files.writeString(p, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: t}
                variables:
                  who: {type: string}
                resources:
                  - {type: test.thing, name: a, spec: {value: "${var.who}"}}
                  - {type: test.thing, name: b, spec: {value: "b"}}
                """);
        StackLoader.Loaded loaded = new StackLoader(cluster.registry()).loadWithoutValues(p, VariableInputs.none(),
                StackRoot.unconfined());
        new Validator(cluster.registry()).validateKnown(loaded.stack(),
                loaded.unknown().stream().map(UnknownValue::address).collect(Collectors.toSet()));
        assertEquals(List.of(Set.of("test.thing.b")), alone);
        assertEquals(List.of(), together);

        new Validator(cluster.registry()).validate(loaded.stack());
        assertEquals(Set.of("test.thing.a", "test.thing.b"), together.get(0), "validate, for a stack with every value, runs every check on every object");
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Which state a run reads and writes: the state records the stack that writes it, and a run of another stack is
 * refused (two stacks in one directory share the default file); with --context every command uses the context's
 * own file, the one a fleet's plan and drift read.
 */
class StateIdentityTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;
    Path alpha;
    Path beta;
    Path cluster;
    Path shared;

    record Result(int code, String out, String err) {
    }

    @BeforeEach
    void writeStacks() throws IOException {
        alpha = dir.resolve("alpha.yaml");
        beta = dir.resolve("beta.yaml");
        cluster = dir.resolve("c" + FileCluster.SUFFIX);
        shared = dir.resolve("meshform.state.json");
        writeStack(alpha, "alpha", "STRICT", "");
        writeStack(beta, "beta", "STRICT", "");
    }

    private static void writeStack(Path file, String name, String mode, String backend) throws IOException {
        Files.writeString(file, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: %s}
                %s
                resources:
                  - type: fake.thing
                    name: %s-mesh
                    spec: {mode: %s}
                """.formatted(name, backend, name, mode));
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

    /** A run given no stack file: {@code -f} names one that does not exist, as a directory without meshform.yaml. */
    private Result runWithoutStack(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", dir.resolve("nowhere/meshform.yaml").toString()));
        return run(all.toArray(String[]::new));
    }

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static JsonNode json(Path file) throws IOException {
        return JSON.readTree(Files.readString(file));
    }

    @Test
    void applyRecordsTheStackInTheState() throws IOException {
        assertEquals(0, run(alpha, "apply", "--auto-approve").code());
        JsonNode state = json(shared);
        assertEquals("alpha", state.get("stack").asString(), state.toString());
        assertEquals(io.meshform.state.StateSnapshot.CURRENT_FORMAT_VERSION, state.get("format_version").asInt());
    }

    @Test
    void everyCommandOfAnotherStackRefusesTheStateAndChangesNothing() throws IOException {
        assertEquals(0, run(alpha, "apply", "--auto-approve").code());
        byte[] state = Files.readAllBytes(shared);
        byte[] objects = Files.readAllBytes(cluster);

        Result plan = run(beta, "plan");
        assertEquals(1, plan.code(), plan.out());
        assertFalse(plan.out().contains("destroy"), "no plan is printed: " + plan.out());
        assertTrue(plan.err().contains("local file " + shared + " is the state of stack `alpha`, not of `beta` (" + beta + ")"),
                plan.err());
        assertTrue(plan.err().contains("`backend: {local: {path: beta.state.json}}`"), plan.err());
        assertTrue(plan.err().contains("--state FILE or --state-secret NAMESPACE/NAME"), plan.err());
        for (String[] command : List.of(new String[] {"apply", "--auto-approve"}, new String[] {"destroy", "--auto-approve"},
                new String[] {"drift"}, new String[] {"import", "fake.thing.beta-mesh", "alpha-mesh"},
                new String[] {"plan", "--destroy"})) {
            Result r = run(beta, command);
            assertEquals(1, r.code(), String.join(" ", command) + ": " + r.out() + r.err());
            assertTrue(r.err().contains("is the state of stack `alpha`, not of `beta`"), String.join(" ", command) + ": " + r.err());
        }
        assertArrayEquals(state, Files.readAllBytes(shared), "the state is untouched");
        assertArrayEquals(objects, Files.readAllBytes(cluster), "the cluster is untouched");
        assertEquals(0, run(alpha, "plan", "--detailed-exitcode").code(), "the stack that wrote it still plans");
    }

    /** Reading a state named by --state needs no stack: there is nothing to check it against. */
    @Test
    void stateCommandsThatOnlyReadNeedNoStackWithAnExplicitState() throws IOException {
        assertEquals(0, run(alpha, "apply", "--auto-approve").code());
        String state = shared.toString();
        Result list = runWithoutStack("state", "list", "--state", state);
        assertEquals(0, list.code(), list.err());
        assertEquals("fake.thing.alpha-mesh\n", list.out());
        Result defaultStack = run("state", "list", "--state", state);  // no -f: meshform.yaml is not in the directory
        assertEquals(0, defaultStack.code(), defaultStack.err());
        assertEquals("fake.thing.alpha-mesh\n", defaultStack.out());
        Result show = runWithoutStack("state", "show", "--state", state, "fake.thing.alpha-mesh");
        assertEquals(0, show.code(), show.err());
        assertTrue(show.out().contains("mode: STRICT"), show.out());
        Result pull = runWithoutStack("state", "pull", "--state", state);
        assertEquals(0, pull.code(), pull.err());
        assertEquals("alpha", JSON.readTree(pull.out()).get("stack").asString());

        Result noState = runWithoutStack("state", "list");
        assertEquals(1, noState.code());
        assertTrue(noState.err().contains("`meshform state list` reads the state the stack names, so it needs the stack file")
                && noState.err().contains("--state FILE"), noState.err());
    }

    /** force-unlock touches only the lock: the state named by --state needs no stack, as for state list. */
    @Test
    void forceUnlockNeedsNoStackWithAnExplicitState() throws IOException {
        assertEquals(0, run(alpha, "apply", "--auto-approve").code());
        Result unlock = runWithoutStack("force-unlock", "--state", shared.toString(), "1234");
        assertEquals(1, unlock.code(), unlock.out());
        assertTrue(unlock.err().contains("state is not locked: "), unlock.err());
        assertFalse(unlock.err().contains("stack file not found"), unlock.err());

        Result noState = runWithoutStack("force-unlock", "1234");
        assertEquals(1, noState.code());
        assertTrue(noState.err().contains("`meshform force-unlock` releases the lock of the state the stack names, so it "
                + "needs the stack file") && noState.err().contains("--state-secret NAMESPACE/NAME"), noState.err());
    }

    /** Changing a state needs its stack even with --state: the state records its stack, and another's is refused. */
    @Test
    void stateCommandsThatWriteNeedTheStackAndRefuseAnotherStacksState() throws IOException {
        assertEquals(0, run(alpha, "apply", "--auto-approve").code());
        byte[] before = Files.readAllBytes(shared);
        String state = shared.toString();
        Result rm = runWithoutStack("state", "rm", "--state", state, "fake.thing.alpha-mesh");
        assertEquals(1, rm.code(), rm.out());
        assertTrue(rm.err().contains("`meshform state rm` changes the state, so it needs the stack the state belongs to"),
                rm.err());
        for (String[] command : List.of(new String[] {"state", "rm", "--state", state, "fake.thing.alpha-mesh"},
                new String[] {"state", "mv", "--state", state, "fake.thing.alpha-mesh", "fake.thing.moved"})) {
            Result r = run(beta, command);
            assertEquals(1, r.code(), String.join(" ", command) + ": " + r.out());
            assertTrue(r.err().contains("is the state of stack `alpha`, not of `beta`"), String.join(" ", command) + ": " + r.err());
        }
        Path backup = dir.resolve("backup.state.json");
        Files.write(backup, before);
        Result push = run(beta, "state", "push", "--state", dir.resolve("beta.state.json").toString(), backup.toString());
        assertEquals(1, push.code(), push.out());
        assertTrue(push.err().contains("it is the state of stack `alpha`, not of `beta`"), push.err());
        assertArrayEquals(before, Files.readAllBytes(shared), "the state is untouched");
        assertFalse(Files.exists(dir.resolve("beta.state.json")), "nothing was pushed");
        assertEquals(0, run(alpha, "state", "rm", "--state", state, "fake.thing.alpha-mesh").code(), "its own stack may");
    }

    @Test
    void aStackWithItsOwnStatePathPlansOnlyItsOwnResources() throws IOException {
        assertEquals(0, run(alpha, "apply", "--auto-approve").code());
        writeStack(beta, "beta", "STRICT", "backend: {local: {path: beta.state.json}}");
        Result plan = run(beta, "plan");
        assertEquals(0, plan.code(), plan.err());
        assertTrue(plan.out().contains("Plan: 1 to add, 0 to change, 0 to destroy."), plan.out());
        assertEquals(0, run(beta, "apply", "--auto-approve").code());
        assertEquals("beta", json(dir.resolve("beta.state.json")).get("stack").asString());
        assertEquals("alpha", json(shared).get("stack").asString());
    }

    @Test
    void aStateThatNamesNoStackIsAdoptedByTheFirstStackThatWritesIt() throws IOException {
        assertEquals(0, run(alpha, "apply", "--auto-approve").code());
        // As meshform before state format 2 wrote it.
        ObjectNode old = (ObjectNode) json(shared);
        old.remove("stack");
        old.put("format_version", 1);
        Files.writeString(shared, old.toString());

        assertEquals(0, run(alpha, "plan", "--detailed-exitcode").code(), "an old state reads as before");
        Result noChange = run(alpha, "apply", "--auto-approve");
        assertEquals(0, noChange.code(), noChange.err());
        assertFalse(json(shared).has("stack"), "a run that writes nothing records nothing");

        writeStack(alpha, "alpha", "PERMISSIVE", "");
        assertEquals(0, run(alpha, "apply", "--auto-approve").code());
        assertEquals("alpha", json(shared).get("stack").asString(), "the first write records the stack");
        assertEquals(1, run(beta, "plan").code(), "from then on another stack is refused");
    }

    @Test
    void applyWithAContextWritesTheStateThatAFleetPlanAndDriftRead() throws IOException {
        Result apply = run(alpha, "apply", "--auto-approve", "--context", "east");
        assertEquals(0, apply.code(), apply.err());
        assertTrue(Files.exists(dir.resolve("meshform.east.state.json")), "the context's own state");
        assertFalse(Files.exists(shared), "not the state of runs without --context");

        // The fake cluster answers every context alike: west sees east's object, which west's state does not record.
        Result plan = run(alpha, "plan", "--detailed-exitcode", "--context", "east", "--context", "west");
        assertTrue(plan.out().contains("=== context east (exit 0)"), "east has what apply --context east applied: " + plan.out());
        assertTrue(plan.out().contains("=== context west (exit 1)"), plan.out());

        Result drift = run(alpha, "drift", "--context", "east", "--context", "west");
        assertTrue(drift.out().contains("=== context east (exit 0)"), drift.out());
        assertTrue(drift.out().contains("meshform.west.state.json does not exist"), drift.out());

        Result single = run(alpha, "plan", "--detailed-exitcode", "--context", "east");
        assertEquals(0, single.code(), "a single-cluster run with --context reads the same file: " + single.out());
        assertEquals(0, run(alpha, "state", "list", "--context", "east").code());
        assertTrue(run(alpha, "state", "list", "--context", "east").out().contains("fake.thing.alpha-mesh"));
    }

    @Test
    void aStatePathTheStackNamesIsKeptPerContext() throws IOException {
        writeStack(alpha, "alpha", "STRICT", "backend: {local: {path: states/alpha.state.json}}");
        assertEquals(0, run(alpha, "apply", "--auto-approve", "--context", "team/east").code());
        assertTrue(Files.exists(dir.resolve("states/alpha.team_east.state.json")), "beside the stack's file, separators replaced");
        Result plan = run(alpha, "plan", "--detailed-exitcode", "--context", "team/east", "--context", "west");
        assertTrue(plan.out().contains("=== context team/east (exit 0)"), plan.out());
    }

    @Test
    void aContextRunSaysWhereTheStateOfRunsWithoutAContextIs() {
        assertEquals(0, run(alpha, "apply", "--auto-approve").code());
        Result plan = run(alpha, "plan", "--context", "east");
        assertTrue(plan.err().contains("warning: with --context east the local state is " + dir.resolve("meshform.east.state.json")
                + ", which does not exist yet; meshform.state.json beside it is the state of runs without --context"), plan.err());
    }

    @Test
    void perContextFileNames() {
        Path d = Path.of("/s");
        assertEquals(d.resolve("meshform.prod.state.json"), StateChoice.perContext(d.resolve("meshform.state.json"), "prod"));
        assertEquals(d.resolve("x.prod.json"), StateChoice.perContext(d.resolve("x.json"), "prod"));
        assertEquals(d.resolve("state.prod"), StateChoice.perContext(d.resolve("state"), "prod"));
        assertEquals(d.resolve("meshform.admin@k8s.state.json"), StateChoice.perContext(d.resolve("meshform.state.json"), "admin@k8s"));
        assertEquals(d.resolve("meshform.a_b_c.state.json"), StateChoice.perContext(d.resolve("meshform.state.json"), "a/b\\c"));
    }
}

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
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A command refused before it writes a state that does not exist yet leaves nothing beside the stack, as a run that
 * cannot reach its cluster leaves nothing ({@link ClusterContactTest}): the local lock file ({@code <state>.lock}) is
 * created by the first lock and never deleted ({@link io.meshform.state.LocalStateBackend}), so a refusal found under the
 * lock left a lone {@code meshform.state.json.lock} that looked like a state, or a run, was there. On the file-backed
 * fake cluster ({@link FileCluster}).
 */
class RefusalLeavesNoLockTest {
    @TempDir
    Path dir;
    private Set<Path> before;

    private record Result(int code, String out) {
    }

    private Result run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        String[] all = Stream.concat(Stream.of(args), Stream.of("-f", dir.resolve("meshform.yaml").toString(),
                "--kubeconfig", dir.resolve("c" + FileCluster.SUFFIX).toString())).toArray(String[]::new);
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false), all);
        return new Result(code, buf.toString(StandardCharsets.UTF_8));
    }

    @BeforeEach
    void stackAndCluster() throws IOException {
        Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: adopt}
                resources:
                  - type: fake.thing
                    name: db
                    spec: {user: cortex}
                """);
        ObjectNode objects = new JsonMapper().createObjectNode();
        // Applied by another stack: it carries that state's mark.
        objects.putObject("fake.thing.db").put("version", "1").put("lineage", "other-state").put("address", "fake.thing.db")
                .putObject("spec").put("user", "cortex");
        FileCluster.save(dir.resolve("c" + FileCluster.SUFFIX), objects);
        before = files();
    }

    private Set<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.collect(Collectors.toSet());
        }
    }

    private void refusedLeavingNothing(String expected, String... args) throws IOException {
        Result r = run(args);
        assertEquals(ExitCodes.ERROR, r.code(), r.out());
        assertTrue(r.out().contains(expected), r.out());
        assertEquals(before, files(), List.of(args) + " left a file behind: " + r.out());
    }

    @Test
    void anImportRefusedForAnotherStatesMarkLeavesNoLockFile() throws IOException {
        refusedLeavingNothing("carries meshform's mark of another state", "import", "fake.thing.db", "db");
    }

    @Test
    void anImportOfAnObjectNotInTheClusterLeavesNoLockFile() throws IOException {
        refusedLeavingNothing("no object `nothere`", "import", "fake.thing.db", "nothere");
    }

    @Test
    void aStateEditWithoutAStateLeavesNoLockFile() throws IOException {
        refusedLeavingNothing("no state yet", "state", "rm", "fake.thing.db");
        refusedLeavingNothing("no state yet", "state", "mv", "fake.thing.db", "fake.thing.main");
    }

    @Test
    void aDestroyWithoutAStateLeavesNoLockFile() throws IOException {
        Result r = run("destroy", "--auto-approve");
        assertEquals(ExitCodes.OK, r.code(), r.out());
        // Named, so a --state typo does not read as a stack destroyed.
        assertTrue(r.out().contains("Nothing to destroy: local file ")
                && r.out().contains("does not exist"), r.out());
        // The plan printed says "No changes." once; the closing line used to say it again.
        assertEquals(1, r.out().split("No changes\\.", -1).length - 1, r.out());
        assertEquals(before, files(), "destroy left a file behind: " + r.out());
    }

    @Test
    void theImportTheRefusalSpokeOfStillWorksWithTakeOver() throws IOException {
        Result r = run("import", "--take-over", "fake.thing.db", "db");
        assertEquals(ExitCodes.OK, r.code(), r.out());
        assertTrue(Files.exists(dir.resolve("meshform.state.json")), r.out());
    }

    @Test
    void aPlanWithoutAStateLeavesNoLockFile() throws IOException {
        Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: fresh}
                resources:
                  - type: fake.thing
                    name: mesh
                    spec: {mode: STRICT}
                """);
        before = files();
        Result r = run("plan");
        assertEquals(ExitCodes.OK, r.code(), r.out());
        assertTrue(r.out().contains("Plan: 1 to add"), r.out());
        assertEquals(before, files(), "plan left a file behind: " + r.out());
    }

    /** A fresh stack (no state yet) and its saved plan, for the saved-plan refusals below. */
    private Path freshStackAndPlan() throws IOException {
        Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: fresh}
                resources:
                  - type: fake.thing
                    name: mesh
                    spec: {mode: STRICT}
                """);
        Path plan = dir.resolve("fresh.plan");
        Result r = run("plan", "--out", plan.toString());
        assertEquals(ExitCodes.OK, r.code(), r.out());
        before = files();
        return plan;
    }

    @Test
    void anApplyOfAFileThatIsNoPlanLeavesNoLockFile() throws IOException {
        Path plan = freshStackAndPlan();
        Files.writeString(plan, "not a plan");
        refusedLeavingNothing(plan.toString(), "apply", plan.toString());
        Files.delete(plan);
        before = files();
        refusedLeavingNothing(plan.toString(), "apply", plan.toString());
    }

    @Test
    void anApplyOfAnotherStacksPlanLeavesNoLockFile() throws IOException {
        Path plan = freshStackAndPlan();
        Files.writeString(plan, Files.readString(plan).replace("\"fresh\"", "\"other\""));
        refusedLeavingNothing("wrong stack", "apply", plan.toString());
    }

    @Test
    void anApplyOfAPlanMadeForAStateThatIsNotThereLeavesNoLockFile() throws IOException {
        Path plan = freshStackAndPlan();
        String text = Files.readString(plan);
        Files.writeString(plan, text.replaceFirst("\"serial\"\\s*:\\s*0", "\"serial\": 3"));
        refusedLeavingNothing("stale plan", "apply", plan.toString());
    }

    @Test
    void anApplyOfAPlanOfAnEditedStackLeavesNoLockFile() throws IOException {
        Path plan = freshStackAndPlan();
        Files.writeString(dir.resolve("meshform.yaml"), Files.readString(dir.resolve("meshform.yaml")).replace("STRICT", "PERMISSIVE"));
        before = files();
        refusedLeavingNothing("stale plan", "apply", plan.toString());
    }

    @Test
    void anApplyOfAnEditedPlanLeavesNoLockFile() throws IOException {
        Path plan = freshStackAndPlan();
        Files.writeString(plan, Files.readString(plan).replace("\"STRICT\"", "\"DISABLE\""));
        refusedLeavingNothing("refused plan", "apply", plan.toString());
    }

    @Test
    void theFreshPlanStillApplies() throws IOException {
        Path plan = freshStackAndPlan();
        Result r = run("apply", plan.toString());
        assertEquals(ExitCodes.OK, r.code(), r.out());
        assertTrue(Files.exists(dir.resolve("meshform.state.json")), r.out());
    }
}

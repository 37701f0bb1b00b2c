package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code apply} where no state exists yet, with an approval to ask for: planned and asked without the lock, so a run
 * declined (or with no terminal to ask on) leaves no {@code meshform.state.json.lock}; an approved plan is checked
 * again under the lock ({@link ApprovedFirstPlan}), and refused when what it was made from moved while the user read
 * it. On the file-backed fake cluster ({@link FileCluster}).
 */
class FirstApplyApprovalTest {
    @TempDir
    Path dir;
    private Set<Path> before;

    private record Result(int code, String out) {
    }

    private Path cluster() {
        return dir.resolve("c" + FileCluster.SUFFIX);
    }

    private Result run(InputStream in, boolean interactive, String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        String[] all = Stream.concat(Stream.of(args), Stream.of("-f", dir.resolve("meshform.yaml").toString(),
                "--kubeconfig", cluster().toString())).toArray(String[]::new);
        int code = Main.run(new Terminal(ps, ps, in, Map.of("NO_COLOR", "1"), interactive), all);
        return new Result(code, buf.toString(StandardCharsets.UTF_8));
    }

    private Result answering(String answer, Runnable whileAsked, String... args) {
        return run(new Answer(answer, whileAsked), true, args);
    }

    @BeforeEach
    void stack() throws IOException {
        Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: fresh}
                resources:
                  - type: fake.thing
                    name: mesh
                    spec: {mode: STRICT}
                """);
        FileCluster.save(cluster(), new tools.jackson.databind.json.JsonMapper().createObjectNode());
        before = files();
    }

    private Set<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.collect(Collectors.toSet());
        }
    }

    @Test
    void anApplyWithNoTerminalToAskOnShowsThePlanAndLeavesNoLockFile() throws IOException {
        Result r = run(new ByteArrayInputStream(new byte[0]), false, "apply");
        assertEquals(ExitCodes.ERROR, r.code(), r.out());
        assertTrue(r.out().contains("Plan: 1 to add"), r.out());
        assertTrue(r.out().contains("apply needs approval, and there is no terminal to ask on"), r.out());
        assertEquals(before, files(), "the refused apply left a file behind: " + r.out());
    }

    @Test
    void anApplyAnsweredNoLeavesNoLockFile() throws IOException {
        Result r = answering("no", () -> { }, "apply");
        assertEquals(ExitCodes.ERROR, r.code(), r.out());
        assertTrue(r.out().contains("Apply cancelled."), r.out());
        assertEquals(before, files(), "the declined apply left a file behind: " + r.out());
    }

    @Test
    void anApprovedFirstApplyAppliesThePlanItShowedOnce() throws IOException {
        Result r = answering("yes", () -> { }, "apply");
        assertEquals(ExitCodes.OK, r.code(), r.out());
        assertEquals(1, r.out().split("Plan: 1 to add", -1).length - 1, "one plan shown:\n" + r.out());
        assertTrue(r.out().contains("Apply complete! Resources: 1 added"), r.out());
        assertTrue(FileCluster.load(cluster()).has("fake.thing.mesh"), r.out());
        assertTrue(Files.exists(dir.resolve("meshform.state.json")), r.out());
        // The objects carry the lineage of the plan approved, which is the state's.
        String lineage = new tools.jackson.databind.json.JsonMapper().readTree(Files.readString(dir.resolve("meshform.state.json")))
                .path("lineage").asString();
        assertEquals(lineage, FileCluster.load(cluster()).path("fake.thing.mesh").path("lineage").asString());
        Result again = run(new ByteArrayInputStream(new byte[0]), false, "plan");
        assertTrue(again.out().contains("No changes."), again.out());
    }

    @Test
    void anObjectMadeWhileTheUserReadThePlanRefusesTheApply() throws IOException {
        Result r = answering("yes", () -> {
            ObjectNode objects = FileCluster.load(cluster());
            objects.putObject("fake.thing.mesh").put("version", "7").putObject("spec").put("mode", "PERMISSIVE");
            FileCluster.save(cluster(), objects);
        }, "apply");
        assertEquals(ExitCodes.ERROR, r.code(), r.out());
        assertTrue(r.out().contains("the plan you approved no longer shows what applying would do"), r.out());
        assertTrue(r.out().contains("fake.thing.mesh"), r.out());
        assertTrue(r.out().contains("Nothing was applied."), r.out());
        assertEquals("PERMISSIVE", FileCluster.load(cluster()).path("fake.thing.mesh").path("spec").path("mode").asString());
        assertFalse(Files.exists(dir.resolve("meshform.state.json")), r.out());
    }

    @Test
    void aStateCreatedWhileTheUserReadThePlanRefusesTheApply() {
        Result r = answering("yes", () -> {
            Result other = run(new ByteArrayInputStream(new byte[0]), false, "apply", "--auto-approve");
            assertEquals(ExitCodes.OK, other.code(), other.out());
        }, "apply");
        assertEquals(ExitCodes.ERROR, r.code(), r.out());
        assertTrue(r.out().contains("state was created since the plan was made"), r.out());
        assertTrue(r.out().contains("Nothing was applied."), r.out());
    }

    @Test
    void autoApproveInAFreshDirectoryPlansOnce() {
        Result r = run(new ByteArrayInputStream(new byte[0]), false, "apply", "--auto-approve");
        assertEquals(ExitCodes.OK, r.code(), r.out());
        assertEquals(1, r.out().split("Plan: 1 to add", -1).length - 1, "one plan shown:\n" + r.out());
        assertTrue(Files.exists(dir.resolve("meshform.state.json.lock")), "the apply held the lock:\n" + r.out());
    }

    /** A terminal's answer, read after {@code whileAsked} ran: what another user or run did while the plan was read. */
    private static final class Answer extends InputStream {
        private final Runnable whileAsked;
        private final byte[] line;
        private int next = -1;

        Answer(String answer, Runnable whileAsked) {
            this.whileAsked = whileAsked;
            this.line = (answer + "\n").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public int read() {
            if (next < 0) {
                whileAsked.run();
                next = 0;
            }
            return next < line.length ? line[next++] & 0xff : -1;
        }
    }
}

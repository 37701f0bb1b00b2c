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

/**
 * What the state commands say about a state that does not exist, and about a resource the stack still declares: the
 * words a newcomer reads to learn what meshform manages.
 */
class StateCommandsTest {
    @TempDir
    Path dir;
    Path stack;
    Path cluster;

    record Result(int code, String out, String err) {
    }

    @BeforeEach
    void writeStack() throws IOException {
        stack = dir.resolve("meshform.yaml");
        // extra depends on mesh so that apply writes the fake cluster's one file a step at a time
        cluster = dir.resolve("c" + FileCluster.SUFFIX);
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: alpha}
                resources:
                  - type: fake.thing
                    name: mesh
                    spec: {mode: STRICT}
                  - type: fake.thing
                    name: extra
                    dependsOn: [fake.thing.mesh]
                    spec: {mode: PERMISSIVE}
                """);
    }

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", stack.toString(), "--kubeconfig", cluster.toString()));
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * A mistyped --state, or the example's own state when quickstart kept another: an empty list (exit 0) would say
     * nothing is managed, and pull would print a state with a new lineage that never existed. Terraform fails ("No
     * state file was found!"), as state show and rm do here.
     */
    @Test
    void listAndPullOfAStateThatDoesNotExistFailAndSayWhere() {
        String missing = dir.resolve("prodution.state.json").toString();
        for (String command : List.of("list", "pull")) {
            Result r = run("state", command, "--state", missing);
            assertEquals(1, r.code(), command + ": " + r.out());
            assertEquals("", r.out(), command + " prints no state");
            assertTrue(r.err().contains("no state yet in local file " + missing) && r.err().contains("check -f, --state"),
                    command + ": " + r.err());
        }
        assertFalse(Files.exists(Path.of(missing)), "reading made no state");
    }

    @Test
    void listOfAnAppliedStateThatRecordsNothingIsEmpty() {
        assertEquals(0, run("apply", "--auto-approve").code());
        Result destroy = run("destroy", "--auto-approve");
        assertEquals(0, destroy.code(), destroy.out() + destroy.err());
        Result list = run("state", "list");
        assertEquals(0, list.code(), list.err());
        assertEquals("", list.out());
    }

    /**
     * The help said "meshform stops managing it", but the stack still declares it: the next plan refuses its object as
     * not managed (its mark alone does not make it this state's again), and rm says so, with import as the way back.
     */
    @Test
    void rmOfAResourceTheStackStillDeclaresSaysTheNextPlanRefusesIt() {
        assertEquals(0, run("apply", "--auto-approve").code());
        Result rm = run("state", "rm", "fake.thing.extra");
        assertEquals(0, rm.code(), rm.err());
        assertTrue(rm.out().contains("The stack still declares fake.thing.extra (" + stack + ":8:5): remove it there too,"
                + " or the next plan refuses its object as not managed by meshform; to manage it again, `meshform import -f "
                + stack + " fake.thing.extra ID`"), rm.out());
        Result plan = run("plan", "--detailed-exitcode");
        assertEquals(1, plan.code(), "what rm said: the plan refuses it\n" + plan.out() + plan.err());
        assertTrue(plan.err().contains("`fake.thing.extra`: thing extra exists, not managed by meshform"), plan.err());
    }

    /**
     * A resource declared in an imported file is removed from that file, not from the one given with -f: rm names the
     * file and line of the declaration, and of each refinement.
     */
    @Test
    void rmNamesTheImportedFileThatDeclaresTheResource() throws IOException {
        Path base = dir.resolve("base.yaml");
        Files.writeString(base, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: base}
                resources:
                  - type: fake.thing
                    name: extra
                    spec: {mode: PERMISSIVE}
                """);
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: alpha}
                imports: [base.yaml]
                resources:
                  - type: fake.thing
                    name: mesh
                    spec: {mode: STRICT}
                """);
        assertEquals(0, run("apply", "--auto-approve").code());
        Result rm = run("state", "rm", "fake.thing.extra");
        assertEquals(0, rm.code(), rm.err());
        assertTrue(rm.out().contains("The stack still declares fake.thing.extra (" + base + ":5:5): remove it there too"),
                rm.out());
    }

    /** An interrupted apply's note that it was creating the resource goes with rm: it must not bring the object back. */
    @Test
    void rmForgetsThatAnInterruptedApplyWasCreatingIt() throws IOException {
        assertEquals(0, run("apply", "--auto-approve").code());
        io.meshform.state.StateCodec codec = new io.meshform.state.StateCodec();
        Path file = dir.resolve("meshform.state.json");
        io.meshform.state.StateSnapshot s = codec.decode(Files.readAllBytes(file), "state");
        Files.write(file, codec.encode(s.withCreating(List.of("fake.thing.extra"))));
        assertEquals(0, run("state", "rm", "fake.thing.extra").code());
        assertTrue(codec.decode(Files.readAllBytes(file), "state").creating().isEmpty());
        assertEquals(1, run("plan", "--detailed-exitcode").code());
    }

    @Test
    void rmOfAResourceTheFileNoLongerDeclaresSaysNothingMore() throws IOException {
        assertEquals(0, run("apply", "--auto-approve").code());
        Files.writeString(stack, Files.readString(stack).replaceAll("(?s)  - type: fake.thing\n    name: extra.*", ""));
        Result rm = run("state", "rm", "fake.thing.extra");
        assertEquals(0, rm.code(), rm.out() + rm.err());
        assertTrue(rm.out().startsWith("Removed fake.thing.extra from the state"), rm.out());
        assertFalse(rm.out().contains("still declares"), rm.out());
    }

    /** A mistyped address gets the closest recorded one, as --target and import do. */
    @Test
    void aMistypedAddressGetsTheClosestRecordedOne() {
        assertEquals(0, run("apply", "--auto-approve").code());
        for (List<String> command : List.of(List.of("show", "fake.thing.extr"), List.of("rm", "fake.thing.extr"),
                List.of("mv", "fake.thing.extr", "fake.thing.other"))) {
            List<String> args = new ArrayList<>(List.of("state"));
            args.addAll(command);
            Result r = run(args.toArray(String[]::new));
            assertEquals(1, r.code(), command + ": " + r.out());
            assertTrue(r.err().contains("`fake.thing.extr` is not in the state; did you mean `fake.thing.extra`?"),
                    command + ": " + r.err());
        }
        Result far = run("state", "show", "istio.install.mesh");
        assertTrue(far.err().contains("`meshform state list` (with the same -f or --state) shows what it records"), far.err());
    }

    /**
     * A state edited by hand (or a state Secret anyone with write access to its namespace changed) cannot reach the
     * terminal with an OSC string or a right-to-left override through {@code state show}: its metadata is escaped as
     * its attributes are.
     */
    @Test
    void showEscapesControlAndInvisibleCharactersOfAnEditedState() throws IOException {
        assertEquals(0, run("apply", "--auto-approve").code());
        Path state = dir.resolve("meshform.state.json");
        var mapper = tools.jackson.databind.json.JsonMapper.builder().build();
        var root = (tools.jackson.databind.node.ObjectNode) mapper.readTree(Files.readString(state));
        for (var r : root.path("resources")) {
            if ("fake.thing.extra".equals(r.path("address").asString())) {
                var o = (tools.jackson.databind.node.ObjectNode) r;
                o.withObject("metadata").put("note\u202E", "x\u001b]52;c;eA==\u0007\u202Eexe.gnp");
                o.withObject("attributes").put("mode", "PERMISSIVE\u001b[2K\u200B");
            }
        }
        Files.writeString(state, mapper.writeValueAsString(root));
        Result show = run("state", "show", "fake.thing.extra");
        assertEquals(0, show.code(), show.out() + show.err());
        assertTrue(show.out().codePoints().noneMatch(c -> c == 0x1b || c == 7 || Character.getType(c) == Character.FORMAT),
                show.out());
        assertTrue(show.out().contains("#   note\\u202e: x\\e]52;c;eA==\\a\\u202eexe.gnp\n"), show.out());
        assertTrue(show.out().contains("mode: \"PERMISSIVE\\e[2K\\u200b\"\n"), show.out());
    }

    /** list reads addresses from the same edited file: an escape sequence in one is shown escaped, never sent. */
    @Test
    void listEscapesControlAndInvisibleCharactersOfAnEditedState() throws IOException {
        assertEquals(0, run("apply", "--auto-approve").code());
        Path state = dir.resolve("meshform.state.json");
        var mapper = tools.jackson.databind.json.JsonMapper.builder().build();
        var root = (tools.jackson.databind.node.ObjectNode) mapper.readTree(Files.readString(state));
        var extra = (tools.jackson.databind.node.ObjectNode) root.path("resources").get(0);
        extra.put("address", "fake.thing.x\u001b]0;owned\u0007\u202E");
        var deposed = extra.deepCopy();
        deposed.put("address", "fake.thing.y\u001b[2J");
        deposed.put("key", "0badcafe");
        root.putArray("deposed").add(deposed);
        Files.writeString(state, mapper.writeValueAsString(root));
        Result list = run("state", "list");
        assertTrue(list.out().codePoints().noneMatch(c -> c == 0x1b || c == 7 || Character.getType(c) == Character.FORMAT),
                list.out());
        assertTrue(list.out().contains("fake.thing.x\\e]0;owned\\a\\u202e\n"), list.out());
        assertTrue(list.out().contains("fake.thing.y\\e[2J (deposed object 0badcafe)\n"), list.out());
    }

    /** A deposed object (the old object of a move still to delete) is listed, shown and forgotten with its resource. */
    @Test
    void listShowAndRmNameTheDeposedObjectsOfAnAddress() throws IOException {
        assertEquals(0, run("apply", "--auto-approve").code());
        Path stateFile = dir.resolve("meshform.state.json");
        String text = Files.readString(stateFile);
        tools.jackson.databind.node.ObjectNode state = (tools.jackson.databind.node.ObjectNode)
                tools.jackson.databind.json.JsonMapper.builder().build().readTree(text);
        tools.jackson.databind.node.ObjectNode old = ((tools.jackson.databind.node.ObjectNode) state.get("resources").get(0)).deepCopy();
        old.put("key", "0badcafe");
        state.putArray("deposed").add(old);
        Files.writeString(stateFile, state.toString());

        Result list = run("state", "list");
        assertEquals("fake.thing.extra\nfake.thing.mesh\nfake.thing.extra (deposed object 0badcafe)\n", list.out(), list.err());
        Result show = run("state", "show", "fake.thing.extra");
        assertTrue(show.out().startsWith("# fake.thing.extra (fake.thing)\n"), show.out());
        assertTrue(show.out().contains("# fake.thing.extra (deposed object 0badcafe) ("), show.out());
        assertTrue(show.out().contains("the old object of a move, which the next plan deletes"), show.out());
        Result rm = run("state", "rm", "fake.thing.extra");
        assertEquals(0, rm.code(), rm.err());
        assertEquals("fake.thing.mesh\n", run("state", "list").out());
    }

    /**
     * drift --ignore does not leave deposed objects out, so one naming an address of which the state records only a
     * deposed object would ignore nothing: refused, with what does remove it.
     */
    @Test
    void driftRefusesAnIgnoreOfAnAddressWithOnlyDeposedObjects() throws IOException {
        assertEquals(0, run("apply", "--auto-approve").code());
        Path stateFile = dir.resolve("meshform.state.json");
        tools.jackson.databind.node.ObjectNode state = (tools.jackson.databind.node.ObjectNode)
                tools.jackson.databind.json.JsonMapper.builder().build().readTree(Files.readString(stateFile));
        tools.jackson.databind.node.ObjectNode old = ((tools.jackson.databind.node.ObjectNode) state.get("resources").get(0)).deepCopy();
        old.put("address", "fake.thing.gone");
        old.put("key", "0badcafe");
        state.putArray("deposed").add(old);
        Files.writeString(stateFile, state.toString());
        byte[] before = Files.readAllBytes(stateFile);

        Result ignored = run("drift", "--ignore", "fake.thing.gone");
        assertEquals(1, ignored.code(), ignored.out() + ignored.err());
        assertTrue(ignored.err().contains("--ignore names `fake.thing.gone`, of which the state records only deposed objects"),
                ignored.err());
        assertTrue(ignored.err().contains("`meshform state rm fake.thing.gone` forgets them"), ignored.err());
        assertArrayEquals(before, Files.readAllBytes(stateFile), "a refused drift changes nothing");
    }

    /** A hand-edited address is refused naming the state and the entry, escaped: not "a bug in meshform". */
    @Test
    void aStateEntryWithAnInvalidAddressIsRefusedNotACrash() throws IOException {
        assertEquals(0, run("apply", "--auto-approve").code());
        Path stateFile = dir.resolve("meshform.state.json");
        for (String bad : List.of("fake.thing.x\u001b]0;PWNED\u0007", "../../x", "fake.thing.")) {
            tools.jackson.databind.node.ObjectNode state = (tools.jackson.databind.node.ObjectNode)
                    tools.jackson.databind.json.JsonMapper.builder().build().readTree(Files.readString(stateFile));
            tools.jackson.databind.node.ObjectNode entry = (tools.jackson.databind.node.ObjectNode) state.get("resources").get(0);
            String good = entry.get("address").asString();
            entry.put("address", bad);
            Files.writeString(stateFile, state.toString());
            byte[] before = Files.readAllBytes(stateFile);
            for (String command : List.of("plan", "apply", "drift")) {
                Result r = command.equals("apply") ? run(command, "--auto-approve") : run(command);
                assertEquals(1, r.code(), command + ": " + r.out() + r.err());
                assertTrue(r.err().contains("records an entry whose address `"), command + ": " + r.err());
                assertFalse(r.err().contains("bug in meshform"), r.err());
                assertFalse(r.err().contains("\u001b"), "escaped: " + r.err());
                assertArrayEquals(before, Files.readAllBytes(stateFile), command + " changed nothing");
            }
            entry.put("address", good);
            Files.writeString(stateFile, state.toString());
        }
    }

    /** Applies the stack and records the entry of fake.thing.extra a second time, as its deposed object 0badcafe. */
    private void applyAndDeposeExtra() throws IOException {
        assertEquals(0, run("apply", "--auto-approve").code());
        Path stateFile = dir.resolve("meshform.state.json");
        tools.jackson.databind.node.ObjectNode state = (tools.jackson.databind.node.ObjectNode)
                tools.jackson.databind.json.JsonMapper.builder().build().readTree(Files.readString(stateFile));
        tools.jackson.databind.node.ObjectNode old = ((tools.jackson.databind.node.ObjectNode) state.get("resources").get(0)).deepCopy();
        old.put("key", "0badcafe");
        state.putArray("deposed").add(old);
        Files.writeString(stateFile, state.toString());
    }

    /** As Terraform's state mv moves a resource instance's deposed objects: none is left under the old address. */
    @Test
    void mvMovesTheDeposedObjectsWithTheResource() throws IOException {
        applyAndDeposeExtra();
        Result mv = run("state", "mv", "fake.thing.extra", "fake.thing.more");
        assertEquals(0, mv.code(), mv.err());
        assertTrue(mv.out().contains("Its deposed object (the old object of a move, still to delete) moved with it; the next"
                + " apply deletes it."), mv.out());
        assertEquals("fake.thing.mesh\nfake.thing.more\nfake.thing.more (deposed object 0badcafe)\n", run("state", "list").out());
        String before = Files.readString(dir.resolve("meshform.state.json"));
        Result itself = run("state", "mv", "fake.thing.more", "fake.thing.more");
        assertEquals(1, itself.code());
        assertTrue(itself.err().contains("cannot move fake.thing.more to fake.thing.more: the source and the destination are"
                + " the same address; nothing was changed"), itself.err());
        assertEquals(before, Files.readString(dir.resolve("meshform.state.json")), "the state is not rewritten");
        Result taken = run("state", "mv", "fake.thing.more", "fake.thing.mesh");
        assertEquals(1, taken.code());
        assertTrue(taken.err().contains("fake.thing.mesh is already in the state"), taken.err());
        // Its resource's own entry gone, the deposed object moves all the same (as rm forgets it).
        Path stateFile = dir.resolve("meshform.state.json");
        tools.jackson.databind.node.ObjectNode state = (tools.jackson.databind.node.ObjectNode)
                tools.jackson.databind.json.JsonMapper.builder().build().readTree(Files.readString(stateFile));
        ((tools.jackson.databind.node.ArrayNode) state.get("resources")).remove(1);
        Files.writeString(stateFile, state.toString());
        assertEquals("fake.thing.mesh\nfake.thing.more (deposed object 0badcafe)\n", run("state", "list").out());
        assertEquals(0, run("state", "mv", "fake.thing.more", "fake.thing.again").code());
        assertEquals("fake.thing.mesh\nfake.thing.again (deposed object 0badcafe)\n", run("state", "list").out());
        Result onto = run("state", "mv", "fake.thing.mesh", "fake.thing.again");
        assertEquals(1, onto.code(), "an address with a deposed object is taken");
        assertTrue(onto.err().contains("fake.thing.again is already in the state (fake.thing.again (deposed object 0badcafe))"),
                onto.err());
    }

    /** A nightly drift must not pass while the state records an old object of a move still in the cluster. */
    @Test
    void driftReportsADeposedObjectStillInTheCluster() throws IOException {
        applyAndDeposeExtra();
        Result drift = run("drift");
        assertEquals(2, drift.code(), drift.out() + drift.err());
        assertTrue(drift.out().contains("! fake.thing.extra (deposed object 0badcafe): the old object of a move, whose delete"
                + " did not go through; `meshform apply` deletes it"), drift.out());
        assertTrue(run("drift", "--format", "json").out().contains("\"kind\" : \"deposed\""));
    }

    /**
     * The commands that only read the state find it from the stack's backend without the variables' values (a
     * backend takes none): Terraform's `state list` needs no -var. A variable the resources need, without a value
     * here, stopped `state list -f STACK` with "has no value"; plan still asks for it.
     */
    @Test
    void readingTheStateNeedsNoVariableValues() throws IOException {
        assertEquals(0, run("apply", "--auto-approve").code());
        Files.writeString(stack, Files.readString(stack).replace("resources:\n", """
                variables:
                  mode: {type: string}
                resources:
                """).replace("spec: {mode: PERMISSIVE}", "spec: {mode: \"${var.mode}\"}"));
        Result list = run("state", "list");
        assertEquals(0, list.code(), list.err());
        assertEquals("fake.thing.extra\nfake.thing.mesh\n", list.out());
        assertEquals(0, run("state", "show", "fake.thing.mesh").code());
        assertEquals(0, run("state", "pull").code());
        Result plan = run("plan");
        assertEquals(1, plan.code(), plan.out());
        assertTrue(plan.err().contains("variable `mode` has no value"), plan.err());
    }
}

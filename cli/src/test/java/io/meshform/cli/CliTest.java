package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

/** The commands run in-process on a file-backed fake cluster: exit codes, output and state, end to end. */
class CliTest {
    @TempDir
    Path dir;
    Path stack;
    Path cluster;

    record Result(int code, String out, String err) {
    }

    @BeforeEach
    void writeStack() throws IOException {
        stack = dir.resolve("meshform.yaml");
        cluster = dir.resolve("c" + FileCluster.SUFFIX);
        writeStack("STRICT");
    }

    private void writeStack(String mode) throws IOException {
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - type: fake.thing
                    name: mesh
                    spec: {mode: %s}
                  - type: fake.thing
                    name: cortex
                    dependsOn: [fake.thing.mesh]
                    spec: {mode: PERMISSIVE}
                """.formatted(mode));
    }

    private Result run(String stdin, boolean interactive, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        if (!List.of("version", "show", "--help").contains(args[0])) {
            all.addAll(List.of("-f", stack.toString(), "--kubeconfig", cluster.toString()));
        }
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), Map.of(), interactive), all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Result run(String... args) {
        return run("", false, args);
    }

    @Test
    void planApplyThenNoChangesWithDetailedExitCodes() {
        Result plan = run("plan", "--detailed-exitcode");
        assertEquals(2, plan.code(), plan.err());
        assertTrue(plan.out().contains("+ fake.thing.mesh"), plan.out());
        assertTrue(plan.out().contains("Plan: 2 to add, 0 to change, 0 to destroy."), plan.out());
        assertFalse(plan.out().contains("\u001b["), "no colour without a terminal");

        Result apply = run("apply", "--auto-approve");
        assertEquals(0, apply.code(), apply.err());
        assertTrue(apply.out().contains("Apply complete! Resources: 2 added, 0 changed, 0 destroyed."), apply.out());
        assertTrue(Files.exists(dir.resolve("meshform.state.json")));

        Result again = run("plan", "--detailed-exitcode");
        assertEquals(0, again.code(), again.out() + again.err());
        assertTrue(again.out().contains("No changes."), again.out());
    }

    @Test
    void applyRefusesToAskWithoutATerminalAndCancelsWithoutYes() {
        Result noTty = run("apply");
        assertEquals(1, noTty.code());
        assertTrue(noTty.err().contains("--auto-approve"), noTty.err());
        assertFalse(Files.exists(cluster), "nothing applied");

        Result no = run("no\n", true, "apply");
        assertEquals(1, no.code());
        assertTrue(no.out().contains("Apply cancelled."), no.out());
        assertFalse(Files.exists(cluster));

        Result yes = run("yes\n", true, "apply");
        assertEquals(0, yes.code(), yes.err());
        assertTrue(Files.exists(cluster));
    }

    /** destroy asks and cancels in its own words, as `terraform destroy` does ("Destroy cancelled."), not apply's. */
    @Test
    void destroyAsksToDestroyAndSaysDestroyCancelled() throws IOException {
        assertEquals(0, run("apply", "--auto-approve").code());
        String before = Files.readString(cluster);

        Result no = run("no\n", true, "destroy");
        assertEquals(1, no.code());
        assertTrue(no.out().contains("Do you really want to destroy all resources in the plan?"), no.out());
        assertTrue(no.out().contains("Destroy cancelled."), no.out());
        assertFalse(no.out().contains("Apply"), no.out());
        assertEquals(before, Files.readString(cluster), "nothing destroyed");
    }

    @Test
    void savedPlanAppliesExactlyAndIsRefusedWhenStale() throws IOException {
        run("apply", "--auto-approve");
        writeStack("PERMISSIVE");
        Path planFile = dir.resolve("change.plan");
        Result plan = run("plan", "--out", planFile.toString());
        assertEquals(0, plan.code(), plan.err());
        Result show = run("show", "--json", planFile.toString());
        JsonNode json = new JsonMapper().readTree(show.out());
        assertEquals(1, json.get("format_version").asInt());
        assertEquals(1, json.at("/summary/change").asInt());
        assertTrue(json.at("/resource_changes/0/private").isMissingNode(), "show --json leaves private data out");
        String md = run("show", "--markdown", planFile.toString()).out();
        assertTrue(md.startsWith("### meshform plan: `demo`"), md);
        assertTrue(md.contains("| `~` | `fake.thing.mesh` | spec differs |"), md);
        assertTrue(md.contains("\n-mode: STRICT\n+mode: PERMISSIVE\n"), "diff lines start at the margin for highlighting: " + md);

        writeStack("STRICT");
        Result stale = run("apply", planFile.toString());
        assertEquals(1, stale.code());
        assertTrue(stale.err().contains("stale plan"), stale.err());
        assertTrue(stale.err().contains("desired-state file"), stale.err());

        assertTrue(stale.err().contains("Make a new plan with `meshform plan -f " + stack + " --kubeconfig " + cluster
                + " --out " + planFile + "`"), "the suggested command names the stack file it was given:\n" + stale.err());

        writeStack("PERMISSIVE");
        Result ok = run("apply", planFile.toString());
        assertEquals(0, ok.code(), ok.err());
        Result again = run("apply", planFile.toString());
        assertEquals(1, again.code(), "a plan applies once: the state serial moved");
        // Not "another apply ran": the apply that moved the serial was this plan's own.
        assertTrue(again.err().contains("): written by an apply (this plan's own, if it was applied already),"
                + " an import or a state command"), again.err());
    }

    @Test
    void aPlanSavedBeforeAnyStateExistsAppliesAndStartsTheState() throws IOException {
        Path planFile = dir.resolve("first.plan");
        Result plan = run("plan", "--out", planFile.toString());
        assertEquals(0, plan.code(), plan.err());
        assertFalse(Files.exists(dir.resolve("meshform.state.json")), "plan writes no state");

        Result apply = run("apply", planFile.toString());
        assertEquals(0, apply.code(), apply.out() + apply.err());
        assertTrue(apply.out().contains("Apply complete! Resources: 2 added"), apply.out());
        String lineage = new JsonMapper().readTree(Files.readString(planFile)).at("/prior_state/lineage").asString();
        String stateLineage = new JsonMapper().readTree(Files.readString(dir.resolve("meshform.state.json"))).path("lineage").asString();
        assertEquals(lineage, stateLineage, "the state starts the history the plan was made for");
        Result again = run("plan", "--detailed-exitcode");
        assertEquals(0, again.code(), again.out() + again.err());

        Result twice = run("apply", planFile.toString());
        assertEquals(1, twice.code(), "a plan applies once");
        assertTrue(twice.err().contains("state was created since the plan was made"), twice.err());
    }

    @Test
    void aPlanSavedBeforeAnyStateIsRefusedWhenSomeoneElseCreatedStateMeanwhile() {
        Path planFile = dir.resolve("first.plan");
        assertEquals(0, run("plan", "--out", planFile.toString()).code());
        Result other = run("apply", "--auto-approve");
        assertEquals(0, other.code(), other.err());
        String before = readState();

        Result stale = run("apply", planFile.toString());
        assertEquals(1, stale.code());
        assertTrue(stale.err().contains("stale plan") && stale.err().contains("state was created since the plan was made")
                && stale.err().contains("written by an apply"), stale.err());
        assertEquals(before, readState(), "the refused apply wrote nothing");
    }

    /** Audit A, H2: a "No changes" plan edited to delete declared resources kept every binding valid and was applied. */
    @Test
    void aSavedPlanWhoseActionsWereEditedIsRefusedAndChangesNothing() throws IOException {
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - type: fake.thing
                    name: mesh
                    lifecycle: {preventDestroy: true}
                    spec: {mode: STRICT}
                  - type: fake.thing
                    name: cortex
                    dependsOn: [fake.thing.mesh]
                    spec: {mode: PERMISSIVE}
                """);
        assertEquals(0, run("apply", "--auto-approve").code());
        Path planFile = dir.resolve("noop.plan");
        Result plan = run("plan", "--out", planFile.toString());
        assertEquals(0, plan.code(), plan.err());
        assertTrue(plan.out().contains("No changes."), plan.out());
        String state = readState();
        String objects = Files.readString(cluster);
        JsonMapper mapper = new JsonMapper();

        // noop -> delete on a declared resource: the digest, the serial and the live version all still hold.
        tools.jackson.databind.node.ObjectNode json = (tools.jackson.databind.node.ObjectNode) mapper.readTree(Files.readString(planFile));
        json.put("changes_present", true);
        for (JsonNode c : json.get("resource_changes")) {
            if (c.get("address").asString().equals("fake.thing.cortex")) {
                ((tools.jackson.databind.node.ObjectNode) c).putArray("actions").add("delete");
                ((tools.jackson.databind.node.ObjectNode) c.get("change")).putArray("actions").add("delete");
            }
        }
        Path tampered = dir.resolve("tampered.plan");
        Files.writeString(tampered, mapper.writeValueAsString(json));
        Result refused = run("apply", tampered.toString());
        assertEquals(1, refused.code(), refused.out() + refused.err());
        assertTrue(refused.err().contains("refused plan: " + tampered), refused.err());
        assertTrue(refused.err().contains("`fake.thing.cortex`: the plan would delete it, but the stack still declares it"),
                refused.err());
        assertTrue(refused.err().contains("Nothing was applied. Run `meshform plan -f " + stack + " --kubeconfig " + cluster
                + " --out " + tampered + "` again"), refused.err());
        assertEquals(state, readState(), "the refused apply wrote nothing");
        assertEquals(objects, Files.readString(cluster), "and changed nothing in the cluster");

        // Edited into a destroy plan, the actions are ones a plan could have: preventDestroy still holds, and nothing starts.
        json.put("destroy", true);
        for (JsonNode c : json.get("resource_changes")) {
            ((tools.jackson.databind.node.ObjectNode) c).putArray("actions").add("delete");
        }
        Files.writeString(tampered, mapper.writeValueAsString(json));
        Result destroy = run("apply", tampered.toString());
        assertEquals(1, destroy.code(), destroy.out() + destroy.err());
        assertTrue(destroy.err().contains("`fake.thing.mesh` has lifecycle.preventDestroy, and this plan would destroy it"),
                destroy.err());
        assertTrue(destroy.err().contains("refused plan: " + tampered), destroy.err());
        assertTrue(destroy.err().contains("Nothing was applied."), destroy.err());
        assertEquals(state, readState(), "the refused apply wrote nothing");
        assertEquals(objects, Files.readString(cluster), "and changed nothing in the cluster");

        Result untouched = run("apply", planFile.toString());
        assertEquals(0, untouched.code(), untouched.err());
        assertTrue(untouched.out().contains("No changes."), untouched.out());
    }

    @Test
    void theCommandPrintedAfterPlanOutAppliesThePlanAsPrinted() throws IOException {
        // The saved plan names neither the stack nor the state: apply reads them again, so the printed command must.
        Path prod = Files.writeString(dir.resolve("prod.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: prod}
                variables:
                  mode: {default: STRICT}
                resources:
                  - type: fake.thing
                    name: mesh
                    spec: {mode: "${var.mode}"}
                """);
        Path state = dir.resolve("states/prod.json");
        Files.createDirectories(state.getParent());
        Path planFile = dir.resolve("prod.plan");
        Result plan = raw("plan", "-f", prod.toString(), "--state", state.toString(), "--kubeconfig", cluster.toString(),
                "--var", "mode=PERMISSIVE", "--out", planFile.toString());
        assertEquals(0, plan.code(), plan.err());
        String hint = plan.out().substring(plan.out().indexOf("Apply exactly this plan with:\n") + 30).strip();
        String command = hint.lines().findFirst().orElseThrow().strip();
        assertFalse(command.contains("PERMISSIVE"), "a --var value may be a secret: " + hint);
        assertTrue(hint.contains("the same --var values"), hint);
        assertTrue(command.startsWith("meshform apply "), command);
        List<String> args = new ArrayList<>(List.of(command.substring("meshform ".length()).split(" ")));
        args.addAll(List.of("--var", "mode=PERMISSIVE"));

        Result apply = raw(args.toArray(String[]::new));
        assertEquals(0, apply.code(), command + "\n" + apply.out() + apply.err());
        assertTrue(apply.out().contains("Apply complete! Resources: 1 added"), apply.out());
        assertTrue(Files.exists(state), "the state is where the plan read it: " + command);
        assertFalse(Files.exists(dir.resolve("meshform.state.json")));

        // Applied once, the plan is stale: the command to plan again is closed before the note about --var values,
        // which used to run inside the quotes across a line break.
        Result stale = raw(args.toArray(String[]::new));
        assertEquals(1, stale.code(), stale.out());
        assertTrue(stale.err().contains(" --out " + planFile + "` (with the same --var values as this plan, not repeated"
                + " here: a value may be a secret) and review it."), stale.err());
        assertFalse(stale.err().contains("PERMISSIVE"), stale.err());
    }

    private Result raw(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]), Map.of(), false), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String readState() {
        try {
            return Files.readString(dir.resolve("meshform.state.json"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void anInvalidStateSecretIsRefusedBeforeAnyRequest() throws IOException {
        try (java.net.ServerSocket apiServer = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: c, cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}}]
                    users: [{name: u, user: {token: t}}]
                    contexts: [{name: c, context: {cluster: c, user: u}}]
                    current-context: c
                    """.formatted(apiServer.getLocalPort()));
            Path real = dir.resolve("real.yaml");
            Files.writeString(real, """
                    apiVersion: meshform.io/v1alpha1
                    kind: Stack
                    metadata: {name: real}
                    resources:
                      - {type: kubernetes.namespace, name: apps, spec: {name: apps}}
                    """);
            for (String[] bad : new String[][] {{"Cortex_Ops/prod", "namespace \"Cortex_Ops\" is not a valid Kubernetes namespace name"},
                    {"cortex-ops/Prod.1", "state name \"Prod.1\""},
                    {"-ops/prod", "namespace \"-ops\""},
                    {"a".repeat(64) + "/prod", "64 characters, at most 63"}}) {
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                int code = Main.run(new Terminal(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                        "plan", "-f", real.toString(), "--kubeconfig", kubeconfig.toString(), "--state-secret", bad[0]);
                String e = err.toString(StandardCharsets.UTF_8);
                assertEquals(1, code, e);
                assertTrue(e.startsWith("Error: --state-secret: ") && e.contains(bad[1]), e);
                assertFalse(e.contains("Exception") || e.contains("\tat "), "no stack trace: " + e);
            }
            apiServer.setSoTimeout(200);
            assertThrows(java.net.SocketTimeoutException.class, apiServer::accept, "no request reached the API server");
        }
    }

    @Test
    void invalidFileIsOneErrorListWithPositionsAndChangesNothing() throws IOException {
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - type: fake.thing
                    name: mesh
                    spec: {mode: STRIKT}
                  - type: fake.thnig
                    name: x
                """);
        Result r = run("plan");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("meshform.yaml:7:12: error: fake.thing.mesh: spec.mode: mode must be STRICT or PERMISSIVE"), r.err());
        assertTrue(r.err().contains("did you mean `fake.thing`?"), r.err());
        assertTrue(r.err().contains("2 errors. Nothing was changed."), r.err());
        assertFalse(r.err().contains("at io.meshform"), "no stack trace");
        assertFalse(Files.exists(dir.resolve("meshform.state.json")));
    }

    @Test
    void driftReportsOutsideChangesWithExitTwoInEveryFormat() throws IOException {
        run("apply", "--auto-approve");
        Result clean = run("drift");
        assertEquals(0, clean.code(), clean.out() + clean.err());

        var objects = FileCluster.load(cluster);
        ((tools.jackson.databind.node.ObjectNode) objects.get("fake.thing.cortex").get("spec")).put("mode", "STRICT");
        FileCluster.save(cluster, objects);

        Result text = run("drift");
        assertEquals(2, text.code());
        assertTrue(text.out().contains("fake.thing.cortex: changed outside meshform"), text.out());
        assertTrue(text.out().contains("-mode: PERMISSIVE"), text.out());
        assertTrue(text.out().contains("+mode: STRICT"), text.out());

        JsonNode json = new JsonMapper().readTree(run("drift", "--format", "json").out());
        assertEquals("changed", json.at("/drift/0/kind").asString());
        assertTrue(run("drift", "--format", "markdown").out().contains("| `fake.thing.cortex` |"));
        String junit = run("drift", "--format", "junit").out();
        assertTrue(junit.contains("tests=\"2\" failures=\"1\""), junit);

        assertEquals(0, run("drift", "--ignore", "fake.thing.cortex").code());
        assertEquals(0, run("drift", "--ignore", "fake.thing.cortex:mode").code(), "the only difference is in the ignored field");
        assertEquals(2, run("drift", "--ignore", "fake.thing.cortex:other").code());
        assertEquals(1, run("drift", "--ignore", "fake.thing.cortex:").code());
        var typo = run("drift", "--ignore", "fake.thing.cortx");
        assertEquals(1, typo.code(), "a typo ignores nothing, and must not read as a check that skipped something");
        assertTrue(typo.err().contains("--ignore names `fake.thing.cortx`, which the stack does not declare and the state does not"
                + " record (did you mean `fake.thing.cortex`?)"), typo.err());
        objects.remove("fake.thing.mesh");
        FileCluster.save(cluster, objects);
        assertTrue(run("drift").out().contains("fake.thing.mesh: deleted outside meshform"));
    }

    /** What destroy --exclude leaves: a nightly drift passes by default and says so, and fails with --fail-on-pending. */
    @Test
    void driftFailsOnDestroyedDeclaredResourcesOnlyWhenAsked() {
        run("apply", "--auto-approve");
        Result destroy = run("destroy", "--auto-approve", "--exclude", "fake.thing.mesh");
        assertEquals(0, destroy.code(), destroy.out() + destroy.err());

        Result lenient = run("drift");
        assertEquals(0, lenient.code(), lenient.out() + lenient.err());
        assertTrue(lenient.out().startsWith("No drift in the 1 applied resource; 1 declared resource is not applied.\n"),
                lenient.out());

        Result strict = run("drift", "--fail-on-pending");
        assertEquals(2, strict.code(), strict.out() + strict.err());
        assertTrue(strict.out().contains("! fake.thing.cortex: declared in the stack, not applied"), strict.out());
        assertFalse(strict.out().contains("No drift"), strict.out());
        String junit = run("drift", "--fail-on-pending", "--format", "junit").out();
        assertTrue(junit.contains("tests=\"2\" failures=\"1\""), junit);
        assertEquals(0, run("drift", "--fail-on-pending", "--ignore", "fake.thing.cortex").code(),
                "a resource left out with --ignore is not pending");
    }

    @Test
    void stateCommandsListShowMoveAndForget() {
        run("apply", "--auto-approve");
        assertEquals("fake.thing.cortex\nfake.thing.mesh\n", run("state", "list").out());
        assertTrue(run("state", "show", "fake.thing.mesh").out().contains("mode: STRICT"));
        assertEquals(0, run("state", "rm", "fake.thing.cortex").code());
        assertEquals("fake.thing.mesh\n", run("state", "list").out());
        // The object still carries this state's mark, but the mark alone can be copied: forgotten by the state and by
        // every apply, it is refused like any object meshform did not make (Terraform's next plan would create it, and
        // the server refuse), and import takes it back.
        Result plan = run("plan", "--detailed-exitcode");
        assertEquals(1, plan.code(), plan.out() + plan.err());
        assertTrue(plan.err().contains("`fake.thing.cortex`: thing cortex exists, not managed by meshform"), plan.err());
        assertTrue(plan.err().contains("`meshform import fake.thing.cortex cortex`"), plan.err());
        assertEquals(0, run("import", "fake.thing.cortex", "cortex").code());
        assertEquals(0, run("plan", "--detailed-exitcode").code());
        Result mv = run("state", "mv", "fake.thing.mesh", "fake.thing.renamed");
        assertEquals(0, mv.code(), mv.err());
        assertTrue(run("state", "list").out().contains("fake.thing.renamed"));
        Result badMove = run("state", "mv", "fake.thing.renamed", "other.kind.x");
        assertEquals(1, badMove.code());
    }

    /**
     * Audit B, H1: `state mv X Y` while the stack still declares X. The plan used to show only "Y will be destroyed", and
     * apply deleted the object X declares and recorded X as present. Now the plan is refused, and nothing is deleted.
     */
    @Test
    void stateMvToAnAddressTheStackDoesNotDeclareIsRefusedNotApplied() throws IOException {
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - type: fake.thing
                    name: mongo
                    spec: {mode: PERMISSIVE, object: mongo}
                """);
        assertEquals(0, run("apply", "--auto-approve").code());
        assertEquals(0, run("state", "mv", "fake.thing.mongo", "fake.thing.mongodb").code());
        Result plan = run("plan", "--detailed-exitcode");
        assertEquals(1, plan.code(), plan.out() + plan.err());
        String said = plan.out() + plan.err();
        assertTrue(said.contains("`fake.thing.mongodb` and `fake.thing.mongo` are the same object"), said);
        assertTrue(said.contains("meshform state mv fake.thing.mongodb fake.thing.mongo"), said);
        assertFalse(said.contains("will be destroyed"), said);
        Result apply = run("apply", "--auto-approve");
        assertEquals(1, apply.code(), apply.out() + apply.err());
        assertTrue(FileCluster.load(cluster).has("object mongo"), "the object the stack declares is still there");
        assertEquals("fake.thing.mongodb\n", run("state", "list").out(), "the state is as the user left it");
        assertEquals(0, run("state", "mv", "fake.thing.mongodb", "fake.thing.mongo").code());
        assertEquals(0, run("plan", "--detailed-exitcode").code(), "the rename undone: nothing to do");
    }

    @Test
    void destroyRemovesEverythingInReverseOrder() {
        run("apply", "--auto-approve");
        Result d = run("destroy", "--auto-approve");
        assertEquals(0, d.code(), d.err());
        int cortex = d.out().indexOf("fake.thing.cortex: Destruction complete");
        int mesh = d.out().indexOf("fake.thing.mesh: Destruction complete");
        assertTrue(cortex >= 0 && mesh > cortex, d.out());
        assertEquals("", run("state", "list").out());
    }

    @Test
    void destroyWithoutATerminalSuggestsADestroyPlan() {
        run("apply", "--auto-approve");
        Result d = run("destroy");
        assertEquals(1, d.code(), d.out() + d.err());
        assertTrue(d.err().contains("destroy needs approval, and there is no terminal to ask on"), d.err());
        assertTrue(d.err().contains("`meshform plan -f " + stack + " --kubeconfig " + cluster + " --destroy --out FILE`, then `meshform"
                + " apply -f " + stack + " --kubeconfig " + cluster + " FILE`"), d.err());
        assertTrue(run("state", "list").out().contains("fake.thing.mesh"), "nothing destroyed");
    }

    @Test
    void aFailedStepNamesItsAddressOnce() {
        var address = io.meshform.engine.model.ResourceAddress.parse("istio.peerAuthentication.mongo");
        var e = new io.meshform.engine.diag.DiagnosticsException(io.meshform.engine.diag.Diagnostic.error(
                address + ": cannot apply PeerAuthentication cortex/mongo: forbidden", null, null));
        assertEquals("istio.peerAuthentication.mongo: cannot apply PeerAuthentication cortex/mongo: forbidden",
                ApplyReport.failure(address, e));
        assertEquals("istio.peerAuthentication.mongo: the server refused it", ApplyReport.failure(address,
                new IllegalStateException("the server refused it")));
    }

    @Test
    void usageErrorsExitOneNotTwoAndSuggest() {
        Result r = run("plan", "--detailed-exitcod");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--detailed-exitcode"), r.err());
        Result v = run("version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("meshform "), v.out());
    }

    @Test
    void fleetJsonIsOneDocumentAndFleetMarkdownIsRefused() {
        Result plan = run("plan", "--json", "--detailed-exitcode", "--context", "a", "--context", "b");
        assertEquals(2, plan.code(), plan.err() + plan.out());
        JsonNode doc = JsonMapper.builder().build().readTree(plan.out());
        assertEquals(2, doc.get("fleet").size(), plan.out());
        assertEquals("a", doc.get("fleet").get(0).get("context").asString());
        assertEquals(2, doc.get("fleet").get(1).get("exit_code").asInt());
        assertEquals("fake.thing.mesh", doc.get("fleet").get(1).get("result").get("resource_changes").get(0).get("address").asString());
        assertEquals(2, doc.get("exit_code").asInt());
        Result md = run("plan", "--markdown", "--context", "a", "--context", "b");
        assertEquals(1, md.code());
        assertTrue(md.err().contains("--markdown makes one pull-request comment for one cluster"), md.err());
        Result junit = run("drift", "--format", "junit", "--context", "a", "--context", "b");
        assertEquals(1, junit.code());
        assertTrue(junit.err().contains("run one cluster at a time (--context NAME) for --format junit"), junit.err());
    }

    @Test
    void graphPrintsDot() {
        Result g = run("graph");
        assertTrue(g.out().contains("\"fake.thing.cortex\" -> \"fake.thing.mesh\";"), g.out());
    }

    /**
     * A plan that found no state read the cluster while an apply created the state and its objects: it refused them as
     * "another state's" objects, sending the user after the wrong state (FaultSuiteIT's lock race met it). It plans
     * again with the state that now exists, under its lock.
     */
    @Test
    void aStateCreatedWhileAPlanReadsTheClusterIsPlannedWith() throws IOException {
        Path made = dir.resolve("made.state.json");
        assertEquals(0, run("apply", "--auto-approve", "--state", made.toString()).code());
        Path fresh = dir.resolve("fresh.state.json");
        Files.writeString(Path.of(cluster + ".onread"), made + "\n" + fresh + "\n");
        Result plan = run("plan", "--state", fresh.toString());
        assertEquals(0, plan.code(), plan.out() + plan.err());
        assertTrue(plan.out().contains("No changes."), plan.out());
        assertFalse(Files.exists(Path.of(cluster + ".onread")), "the other run wrote the state while the plan read");
    }
}

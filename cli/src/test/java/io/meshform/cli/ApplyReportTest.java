package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.apply.ApplyListener;
import io.meshform.engine.apply.ApplyResult;
import io.meshform.engine.apply.Applier;
import io.meshform.engine.load.StackLoader;
import io.meshform.engine.load.VariableInputs;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.render.Style;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.AppliedResource;
import io.meshform.engine.spi.ApplyRequest;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.Provider;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.ResourceType;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.state.StateException;
import io.meshform.state.StateSnapshot;
import io.meshform.state.StateStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The end of an apply whose state refused the steps' records. The refusal is a NotRecordedException only the engine
 * builds, so the run goes through the engine, with a state that takes its first write and refuses the next ones.
 */
class ApplyReportTest {
    @TempDir
    Path dir;

    /** A step that only waited (an owed wait: nothing in the object changed) is no change: "1 waited for", not "1 changed". */
    @Test
    void aStepThatOnlyWaitedIsCountedAsWaitedForNotChanged() {
        JsonNode value = tools.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("x", "1");
        var waited = new io.meshform.engine.plan.ResourceChange(ResourceAddress.parse("kubernetes.manifest.gate"),
                Action.UPDATE, "owed wait", value, value, List.of(), List.of(), Map.of(PlannedChange.WAIT_ONLY, "true"), "1",
                List.of());
        var updated = new io.meshform.engine.plan.ResourceChange(ResourceAddress.parse("kubernetes.manifest.cm"),
                Action.UPDATE, "data changed", value, value, List.of(), List.of(), Map.of(), "1", List.of());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code = new ApplyReport(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false), false)
                .print(new ApplyResult(List.of(waited, updated), Map.of(), List.of(), false, StateSnapshot.empty("t")),
                        Style.plain());
        assertEquals(ExitCodes.OK, code);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("Apply complete! Resources: 0 added, 1 changed, 0 destroyed, 1 waited for."), text);
    }

    @Test
    void aFullLocalDiskSaysToFreeSpaceNotToCheckCredentials() throws Exception {
        String out = reportOfStateRefusing(new StateException("could not write state file /st/state.json: no space left"
                + " on device", new FileSystemException("/st/.state.json.tmp-1", null, "No space left on device")));
        assertTrue(out.contains("the next apply records them once the state can be written (free space on the file "
                + "system that holds /st)."), out);
        assertFalse(out.contains("credentials"), out);
    }

    @Test
    void aReadOnlyLocalStateSaysTheMountIsReadOnly() throws Exception {
        String out = reportOfStateRefusing(new StateException("could not write state file /st/state.json: read-only file"
                + " system", new FileSystemException("/st/.state.json.tmp-1", null, "Read-only file system")));
        assertTrue(out.contains("(make the file system that holds /st writable (it is mounted read-only), or move the "
                + "state)."), out);
    }

    @Test
    void aRefusalWhoseCauseIsUnknownPointsAtTheReasonAboveAndGuessesNothing() throws Exception {
        String out = reportOfStateRefusing(new StateException("the state store broke"));
        assertTrue(out.contains("once the state can be written (fix the cause above)."), out);
        assertFalse(out.contains("credentials"), out);
    }

    @Test
    void aStateSecretTheCredentialsMayNotUpdateSaysWhichRuleToGrant() throws Exception {
        String out = reportOfStateRefusing(new StateException("could not write state in Kubernetes Secret ns/x: "
                + "forbidden (HTTP 403)", null, "let the credentials get, create and update Secrets in namespace ns"));
        assertTrue(out.contains("once the state can be written (let the credentials get, create and update Secrets in"
                + " namespace ns)."), out);
    }

    @Test
    void adviceTheRefusalAlreadyCarriesIsPrintedOnce() throws Exception {
        String advice = io.meshform.state.ServerCertificateRefused.ADVICE;
        String out = reportOfStateRefusing(new StateException("could not write state in Kubernetes Secret ns/x: the API"
                + " server's TLS certificate is not signed by a CA meshform trusts for it\n" + advice, null, advice));
        assertEquals(out.indexOf(advice), out.lastIndexOf(advice), out);
        assertTrue(out.contains("once the state can be written (fix the cause above)."), out);
    }

    /** Applies a and then b (b after a) against a state that refuses every write after the first; returns stderr. */
    private String reportOfStateRefusing(StateException refusal) throws Exception {
        TypeRegistry types = new TypeRegistry(List.of(new ThingProvider()));
        Path file = dir.resolve("stack.yaml");
        Files.writeString(file, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: test}
                resources:
                  - {type: test.thing, name: a}
                  - {type: test.thing, name: b, dependsOn: [test.thing.a]}
                """);
        Stack stack = new StackLoader(types).load(file, VariableInputs.none()).stack();
        Plan plan = new Planner(types, "t").plan(stack, StateSnapshot.empty("t"), PlanOptions.defaults());
        ApplyResult result = new Applier(types, 1, ApplyListener.NONE)
                .apply(stack, plan, StateSnapshot.empty("t"), new RefusingAfterFirstWrite(refusal), new AtomicBoolean());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code = new ApplyReport(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false), false)
                .print(result, Style.plain());
        assertEquals(ExitCodes.ERROR, code);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("not recorded: test.thing.a (created in the cluster)"), text);
        return text;
    }

    private static final class RefusingAfterFirstWrite implements StateStore {
        private final StateException refusal;
        private final AtomicInteger writes = new AtomicInteger();
        private StateSnapshot last;

        RefusingAfterFirstWrite(StateException refusal) {
            this.refusal = refusal;
        }

        @Override
        public Optional<StateSnapshot> read() {
            return Optional.ofNullable(last);
        }

        @Override
        public StateSnapshot write(StateSnapshot s) {
            if (writes.getAndIncrement() > 0) {
                throw refusal;
            }
            last = new StateSnapshot(StateSnapshot.CURRENT_FORMAT_VERSION, s.serial() + 1, s.lineage(), s.meshformVersion(),
                    s.resources(), s.stack(), s.creating(), s.deposed());
            return last;
        }

        @Override
        public String describe() {
            return "a state that takes one write";
        }
    }

    /** One type whose objects are always created, and always succeed: the state is what fails here. */
    private static final class ThingProvider implements Provider, ResourceType {
        @Override
        public String name() {
            return "test.thing";
        }

        @Override
        public List<ResourceType> resourceTypes() {
            return List.of(this);
        }

        @Override
        public List<FieldProblem> validate(JsonNode spec) {
            return List.of();
        }

        @Override
        public Map<ResourceAddress, LiveObject> read(ReadRequest request) {
            return Map.of();
        }

        @Override
        public PlannedChange plan(PlanRequest request) {
            return PlannedChange.of(Action.CREATE, "declared, not in the cluster", null, request.desired());
        }

        @Override
        public AppliedResource apply(ApplyRequest request) {
            return new AppliedResource(request.desired(), Map.of());
        }

        @Override
        public void delete(DeleteRequest request) {
        }
    }
}

package io.meshform.engine.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.apply.Applier;
import io.meshform.engine.apply.ApplyListener;
import io.meshform.engine.load.StackLoader;
import io.meshform.engine.load.VariableInputs;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.render.DriftFormats;
import io.meshform.engine.render.Style;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.AppliedResource;
import io.meshform.engine.spi.ApplyRequest;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.Provider;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.ResourceType;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.MemoryStateStore;
import io.meshform.state.StateSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A sensitive value rotated in the stack and not applied yet: the state knows the applied value only by its digest,
 * so drift can check every part of a rendering type but those the value reaches. It says so (not checked, not drift),
 * counts it in the verdict, fails on it with {@code --fail-on-pending}, still reports a hand change to a checked part,
 * and prints neither value. The fake type renders as {@code istio.install} does: it is given the stack's value
 * ({@link PlanRequest#rotated}) and leaves the field it reaches out of the comparison.
 */
class RotatedValueDriftTest {
    private static final String APPLIED = "proxy-token-5d1e7a";
    private static final String ROTATED = "rotated-token-77c0f1";
    private static final ResourceAddress MESH = ResourceAddress.parse("test.rendered.mesh");

    @TempDir
    Path dir;

    private final Map<ResourceAddress, String> rendered = new ConcurrentHashMap<>();
    private final InMemoryCluster things = new InMemoryCluster();
    private final TypeRegistry types = new TypeRegistry(List.of(things, new Renderer()));

    private Stack load(String token) throws IOException {
        Path file = dir.resolve("stack.yaml");
        Files.writeString(file, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: test}
                variables:
                  token: {type: string, sensitive: true}
                resources:
                  - type: test.rendered
                    name: mesh
                    spec: {mode: STRICT, proxyMetadata: {AUTH_TOKEN: "${var.token}"}}
                  - type: test.thing
                    name: plain
                    spec: {value: "1"}
                """);
        return new StackLoader(types).load(file, new VariableInputs(Map.of(), List.of(), Map.of("token", token))).stack();
    }

    private StateSnapshot apply(Stack stack) {
        MemoryStateStore store = new MemoryStateStore();
        StateSnapshot empty = StateSnapshot.empty("test");
        new Applier(types, 1, ApplyListener.NONE).apply(stack, new Planner(types, "test").plan(stack, empty, PlanOptions.defaults()),
                empty, store, new AtomicBoolean());
        return store.read().orElseThrow();
    }

    private DriftReport rotatedDrift() throws IOException {
        StateSnapshot state = apply(load(APPLIED));
        return new DriftDetector(types).detect(load(ROTATED), state, List.of());
    }

    private static String render(DriftReport r, String format) {
        return new DriftFormats().render(r, format, Style.plain());
    }

    private static String everyFormat(DriftReport r) {
        StringBuilder out = new StringBuilder();
        DriftFormats.NAMES.forEach(f -> out.append(render(r, f)).append('\n'));
        return out.toString();
    }

    private static void noValue(String all) {
        assertFalse(all.contains(APPLIED), all);
        assertFalse(all.contains(ROTATED), all);
    }

    @Test
    void theRotatedValueIsNotCheckedAndSaidSoNotDrift() throws IOException {
        DriftReport r = rotatedDrift();
        String all = everyFormat(r);
        assertEquals(List.of(), r.entries(), all);
        assertFalse(r.failed(), all);
        assertEquals(1, r.notChecked().size(), all);
        NotChecked n = r.notChecked().get(0);
        assertEquals(MESH, n.address());
        assertEquals("the stack's value of proxyMetadata.AUTH_TOKEN is not the one applied (the state"
                + " records only its digest); apply it, then drift can check it", n.summary());
        assertEquals(List.of(PlanDetail.Kind.UNCHECKED), n.parts().stream().map(PlanDetail::kind).distinct().toList());
        String text = render(r, "text");
        assertEquals("No drift in what was checked of the 2 applied resources; 1 resource is not checked in full.",
                text.lines().findFirst().orElseThrow(), text);
        assertTrue(text.contains("  ? test.rendered.mesh: the stack's value of proxyMetadata.AUTH_TOKEN"
                + " is not the one applied"), text);
        assertTrue(text.contains("      ? config (proxyMetadata.AUTH_TOKEN)"), text);
        assertFalse(text.contains("matches what meshform applied") || text.contains("match what meshform applied"), text);
        assertTrue(render(r, "markdown").contains("No drift in what was checked of the 2 applied resources; 1 resource is"
                + " not checked in full."), render(r, "markdown"));
        String json = render(r, "json");
        assertTrue(json.contains("\"failed\" : false") && json.contains("\"not_checked\" : [ {")
                && json.contains("\"address\" : \"test.rendered.mesh\""), json);
        String xml = render(r, "junit");
        assertTrue(xml.contains("failures=\"0\"") && xml.contains("skipped=\"1\"")
                && xml.contains("<skipped message=\"not checked in full: the stack's value"), xml);
        noValue(all);
    }

    @Test
    void withFailOnPendingWhatWasNotCheckedFailsEveryFormat() throws IOException {
        DriftReport r = rotatedDrift().withFailOnPending(true);
        assertTrue(r.failed());
        assertFalse(r.driftFound());
        String text = render(r, "text");
        assertTrue(text.startsWith("Not checked in full in stack `test` (--fail-on-pending):\n\n"), text);
        assertTrue(text.contains("\n1 resource is not checked in full (--fail-on-pending); no drift in what was checked.\n"), text);
        for (String format : DriftFormats.NAMES) {
            assertFalse(render(r, format).contains("No drift"), format + ":\n" + render(r, format));
        }
        assertTrue(render(r, "markdown").contains("| `test.rendered.mesh` | not checked in full: the stack's value of"),
                render(r, "markdown"));
        assertTrue(render(r, "json").contains("\"failed\" : true"), render(r, "json"));
        String xml = render(r, "junit");
        assertTrue(xml.contains("failures=\"1\"") && xml.contains("skipped=\"0\"") && xml.contains("type=\"not_checked\""), xml);
        noValue(everyFormat(r));
    }

    @Test
    void aHandChangeToACheckedPartIsStillDrift() throws IOException {
        StateSnapshot state = apply(load(APPLIED));
        rendered.put(MESH, rendered.get(MESH).replace("mode=STRICT", "mode=PERMISSIVE"));
        DriftReport r = new DriftDetector(types).detect(load(ROTATED), state, List.of());
        String all = everyFormat(r);
        assertEquals(1, r.entries().size(), all);
        assertEquals(MESH, r.entries().get(0).address());
        assertTrue(r.entries().get(0).details().stream().noneMatch(d -> d.kind() == PlanDetail.Kind.UNCHECKED), all);
        assertEquals(1, r.notChecked().size(), all);
        assertTrue(render(r, "text").contains("\nDrift: 1 finding in 2 resources checked; 1 resource is not checked in full"
                + " (not drift).\n"), render(r, "text"));
        noValue(all);
    }

    @Test
    void theSameValueAsAppliedIsCheckedInFull() throws IOException {
        StateSnapshot state = apply(load(APPLIED));
        DriftReport r = new DriftDetector(types).detect(load(APPLIED), state, List.of());
        assertEquals(List.of(), r.notChecked(), everyFormat(r));
        assertEquals("No drift. 2 resources match what meshform applied.\n", render(r, "text"));
    }

    /**
     * The stack no longer gives the value (the variable and the field removed) while the cluster still holds the one
     * applied: drift knows it only by its digest, and comparing the digest with the cluster reported "changed outside
     * meshform" of an install exactly as applied. It is not checked, said so with what apply does, and never printed.
     */
    @Test
    void aValueTheStackNoLongerGivesIsNotCheckedNotDrift() throws IOException {
        StateSnapshot state = apply(load(APPLIED));
        Path file = dir.resolve("without.yaml");
        Files.writeString(file, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: test}
                resources:
                  - type: test.rendered
                    name: mesh
                    spec: {mode: STRICT}
                  - type: test.thing
                    name: plain
                    spec: {value: "1"}
                """);
        Stack without = new StackLoader(types).load(file, new VariableInputs(Map.of(), List.of(), Map.of())).stack();
        DriftReport r = new DriftDetector(types).detect(without, state, List.of());
        String all = everyFormat(r);
        assertEquals(List.of(), r.entries(), all);
        assertEquals(1, r.notChecked().size(), all);
        assertEquals("the stack no longer gives proxyMetadata.AUTH_TOKEN, applied as a sensitive value the state records"
                + " only by its digest; apply, which removes it, then drift can check it", r.notChecked().get(0).summary());
        assertTrue(r.withFailOnPending(true).failed(), all);
        noValue(all);

        // A hand change to a part the value does not reach is still drift.
        rendered.put(MESH, rendered.get(MESH).replace("mode=STRICT", "mode=PERMISSIVE"));
        DriftReport changed = new DriftDetector(types).detect(without, state, List.of());
        assertEquals(1, changed.entries().size(), everyFormat(changed));
        assertEquals(1, changed.notChecked().size(), everyFormat(changed));
        noValue(everyFormat(changed));
    }

    /**
     * A fake {@code istio.install}: the live object is a render of the spec; plan renders the desired spec, with the
     * stack's value where the request says a value was rotated, and leaves what that value reaches out of the
     * comparison, naming it as not checked (and quoting its render there, as a careless type might: the engine redacts).
     */
    private final class Renderer implements Provider, ResourceType {
        @Override
        public String name() {
            return "test.rendered";
        }

        @Override
        public List<ResourceType> resourceTypes() {
            return List.of(this);
        }

        @Override
        public List<FieldProblem> validate(JsonNode spec) {
            return List.of();
        }

        private String render(JsonNode spec) {
            return "mode=" + spec.path("mode").asString() + ";AUTH_TOKEN=" + spec.at("/proxyMetadata/AUTH_TOKEN").asString();
        }

        @Override
        public Map<ResourceAddress, LiveObject> read(ReadRequest request) {
            Map<ResourceAddress, LiveObject> out = new LinkedHashMap<>();
            for (ResourceRef r : request.resources()) {
                String config = rendered.get(r.address());
                if (config != null) {
                    out.put(r.address(), new LiveObject(r.spec().deepCopy(), "1", config));
                }
            }
            return out;
        }

        @Override
        public PlannedChange plan(PlanRequest request) {
            if (request.live() == null) {
                return PlannedChange.of(Action.CREATE, "not rendered yet", null, request.desired());
            }
            ObjectNode spec = (ObjectNode) request.desired().deepCopy();
            List<PlanDetail> details = new ArrayList<>();
            JsonNode rotated = request.rotated().get("/proxyMetadata/AUTH_TOKEN");
            if (rotated != null) {
                // A value the stack no longer gives is rendered as the install does, with a probe: the digest as is.
                if (!rotated.isMissingNode()) {
                    ((ObjectNode) spec.get("proxyMetadata")).set("AUTH_TOKEN", rotated);
                }
                details.add(PlanDetail.unchecked("config (proxyMetadata.AUTH_TOKEN), rendered as " + render(spec)));
            }
            String want = render(spec);
            String have = request.live().data(String.class).orElseThrow();
            String wantMode = want.substring(0, want.indexOf(';'));
            String haveMode = have.substring(0, have.indexOf(';'));
            boolean tokenDiffers = rotated == null && !want.equals(have);
            JsonNode before = request.recorded().attributes();
            if (!wantMode.equals(haveMode) || tokenDiffers) {
                details.add(PlanDetail.change("config (" + (tokenDiffers ? "proxyMetadata.AUTH_TOKEN" : "mode") + ")"));
                return new PlannedChange(Action.UPDATE, "config differs", before, request.desired(), details, List.of(), Map.of());
            }
            return new PlannedChange(Action.NOOP, "the render matches", before, request.desired(), details, List.of(), Map.of());
        }

        @Override
        public AppliedResource apply(ApplyRequest request) {
            rendered.put(request.address(), render(request.desired()));
            return new AppliedResource(request.desired().deepCopy(), Map.of());
        }

        @Override
        public void delete(DeleteRequest request) {
            rendered.remove(request.address());
        }

        @Override
        public Set<String> sensitivePaths() {
            return Set.of();
        }
    }
}

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
import io.meshform.engine.plan.Sensitive;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Drift of a resource that holds a sensitive variable's value compares the cluster with what was applied, although the
 * state keeps only the value's digest: no drift right after an apply, drift (masked) when the value is changed by hand.
 * Both kinds of type: one that renders its spec into another object and compares the render ({@code test.rendered},
 * as {@code istio.install} renders its meshConfig into the {@code istio} ConfigMap with istioctl), and one whose live
 * object has the spec's shape ({@code test.secret}, as a {@code kubernetes.manifest} Secret).
 */
class SensitiveDriftTest {
    private static final String SECRET = "proxy-token-5d1e7a";
    private static final String BY_HAND = "typed-by-hand-93b2";

    @TempDir
    Path dir;

    /** Rendered configs, by address: the object a {@code test.rendered} resource makes in the "cluster". */
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
                  - type: test.secret
                    name: db
                    spec: {user: cortex, password: "${var.token}"}
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

    private DriftReport drift(Stack stack, StateSnapshot state) {
        return new DriftDetector(types).detect(stack, state, List.of());
    }

    /** As {@link #drift}, with the checks added to {@code things} since the registry was made. */
    private DriftReport driftWithChecks(Stack stack, StateSnapshot state) {
        return new DriftDetector(new TypeRegistry(List.of(things, new Renderer()))).detect(stack, state, List.of());
    }

    private static String everyFormat(DriftReport r) {
        StringBuilder out = new StringBuilder();
        for (String format : DriftFormats.NAMES) {
            out.append(new DriftFormats().render(r, format, Style.plain())).append('\n');
        }
        return out.toString();
    }

    @Test
    void theStateKeepsOnlyDigestsSoTheTestBelowIsAboutThem() throws IOException {
        StateSnapshot state = apply(load(SECRET));
        String recorded = state.resources().toString();
        assertFalse(recorded.contains(SECRET), recorded);
        assertTrue(Sensitive.isDigest(state.find(ResourceAddress.parse("test.rendered.mesh")).orElseThrow().attributes()
                .at("/proxyMetadata/AUTH_TOKEN")), recorded);
    }

    @Test
    void rightAfterAnApplyThereIsNoDrift() throws IOException {
        Stack stack = load(SECRET);
        DriftReport r = drift(stack, apply(stack));
        assertEquals(List.of(), r.entries(), everyFormat(r));
        assertFalse(r.driftFound());
    }

    @Test
    void aValueChangedByHandInTheRenderIsDriftWithoutEitherValue() throws IOException {
        Stack stack = load(SECRET);
        StateSnapshot state = apply(stack);
        ResourceAddress mesh = ResourceAddress.parse("test.rendered.mesh");
        rendered.put(mesh, rendered.get(mesh).replace(SECRET, BY_HAND));
        DriftReport r = drift(stack, state);
        assertEquals(1, r.entries().size(), everyFormat(r));
        DriftEntry e = r.entries().get(0);
        assertEquals(mesh, e.address());
        assertEquals(DriftKind.CHANGED, e.kind());
        String all = everyFormat(r);
        assertTrue(all.contains("config (proxyMetadata.AUTH_TOKEN)"), all);
        assertFalse(all.contains(SECRET), all);
        assertFalse(all.contains(BY_HAND), all);
    }

    @Test
    void aValueChangedByHandInASpecShapedObjectIsDriftShownAsChanged() throws IOException {
        Stack stack = load(SECRET);
        StateSnapshot state = apply(stack);
        ResourceAddress db = ResourceAddress.parse("test.secret.db");
        things.put(db, new tools.jackson.databind.ObjectMapper().readTree(
                "{\"user\": \"cortex\", \"password\": \"" + BY_HAND + "\"}"));
        DriftReport r = drift(stack, state);
        assertEquals(1, r.entries().size(), everyFormat(r));
        assertEquals(db, r.entries().get(0).address());
        assertEquals(Sensitive.CHANGED, r.entries().get(0).live().path("password").asString(), everyFormat(r));
        String all = everyFormat(r);
        assertFalse(all.contains(SECRET), all);
        assertFalse(all.contains(BY_HAND), all);
    }

    /**
     * The stack now gives another value, not applied yet: the applied value is not known in clear, so the live value
     * is digested and compared with the recorded digest. The object whose live value has the spec's shape is not drift.
     */
    @Test
    void aNewValueInTheStackIsNotDriftOfASpecShapedObject() throws IOException {
        StateSnapshot state = apply(load(SECRET));
        DriftReport r = drift(load("rotated-in-the-stack-1"), state);
        assertFalse(r.entries().stream().anyMatch(e -> e.address().type().equals("test.secret")), everyFormat(r));
        assertFalse(everyFormat(r).contains("rotated-in-the-stack-1"), everyFormat(r));
    }

    /**
     * Drift's checks read the applied value from the state, a digest, and could not judge it even where the stack gives
     * that very value. They are given it in clear now, and what they say of it is masked as a plan's output is.
     */
    @Test
    void theChecksJudgeASensitiveValueTheStackStillGivesAndNeverQuoteIt() throws IOException {
        Stack stack = load(SECRET);
        StateSnapshot state = apply(stack);
        ResourceAddress db = ResourceAddress.parse("test.secret.db");
        String[] seen = new String[1];
        things.addCheck("quotes", ctx -> {
            seen[0] = ctx.after().get(db).path("password").asString();
            return List.of(io.meshform.engine.diag.Diagnostic.warning("the password " + seen[0] + " is weak",
                    "\"" + seen[0] + "\" is too short", null));
        });
        DriftReport r = driftWithChecks(stack, state);
        assertEquals(SECRET, seen[0], "the stack gives the value applied: the check judges it");
        String all = everyFormat(r);
        assertTrue(all.contains("the password (sensitive) is weak"), all);
        assertFalse(all.contains(SECRET), all);
    }

    /** A value rotated in the stack and not applied: the applied value is unknown, the check is given its digest. */
    @Test
    void theChecksGetADigestWhoseValueTheStackNoLongerGives() throws IOException {
        StateSnapshot state = apply(load(SECRET));
        ResourceAddress db = ResourceAddress.parse("test.secret.db");
        String[] seen = new String[1];
        things.addCheck("quotes", ctx -> {
            seen[0] = ctx.after().get(db).path("password").asString();
            return List.of(io.meshform.engine.diag.Diagnostic.warning("the stack gives "
                    + ctx.stack().find(db).orElseThrow().spec().path("password").asString(), "", null));
        });
        DriftReport r = driftWithChecks(load("rotated-in-the-stack-1"), state);
        assertEquals(state.find(db).orElseThrow().attributes().path("password").asString(), seen[0]);
        assertTrue(Sensitive.isDigest(state.find(db).orElseThrow().attributes().path("password")));
        assertFalse(everyFormat(r).contains("rotated-in-the-stack-1"), everyFormat(r));
    }

    /**
     * A fake {@code istio.install}: applying renders the spec into one "config" text (the render holds the values in
     * clear, as the mesh ConfigMap does); reading gives back the spec it was asked about, with the live render as
     * data; planning renders the desired spec and compares the two renders, naming the field that differs and quoting
     * its render of the desired spec in a detail (as a server message may quote what it was sent). Like istio.install,
     * it never quotes the live render: the engine cannot mask a value it was never given.
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
            String want = render(request.desired());
            String have = request.live().data(String.class).orElseThrow();
            JsonNode before = request.recorded() == null ? request.live().value() : request.recorded().attributes();
            if (want.equals(have)) {
                return PlannedChange.of(Action.NOOP, "the render matches", before, request.desired());
            }
            String field = want.startsWith(have.substring(0, have.indexOf(';'))) ? "proxyMetadata.AUTH_TOKEN" : "mode";
            return new PlannedChange(Action.UPDATE, "config (" + field + ")", before, request.desired(),
                    List.of(PlanDetail.change("config (" + field + "), rendered as " + want)), List.of(), Map.of());
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

package io.meshform.engine.testing;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.AppliedResource;
import io.meshform.engine.spi.ApplyRequest;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.Provider;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.ResourceType;
import io.meshform.engine.spi.TypeRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;

/**
 * A fake cluster for engine tests: type {@code test.thing} stores its spec as the live object, type
 * {@code test.secret} marks {@code /password} sensitive, type {@code test.serial} runs its steps one at a time. An object is found by its resource's address, or by the
 * spec's {@code object} field when it has one (so two addresses can name one object, as two Kubernetes resources can). It records every operation, counts reads, and
 * fails on demand, so tests can assert order and failure handling in domain words.
 */
public final class InMemoryCluster implements Provider {
    private final Map<String, JsonNode> objects = new ConcurrentHashMap<>();
    private final Map<String, Integer> versions = new ConcurrentHashMap<>();
    /** meshform's mark on the objects apply made (lineage, address); objects put by a test are hand-made. */
    private final Map<String, String> marks = new ConcurrentHashMap<>();
    private final Map<String, ResourceAddress> markedAddresses = new ConcurrentHashMap<>();
    private final List<String> history = Collections.synchronizedList(new ArrayList<>());
    private final Set<ResourceAddress> failing = ConcurrentHashMap.newKeySet();
    private final Set<ResourceAddress> failingDeletes = ConcurrentHashMap.newKeySet();
    private final List<Integer> readBatchSizes = Collections.synchronizedList(new ArrayList<>());
    private final List<PlanCheck> checks = new ArrayList<>();
    /** The run context each plan request came with, in the order they came. */
    private final List<io.meshform.engine.spi.StackContext> planContexts = Collections.synchronizedList(new ArrayList<>());
    private volatile java.util.function.Consumer<ResourceAddress> beforeApply = a -> { };
    private volatile Runnable beforeRead = () -> { };

    public TypeRegistry registry() {
        return new TypeRegistry(List.of(this));
    }

    @Override
    public String name() {
        return "test";
    }

    @Override
    public List<ResourceType> resourceTypes() {
        return List.of(new Thing("test.thing", Set.of(), null), new Thing("test.secret", Set.of("/password"), null),
                new Thing(SERIAL, Set.of(), SERIAL_WHY));
    }

    @Override
    public List<PlanCheck> checks() {
        return checks;
    }

    /** The run context of every plan request so far. */
    public List<io.meshform.engine.spi.StackContext> planContexts() {
        synchronized (planContexts) {
            return List.copyOf(planContexts);
        }
    }

    public void addCheck(PlanCheck check) {
        checks.add(check);
    }

    /** Adds a check named {@code name} whose answer is {@code body}'s. */
    public void addCheck(String name, java.util.function.Function<CheckContext, List<io.meshform.engine.diag.Diagnostic>> body) {
        checks.add(check(name, body));
    }

    /** A check named {@code name} whose answer is {@code body}'s. */
    public static PlanCheck check(String name, java.util.function.Function<CheckContext, List<io.meshform.engine.diag.Diagnostic>> body) {
        return new PlanCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<io.meshform.engine.diag.Diagnostic> check(CheckContext context) {
                return body.apply(context);
            }
        };
    }

    /**
     * Waits up to 10 s for {@code latch}: true when it opened. For checks that prove they ran at the same time as
     * another (one after the other, the wait runs out).
     */
    public static boolean awaitOther(java.util.concurrent.CountDownLatch latch) {
        try {
            return latch.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Which object a resource's spec names: its {@code object} field, else the resource's address. */
    private static String key(ResourceAddress a, JsonNode spec) {
        return spec != null && spec.has("object") ? "object " + spec.get("object").asString() : a.toString();
    }

    /** Puts an object as someone else would: without meshform's mark. */
    public void put(ResourceAddress a, JsonNode value) {
        String k = key(a, value);
        objects.put(k, value);
        versions.merge(k, 1, Integer::sum);
        marks.remove(k);
    }

    /** The lineage in the mark of {@code a}'s object, or null. */
    public String mark(ResourceAddress a) {
        return marks.get(a.toString());
    }

    public JsonNode get(ResourceAddress a) {
        return objects.get(a.toString());
    }

    /** The object a spec's {@code object} field names, or null when there is none. */
    public JsonNode object(String name) {
        return objects.get("object " + name);
    }

    /** Every object in the cluster, as {@code object NAME} (or the address of one without an object field). */
    public Set<String> objectKeys() {
        return Set.copyOf(objects.keySet());
    }

    /** The key {@link #objectKeys} lists the object of {@code a} with {@code spec} under. */
    public static String objectKey(ResourceAddress a, JsonNode spec) {
        return key(a, spec);
    }

    /** Deletes the object named {@code name} as someone else would. */
    public void removeObject(String name) {
        objects.remove("object " + name);
    }

    public void remove(ResourceAddress a) {
        objects.remove(a.toString());
    }

    /** Runs inside every apply, before the object is stored (on the applier's thread): tests block or count there. */
    public void beforeApply(java.util.function.Consumer<ResourceAddress> hook) {
        this.beforeApply = hook;
    }

    /** Runs inside every read, before anything is read (on the reading thread): tests block or fail there. */
    public void beforeRead(Runnable hook) {
        this.beforeRead = hook;
    }

    /**
     * A check named {@code name} that may start before the run's reads have ended, once {@code event} happens
     * ({@link PlanCheck#earlyStart}), as istioctl analyze does once the cluster has answered.
     */
    public static PlanCheck earlyCheck(String name, java.util.concurrent.CompletionStage<?> event,
                                       java.util.function.Function<CheckContext, List<io.meshform.engine.diag.Diagnostic>> body) {
        PlanCheck plain = check(name, body);
        return new PlanCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public java.util.Optional<java.util.concurrent.CompletionStage<?>> earlyStart() {
                return java.util.Optional.of(event);
            }

            @Override
            public List<io.meshform.engine.diag.Diagnostic> check(CheckContext context) {
                return plain.check(context);
            }
        };
    }

    /** The next delete of {@code a} fails, as a finalizer or an admission webhook refuses one; applies still succeed. */
    public void failDeleteOn(ResourceAddress a) {
        failingDeletes.add(a);
    }

    public void failOn(ResourceAddress a) {
        failing.add(a);
    }

    public List<String> history() {
        return List.copyOf(history);
    }

    public List<Integer> readBatchSizes() {
        return List.copyOf(readBatchSizes);
    }

    /** A check that warns about every declared thing whose spec has {@code risky: true}. */
    public static PlanCheck riskyCheck() {
        return new PlanCheck() {
            @Override
            public String name() {
                return "risky";
            }

            @Override
            public List<io.meshform.engine.diag.Diagnostic> check(CheckContext context) {
                List<io.meshform.engine.diag.Diagnostic> out = new ArrayList<>();
                for (ResourceDecl d : context.declared("test.thing")) {
                    if (context.after().get(d.address()).path("risky").asBoolean(false)) {
                        out.add(io.meshform.engine.diag.Diagnostic.warning(d.address() + " is risky",
                                "set risky: false", d.source().range("/spec/risky")));
                    }
                }
                return out;
            }
        };
    }

    /** A type whose steps run one at a time ({@link ResourceType#oneAtATime}), as istio.install's do. */
    public static final String SERIAL = "test.serial";
    public static final String SERIAL_WHY = "two of them at once would race";

    private final class Thing implements ResourceType {
        private final String name;
        private final Set<String> sensitive;
        private final String oneAtATime;

        Thing(String name, Set<String> sensitive, String oneAtATime) {
            this.name = name;
            this.sensitive = sensitive;
            this.oneAtATime = oneAtATime;
        }

        @Override
        public java.util.Optional<String> oneAtATime() {
            return java.util.Optional.ofNullable(oneAtATime);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<FieldProblem> validate(JsonNode spec) {
            List<FieldProblem> out = new ArrayList<>();
            if (spec.has("value") && !spec.get("value").isString()) {
                out.add(FieldProblem.error("/value", "must be a string", "quote it"));
            }
            return out;
        }

        @Override
        public Set<ResourceAddress> implicitDependencies(ResourceDecl resource, Stack stack) {
            Set<ResourceAddress> deps = new HashSet<>();
            String after = resource.spec().path("after").asString(null);
            if (after != null) {
                deps.add(ResourceAddress.parse(after));
            }
            return deps;
        }

        @Override
        public Map<ResourceAddress, LiveObject> read(ReadRequest request) {
            beforeRead.run();
            List<ResourceRef> refs = request.resources();
            readBatchSizes.add(refs.size());
            Map<ResourceAddress, LiveObject> out = new LinkedHashMap<>();
            for (ResourceRef r : refs) {
                String k = key(r.address(), r.spec());
                JsonNode v = objects.get(k);
                if (v != null) {
                    String lineage = marks.get(k);
                    String name = r.spec().has("object") ? r.spec().get("object").asString() : r.address().name();
                    out.put(r.address(), new LiveObject(v, String.valueOf(versions.get(k))).withOwnership((lineage == null
                            ? io.meshform.engine.spi.Ownership.unmarked("thing " + name, name)
                            : io.meshform.engine.spi.Ownership.marked(lineage, markedAddresses.get(k).toString(), "thing " + name,
                                    name)).withKey(k)));
                }
            }
            return out;
        }

        @Override
        public PlannedChange plan(PlanRequest request) {
            planContexts.add(request.context());
            if (request.desired().has("refuse")) {
                // A provider's refusal of one resource, as kubernetes.labels refuses a namespace that does not exist.
                throw new io.meshform.engine.diag.DiagnosticsException(io.meshform.engine.diag.Diagnostic.error(
                        request.address() + ": " + request.desired().get("refuse").asString(), null, null));
            }
            if (request.desired().has("warn")) {
                // A type-level warning on the change itself, as istio.install gives for a skipped minor upgrade.
                return new PlannedChange(request.live() == null ? Action.CREATE : Action.UPDATE, "declared with a warning",
                        request.live() == null ? null : request.live().value(), request.desired(), List.of(),
                        List.of(request.desired().get("warn").asString()), Map.of());
            }
            if (request.recorded() != null
                    && !key(request.address(), request.recorded().attributes()).equals(key(request.address(), request.desired()))) {
                // Moved to another object, as a policy moved to another namespace: the old one is a different object.
                return PlannedChange.of(Action.REPLACE, "moved", request.recorded().attributes(), request.desired())
                        .createdBeforeDeleted();
            }
            if (request.live() == null) {
                return PlannedChange.of(Action.CREATE, "declared, not in the cluster", null, request.desired());
            }
            if (request.live().value().equals(request.desired())) {
                return PlannedChange.of(Action.NOOP, "up to date", request.live().value(), request.desired());
            }
            return PlannedChange.of(Action.UPDATE, "spec differs from the live object", request.live().value(), request.desired());
        }

        @Override
        public AppliedResource apply(ApplyRequest request) {
            if (failing.contains(request.address())) {
                history.add("fail " + request.address());
                throw new IllegalStateException("the cluster refused " + request.address());
            }
            beforeApply.accept(request.address());
            history.add((request.recorded() == null ? "create " : "update ") + request.address());
            String k = key(request.address(), request.desired());
            objects.put(k, request.desired());
            versions.merge(k, 1, Integer::sum);
            if (request.lineage() != null) {
                marks.put(k, request.lineage());
                markedAddresses.put(k, request.address());
            }
            return new AppliedResource(request.desired(), Map.of("version", String.valueOf(versions.get(k))));
        }

        @Override
        public void delete(DeleteRequest request) {
            if (failingDeletes.remove(request.address())) {
                history.add("fail delete " + request.address());
                throw new IllegalStateException("the cluster refused to delete " + request.address());
            }
            history.add("delete " + request.address());
            objects.remove(key(request.address(), request.recorded().attributes()));
        }

        /** As {@code meshform import} marks what it records: the mark alone. */
        @Override
        public void markImported(ApplyRequest request) {
            history.add("mark " + request.address());
            String k = key(request.address(), request.desired());
            marks.put(k, request.lineage());
            markedAddresses.put(k, request.address());
        }

        @Override
        public void release(DeleteRequest request) {
            history.add("release " + request.address());
            marks.remove(key(request.address(), request.recorded().attributes()));
        }

        /** What the release does, for the plan (as an adopted namespace's release lists the workloads it restarts). */
        @Override
        public List<io.meshform.engine.spi.PlanDetail> releaseDetails(ResourceAddress address,
                                                                     io.meshform.state.ResourceState recorded, LiveObject live,
                                                                     io.meshform.engine.spi.StackContext context,
                                                                     List<String> warnings) {
            return List.of(io.meshform.engine.spi.PlanDetail.note("releasing " + live.value().path("value").asText()));
        }

        /** A thing applied with {@code adopted: true} in its spec stays when destroyed, as an adopted namespace does. */
        @Override
        public java.util.Optional<String> deleteEffect(io.meshform.state.ResourceState recorded) {
            return recorded.attributes().path("adopted").asBoolean(false)
                    ? java.util.Optional.of("it was adopted, so it stays") : java.util.Optional.empty();
        }

        @Override
        public Set<String> sensitivePaths() {
            return sensitive;
        }

        /** A spec's {@code object} names the object it is ({@link #key}). */
        @Override
        public Set<String> identityPaths() {
            return Set.of("/object");
        }
    }
}

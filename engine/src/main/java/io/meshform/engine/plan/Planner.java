package io.meshform.engine.plan;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.graph.ResourceGraph;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.ResourceType;
import io.meshform.engine.spi.StackContext;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.state.ResourceState;
import io.meshform.state.StateSnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import tools.jackson.databind.JsonNode;

/**
 * Turns a stack, the recorded state and the live cluster into a {@link Plan}. Reads the cluster once per
 * resource type (providers batch by kind and namespace), never once per resource.
 */
public final class Planner {
    /** Engine-owned state metadata: the edges a recorded resource had, so deletes still run in order. */
    public static final String DEPENDS_ON_KEY = "meshform/depends_on";
    /** State metadata of a resource applied with lifecycle.preventDestroy: it stays protected once out of the file. */
    public static final String PREVENT_DESTROY_KEY = "meshform/prevent_destroy";
    /**
     * State metadata of a resource meshform took over rather than created ({@code adopt: true}, {@code import}): when it
     * leaves management the object stays in the cluster unless --delete-adopted. The same key kubernetes.namespace
     * has always written for a namespace it adopted.
     */
    public static final String ADOPTED_KEY = "adopted";
    /** Private data of a planned change: apply records the resource as adopted. */
    public static final String ADOPT_STEP = "meshform/adopt";
    /**
     * Private data of a declared resource whose object is live and as declared but not in the state: apply only records
     * it. The plan shows and counts it ({@link ResourceChange#records}).
     */
    public static final String RECORD_STEP = "meshform/record";
    /** Private data of a planned removal: release the adopted object instead of deleting it. */
    public static final String RELEASE_STEP = "meshform/release";
    /**
     * Private data of a planned removal whose object is already gone from the cluster: apply deletes nothing and drops
     * the state's record ({@link ResourceChange#dropsRecord}), so the plan counts it as forgotten, not destroyed.
     */
    public static final String GONE_STEP = "meshform/gone";
    /** The reason of a change --replace asked for; a saved plan's replays ask for it again ({@link SavedPlanReplay}). */
    public static final String REPLACE_REQUESTED = "replacement requested with --replace";
    /** How many resources are planned at once (their providers may each wait on the API server). */
    private static final int PARALLELISM = 10;

    private final TypeRegistry types;
    private final String meshformVersion;

    public Planner(TypeRegistry types, String meshformVersion) {
        this.types = types;
        this.meshformVersion = meshformVersion;
    }

    public Plan plan(Stack stack, StateSnapshot state, PlanOptions options) {
        ResourceGraph graph = graph(stack, state, options.destroy());
        Set<ResourceAddress> selected = PlanSelection.select(graph, options);
        Diagnostics diagnostics = new Diagnostics();
        PartialPlan.note(graph, selected, options, state).ifPresent(diagnostics::add);
        StackContext context = StackContext.of(stack);
        List<ResourceAddress> order = graph.topologicalOrder().stream().filter(selected::contains).toList();
        // The checks' context is known from the stack and the state alone (what each change will be does not decide
        // it; checked below, and run again if it did). A check that waits on istioctl starts beside the reads, once
        // the cluster has answered (PlanCheck.earlyStart), so a cluster that does not answer is reported without
        // starting istioctl; the others start after the reads, beside the planning (the JVM keeps both cores busy
        // while it reads).
        try (CheckRun early = CheckRun.beforeReads(types.checks(), CheckRun.expectedPlanContext(stack, state, order, options.destroy(), context))) {
            Map<ResourceAddress, LiveObject> live = readLive(context, state, DeclaredObjects.reads(stack, selected, options), options.destroy());
            early.afterReads();
            return plan(stack, state, options, graph, order, live, context, diagnostics, early)
                    .withNotPlanned(PartialPlan.leftOut(graph, selected, options, state));
        }
    }

    private Plan plan(Stack stack, StateSnapshot state, PlanOptions options, ResourceGraph graph, List<ResourceAddress> order,
                      Map<ResourceAddress, LiveObject> live, StackContext context, Diagnostics diagnostics, CheckRun early) {
        List<ResourceChange> changes = new ArrayList<>();
        Map<ResourceAddress, JsonNode> after = new TreeMap<>();
        Map<ResourceAddress, JsonNode> removed = new TreeMap<>();
        java.util.Queue<Diagnostic> unmanaged = new java.util.concurrent.ConcurrentLinkedQueue<>();
        List<ResourceChange> planned = changes(order, context, state, live, graph, options, unmanaged);
        // Refused before anything else is said: every delete of an object the stack declares under another address, and
        // every object that would be taken over silently, at once.
        Set<ResourceAddress> named = new HashSet<>();
        if (!options.destroy()) {
            DeclaredObjects.refuseDeleting(planned, live, stack, state, diagnostics, named);
        }
        ForeignDelete.refuse(planned, live, state, diagnostics);
        order.stream().filter(a -> !named.contains(a))
                .forEach(a -> unmanaged.stream().filter(d -> d.summary().startsWith("`" + a + "`")).forEach(diagnostics::add));
        diagnostics.throwIfErrors();
        for (ResourceChange change : planned) {
            changes.add(change);
            ResourceDecl decl = options.destroy() ? null : stack.find(change.address()).orElse(null);
            if (change.action() != Action.DELETE && decl != null) {
                after.put(change.address(), decl.spec());
                if (change.createsFirst()) {
                    // The old object is another one, which the apply deletes: checks must not judge it as staying
                    // (a moved PeerAuthentication was called "not managed by the stack: delete it, or declare it").
                    state.find(change.address()).ifPresent(r -> removed.put(change.address(), r.attributes()));
                }
            } else if (change.action() == Action.DELETE) {
                JsonNode recorded = state.find(change.address()).map(ResourceState::attributes)
                        .orElseGet(() -> stack.find(change.address()).map(ResourceDecl::spec).orElse(null));
                if (recorded != null) {
                    removed.put(change.address(), recorded);
                }
            }
        }
        refuseProtectedDestroys(changes, stack, state, diagnostics);
        // Last, whatever the stack says: the old objects of moves whose delete did not go through.
        List<ResourceChange> deposed = DeposedDeletes.plan(types, context, state, graph, Set.copyOf(order), options, diagnostics);
        DeposedDeletes.judgedRemoved(deposed, state, removed);
        CheckContext checked = new CheckContext(stack, after, removed, CheckContext.Purpose.PLAN, context);
        if (checked.equals(early.context())) {
            addChecked(early.diagnostics(), options.strict(), diagnostics);
        } else {
            early.close();
            try (CheckRun again = CheckRun.start(types.checks(), checked)) {
                addChecked(again.diagnostics(), options.strict(), diagnostics);
            }
        }
        if (options.strict()) {
            // A pipeline that asks for --strict wants no plan with a warning in it, wherever the warning comes from.
            for (ResourceChange c : changes) {
                c.warnings().forEach(w -> diagnostics.error(c.address() + ": " + w, "(an error because of --strict)", null));
            }
        }
        diagnostics.throwIfErrors();
        return new Plan(meshformVersion, stack.name(), stack.digest(), state.lineage(), state.serial(),
                options.destroy(), SerialSteps.chain(order(changes, graph, deposed),
                        type -> types.find(type).flatMap(ResourceType::oneAtATime)), diagnostics.all());
    }

    /** Declared resources with explicit and implicit edges, plus recorded ones with the edges they had. */
    public ResourceGraph graph(Stack stack, StateSnapshot state, boolean destroy) {
        ResourceGraph graph = new ResourceGraph();
        if (!destroy) {
            for (ResourceDecl r : stack.resources()) {
                graph.add(r.address());
                r.dependsOn().forEach(d -> graph.addEdge(r.address(), d));
                types.implicitDependencies(r, stack).forEach(d -> graph.addEdge(r.address(), d));
            }
        }
        for (ResourceState s : state.resources()) {
            ResourceAddress a = ResourceAddress.of(s);
            if (graph.contains(a) && !destroy) {
                continue;
            }
            graph.add(a);
            for (ResourceAddress d : recordedDependencies(s)) {
                if (state.find(d).isPresent()) {
                    graph.addEdge(a, d);
                }
            }
        }
        DependencyCycles.refuse(graph, stack);
        return graph;
    }

    static List<ResourceAddress> recordedDependencies(ResourceState s) {
        String deps = s.metadata().get(DEPENDS_ON_KEY);
        if (deps == null || deps.isBlank()) {
            return List.of();
        }
        return Arrays.stream(deps.split(",")).map(ResourceAddress::parse).toList();
    }

    private Map<ResourceAddress, LiveObject> readLive(StackContext context, StateSnapshot state, Set<ResourceAddress> selected,
                                                      boolean destroy) {
        Stack stack = context.stack();
        Map<String, List<ResourceRef>> byType = new TreeMap<>();
        for (ResourceAddress a : selected) {
            JsonNode spec = destroy ? null : stack.find(a).map(r -> (JsonNode) r.spec()).orElse(null);
            if (spec == null) {
                spec = state.find(a).map(ResourceState::attributes).orElse(null);
            }
            if (spec != null && types.find(a.type()).isPresent()) {
                byType.computeIfAbsent(a.type(), k -> new ArrayList<>()).add(new ResourceRef(a, spec));
            }
        }
        if (byType.isEmpty()) {
            // Nothing to read, yet "No changes" must mean the cluster answered.
            java.util.Set<String> used = new java.util.TreeSet<>();
            stack.resources().forEach(r -> used.add(r.type()));
            state.resources().forEach(r -> used.add(r.type()));
            types.ping(used);
        }
        return types.read(context, byType);
    }

    /**
     * Asks the providers for every change, several at once: a provider may talk to the server per resource (a
     * server-side dry-run of a new object), and those round trips should overlap. Results keep {@code order}.
     */
    private List<ResourceChange> changes(List<ResourceAddress> order, StackContext context, StateSnapshot state,
                                         Map<ResourceAddress, LiveObject> live, ResourceGraph graph, PlanOptions options,
                                         java.util.Queue<Diagnostic> unmanaged) {
        Stack stack = context.stack();
        if (order.size() < 2) {
            return order.stream().map(a -> change(a, options.destroy() ? null : stack.find(a).orElse(null),
                    state.find(a).orElse(null), live.get(a), graph, options, context, state, unmanaged)).toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLELISM, order.size()), r -> {
            Thread t = new Thread(r, "meshform-plan");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<ResourceChange>> futures = new ArrayList<>();
            for (ResourceAddress a : order) {
                ResourceDecl decl = options.destroy() ? null : stack.find(a).orElse(null);
                ResourceState recorded = state.find(a).orElse(null);
                futures.add(pool.submit(() -> change(a, decl, recorded, live.get(a), graph, options, context, state,
                        unmanaged)));
            }
            // A resource the provider refuses (a missing namespace to label) does not hide the others' errors: every
            // refusal is collected and reported at once, as the stack file's own errors are.
            List<ResourceChange> out = new ArrayList<>(futures.size());
            Diagnostics refused = new Diagnostics();
            for (Future<ResourceChange> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof DiagnosticsException d)) {
                        throw e;
                    }
                    d.diagnostics().forEach(refused::add);
                }
            }
            if (!refused.all().isEmpty()) {
                throw new DiagnosticsException(refused);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("planning was interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private ResourceChange change(ResourceAddress address, ResourceDecl decl, ResourceState recorded, LiveObject live,
                                  ResourceGraph graph, PlanOptions options, StackContext context, StateSnapshot state,
                                  java.util.Queue<Diagnostic> unmanaged) {
        String lineage = state.lineage();
        ResourceType type = types.find(address.type()).orElseThrow(() -> new DiagnosticsException(Diagnostic.error(
                "state records `" + address + "` of type `" + address.type() + "`, which no provider offers",
                "use a meshform that has this type, or forget it with `meshform state rm " + address + "`", null)));
        List<ResourceAddress> deps = List.copyOf(graph.dependenciesOf(address));
        String version = live == null ? null : live.version();
        JsonNode liveValue = live == null ? null : live.value();
        List<String> digested = DigestedIdentity.of(type, recorded);
        if (decl == null && !digested.isEmpty()) {
            throw new DiagnosticsException(DigestedIdentity.unknown(address, digested, null, null));
        }
        if (decl == null) {
            String reason = options.destroy() ? "destroy requested" : "no longer declared in the stack";
            Map<String, String> release = Map.of();
            List<PlanDetail> details = List.of();
            List<String> warnings = new ArrayList<>();
            if (live == null) {
                reason += "; already absent from the cluster, only the state entry goes";
                release = Map.of(GONE_STEP, "true");
            } else if (recorded != null && "true".equals(recorded.metadata().get(ADOPTED_KEY)) && !options.deleteAdopted()) {
                reason += "; it was adopted, not created by meshform: it stays in the cluster, meshform only stops managing it"
                        + " (--delete-adopted deletes it)" + type.releaseEffect(recorded).map(e -> "; " + e).orElse("");
                release = Map.of(RELEASE_STEP, "true");
                details = type.releaseDetails(address, recorded, live, context, warnings);
            } else if (recorded != null) {
                reason += type.deleteEffect(recorded).map(e -> "; " + e).orElse("");
                details = type.deleteDetails(address, recorded, live, context, warnings);
            }
            return new ResourceChange(address, Action.DELETE, reason,
                    Sensitive.mask(liveValue, SensitivePaths.of(type, liveValue, recorded == null ? null : recorded.attributes())), null,
                    details, warnings, release, version, deps);
        }
        // The entry as applied: a name recorded as a digest, put back in clear where the stack gives that very value.
        ResourceState applied = DigestedIdentity.restored(type, recorded, decl.spec());
        if (!DigestedIdentity.of(type, applied).isEmpty()) {
            throw new DiagnosticsException(DigestedIdentity.unknown(address, digested, decl, decl.source().range()));
        }
        PlannedChange planned;
        try {
            planned = type.plan(new PlanRequest(address, decl.spec(), applied, live, context, Map.of(), lineage));
        } catch (DiagnosticsException e) {
            // A refusal the type could not place (the API server's dry-run refusing the object, a wrong istioctl)
            // stands at the resource's declaration: it said no file or line, while the stack's own errors do.
            throw e.placedAt(decl.source().range());
        }
        Action action = planned.action();
        String reason = planned.reason();
        Map<String, String> privateData = planned.privateData();
        // A move (the recorded object is another one than the one read where the stack now puts it) is judged as a new
        // object: one found there is no more this state's than it would be without the state entry.
        boolean moved = action == Action.REPLACE && "true".equals(privateData.get(PlannedChange.CREATE_FIRST));
        if ((recorded == null || moved) && live != null && live.ownership().applies()) {
            Takeover takeover = Takeover.decide(address, decl, live, moved, state, action, reason, privateData);
            action = takeover.action();
            reason = takeover.reason();
            privateData = takeover.privateData();
            takeover.refusal().ifPresent(unmanaged::add);
        }
        if (options.replace().contains(address)) {
            // A moved entry is replaced whatever is read where it goes: a plain create would leave the old object.
            action = live == null && !moved ? Action.CREATE : Action.REPLACE;
            reason = REPLACE_REQUESTED + (moved ? " (" + reason + ")" : "");
        } else if (action == Action.CREATE && recorded != null) {
            reason = "recorded in state but deleted outside meshform";
        } else if (action == Action.UPDATE && recorded != null
                && RecordedEntry.sameValue(recorded.attributes(), SensitivePaths.recordable(type, decl))) {
            // The file still says what was applied, so the difference came from someone else.
            reason = "changed outside meshform: " + reason;
        }
        java.util.Optional<String> record = action == Action.NOOP
                ? RecordedEntry.recordStep(type, decl, recorded, live != null, deps, reason) : java.util.Optional.empty();
        if (record.isPresent()) {
            // Nothing to change in the cluster, but apply writes the state entry: a step the plan shows and counts.
            reason = record.get();
            privateData = new java.util.TreeMap<>(privateData);
            privateData.put(RECORD_STEP, "true");
        }
        Set<String> sensitive = SensitivePaths.of(type, decl, planned.before(), planned.after(),
                recorded == null ? null : recorded.attributes());
        JsonNode[] masked = Sensitive.maskPair(planned.before(), planned.after(), sensitive);
        // A server's message may quote either side, the live one too (an old value the redactor does not know).
        Set<String> secrets = new java.util.TreeSet<>(Sensitive.secrets(planned.before(), sensitive));
        secrets.addAll(Sensitive.secrets(planned.after(), sensitive));
        return new ResourceChange(address, action, reason, masked[0], masked[1], SensitivePaths.redact(planned.details(), secrets),
                planned.warnings().stream().map(w -> Sensitive.redact(w, secrets)).toList(), privateData, version, deps);
    }

    /**
     * A plan that would destroy or replace a resource under lifecycle.preventDestroy is an error, whether the
     * resource is declared with it or was applied with it and has left the file since. The applier runs this again on
     * the plan it is given (a saved plan is a file, and its actions can be edited).
     */
    public static void refuseProtectedDestroys(List<ResourceChange> changes, Stack stack, StateSnapshot state,
                                                Diagnostics out) {
        for (ResourceChange c : changes) {
            // A deposed object is not the resource's object: it is the old one of a replace that preventDestroy allowed.
            if (c.action() != Action.DELETE && c.action() != Action.REPLACE || c.deposed()) {
                continue;
            }
            ResourceDecl decl = stack.find(c.address()).orElse(null);
            boolean declared = decl != null && decl.lifecycle().preventDestroy();
            boolean recorded = state.find(c.address())
                    .map(r -> "true".equals(r.metadata().get(PREVENT_DESTROY_KEY))).orElse(false);
            if (!declared && !(decl == null && recorded)) {
                continue;
            }
            String what = c.action() == Action.REPLACE ? "replace" : "destroy";
            out.error("`" + c.address() + "` has lifecycle.preventDestroy, and this plan would " + what + " it (" + c.reason() + ")",
                    decl != null
                            ? "to " + what + " it on purpose, set preventDestroy: false and apply that first; or leave it out"
                                    + " of this run with --exclude " + c.address()
                            : "it is no longer in the stack, but was applied with preventDestroy: declare it again with"
                                    + " preventDestroy: false and apply, or stop managing it and leave it running with"
                                    + " `meshform state rm " + c.address() + "`",
                    declared ? decl.source().range("/lifecycle/preventDestroy") : null);
        }
    }

    private static void addChecked(List<Diagnostic> found, boolean strict, Diagnostics out) {
        for (Diagnostic d : found) {
            out.add(strict && d.severity() == Severity.WARNING
                    ? new Diagnostic(Severity.ERROR, d.summary(), d.detail() + "\n(an error because of --strict)", d.range())
                    : d);
        }
    }

    /** Creates and updates in dependency order first, then deletes in reverse dependency order, then deposed objects. */
    private static List<ResourceChange> order(List<ResourceChange> topo, ResourceGraph graph, List<ResourceChange> deposed) {
        List<ResourceChange> forward = new ArrayList<>();
        List<ResourceChange> deletes = new ArrayList<>();
        for (ResourceChange c : topo) {
            (c.action() == Action.DELETE ? deletes : forward).add(c);
        }
        java.util.Collections.reverse(deletes);
        forward.addAll(deletes);
        forward.addAll(deposed);
        return forward;
    }
}

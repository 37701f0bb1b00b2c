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
import io.meshform.engine.spi.PlanCheck;
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
        Set<ResourceAddress> selected = select(graph, options);
        Diagnostics diagnostics = new Diagnostics();
        for (ResourceAddress r : options.replace()) {
            if (!selected.contains(r)) {
                diagnostics.error("--replace names `" + r + "`, which is not part of this plan",
                        "check the address with `meshform state list`", null);
            }
        }
        diagnostics.throwIfErrors();

        StackContext context = StackContext.of(stack);
        Map<ResourceAddress, LiveObject> live = readLive(context, state, selected, options.destroy());
        List<ResourceChange> changes = new ArrayList<>();
        Map<ResourceAddress, JsonNode> after = new TreeMap<>();
        Map<ResourceAddress, JsonNode> removed = new TreeMap<>();
        List<ResourceAddress> order = graph.topologicalOrder().stream().filter(selected::contains).toList();
        for (ResourceChange change : changes(order, context, state, live, graph, options)) {
            changes.add(change);
            ResourceDecl decl = options.destroy() ? null : stack.find(change.address()).orElse(null);
            if (change.action() != Action.DELETE && decl != null) {
                after.put(change.address(), decl.spec());
            } else if (change.action() == Action.DELETE) {
                JsonNode recorded = state.find(change.address()).map(ResourceState::attributes)
                        .orElseGet(() -> stack.find(change.address()).map(ResourceDecl::spec).orElse(null));
                if (recorded != null) {
                    removed.put(change.address(), recorded);
                }
            }
        }
        refuseProtectedDestroys(changes, stack, state, diagnostics);
        runChecks(new CheckContext(stack, after, removed, CheckContext.Purpose.PLAN), options.strict(), diagnostics);
        if (options.strict()) {
            // A pipeline that asks for --strict wants no plan with a warning in it, wherever the warning comes from.
            for (ResourceChange c : changes) {
                c.warnings().forEach(w -> diagnostics.error(c.address() + ": " + w, "(an error because of --strict)", null));
            }
        }
        diagnostics.throwIfErrors();
        return new Plan(meshformVersion, stack.name(), stack.digest(), state.lineage(), state.serial(),
                options.destroy(), order(changes, graph), diagnostics.all());
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
        graph.requireAcyclic();
        return graph;
    }

    static List<ResourceAddress> recordedDependencies(ResourceState s) {
        String deps = s.metadata().get(DEPENDS_ON_KEY);
        if (deps == null || deps.isBlank()) {
            return List.of();
        }
        return Arrays.stream(deps.split(",")).map(ResourceAddress::parse).toList();
    }

    private static Set<ResourceAddress> select(ResourceGraph graph, PlanOptions options) {
        Diagnostics problems = new Diagnostics();
        for (ResourceAddress a : options.targets()) {
            if (!graph.contains(a)) {
                problems.error("--target `" + a + "` is neither declared nor recorded in state", null, null);
            }
        }
        for (ResourceAddress a : options.excludes()) {
            if (!graph.contains(a)) {
                problems.error("--exclude `" + a + "` is neither declared nor recorded in state", null, null);
            }
        }
        problems.throwIfErrors();
        Set<ResourceAddress> selected = new HashSet<>(options.targets().isEmpty()
                ? graph.nodes()
                : options.destroy() ? graph.withDependants(options.targets()) : graph.withDependencies(options.targets()));
        selected.removeAll(options.destroy() ? graph.withDependencies(options.excludes()) : graph.withDependants(options.excludes()));
        return selected;
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
        return types.read(context, byType);
    }

    /**
     * Asks the providers for every change, several at once: a provider may talk to the server per resource (a
     * server-side dry-run of a new object), and those round trips should overlap. Results keep {@code order}.
     */
    private List<ResourceChange> changes(List<ResourceAddress> order, StackContext context, StateSnapshot state,
                                         Map<ResourceAddress, LiveObject> live, ResourceGraph graph, PlanOptions options) {
        Stack stack = context.stack();
        if (order.size() < 2) {
            return order.stream().map(a -> change(a, options.destroy() ? null : stack.find(a).orElse(null),
                    state.find(a).orElse(null), live.get(a), graph, options, context)).toList();
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
                futures.add(pool.submit(() -> change(a, decl, recorded, live.get(a), graph, options, context)));
            }
            List<ResourceChange> out = new ArrayList<>(futures.size());
            for (Future<ResourceChange> f : futures) {
                out.add(f.get());
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
                                  ResourceGraph graph, PlanOptions options, StackContext context) {
        ResourceType type = types.find(address.type()).orElseThrow(() -> new DiagnosticsException(Diagnostic.error(
                "state records `" + address + "` of type `" + address.type() + "`, which no provider offers",
                "use a meshform that has this type, or forget it with `meshform state rm " + address + "`", null)));
        Set<String> sensitive = type.sensitivePaths();
        List<ResourceAddress> deps = List.copyOf(graph.dependenciesOf(address));
        String version = live == null ? null : live.version();
        JsonNode liveValue = live == null ? null : live.value();
        if (decl == null) {
            String reason = options.destroy() ? "destroy requested" : "no longer declared in the stack";
            if (live == null) {
                reason += "; already absent from the cluster, only the state entry goes";
            } else if (recorded != null) {
                reason += type.deleteEffect(recorded).map(e -> "; " + e).orElse("");
            }
            return new ResourceChange(address, Action.DELETE, reason, Sensitive.mask(liveValue, sensitive), null,
                    List.of(), List.of(), Map.of(), version, deps);
        }
        PlannedChange planned = type.plan(new PlanRequest(address, decl.spec(), recorded, live, context));
        Action action = planned.action();
        String reason = planned.reason();
        if (options.replace().contains(address)) {
            action = live == null ? Action.CREATE : Action.REPLACE;
            reason = "replacement requested with --replace";
        } else if (action == Action.CREATE && recorded != null) {
            reason = "recorded in state but deleted outside meshform";
        } else if (action == Action.UPDATE && recorded != null && recorded.attributes().equals(decl.spec())) {
            // The file still says what was applied, so the difference came from someone else.
            reason = "changed outside meshform: " + reason;
        }
        return new ResourceChange(address, action, reason, Sensitive.mask(planned.before(), sensitive),
                Sensitive.mask(planned.after(), sensitive), planned.details(), planned.warnings(), planned.privateData(),
                version, deps);
    }

    /**
     * A plan that would destroy or replace a resource under lifecycle.preventDestroy is an error, whether the
     * resource is declared with it or was applied with it and has left the file since.
     */
    private static void refuseProtectedDestroys(List<ResourceChange> changes, Stack stack, StateSnapshot state,
                                                Diagnostics out) {
        for (ResourceChange c : changes) {
            if (c.action() != Action.DELETE && c.action() != Action.REPLACE) {
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

    private void runChecks(CheckContext context, boolean strict, Diagnostics out) {
        for (PlanCheck check : types.checks()) {
            for (Diagnostic d : check.check(context)) {
                out.add(strict && d.severity() == Severity.WARNING
                        ? new Diagnostic(Severity.ERROR, d.summary(), d.detail() + "\n(an error because of --strict)", d.range())
                        : d);
            }
        }
    }

    /** Creates and updates in dependency order first, then deletes in reverse dependency order. */
    private static List<ResourceChange> order(List<ResourceChange> topo, ResourceGraph graph) {
        List<ResourceChange> forward = new ArrayList<>();
        List<ResourceChange> deletes = new ArrayList<>();
        for (ResourceChange c : topo) {
            (c.action() == Action.DELETE ? deletes : forward).add(c);
        }
        java.util.Collections.reverse(deletes);
        forward.addAll(deletes);
        return forward;
    }
}

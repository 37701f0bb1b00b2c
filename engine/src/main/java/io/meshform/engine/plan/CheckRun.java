package io.meshform.engine.plan;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.state.DeposedObject;
import io.meshform.state.ResourceState;
import io.meshform.state.StateSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import tools.jackson.databind.JsonNode;

/**
 * The mesh checks of one run, started on a few threads of their own before the per-resource planning, so that they
 * run beside the planning instead of after it: their {@link CheckContext} is known from the stack and the state
 * alone. Two of them spend most of their time waiting on a child process ({@code istioctl validate}, and {@code
 * istioctl analyze} with its informers' sync), which is wall time the JVM can spend on its own work.
 *
 * <p><b>When each starts.</b> The planner makes the run before it reads the cluster ({@link #beforeReads}) and says
 * when the reads have ended ({@link #afterReads}). A check with an {@link PlanCheck#earlyStart} event starts when that
 * happens, if it comes first: {@code istioctl analyze} starts once the cluster has answered a request, so it runs
 * beside the plan's reads instead of after them (it was the plan's tail by about 0.2 s). The others start after the
 * reads, as before: they read the cluster themselves, and during the reads the JVM keeps both cores busy. A run that
 * fails before its reads end ({@link #close()}) starts nothing more.
 *
 * <p><b>Same answer as one after the other.</b> {@link #diagnostics()} waits for the checks in their order and
 * returns their diagnostics in that order, whatever finished first. A check that throws is reported as if the checks
 * had run one after the other: the first failing check in the order throws its own exception (the later checks'
 * answers are dropped and those still running are interrupted, as they would not have run). A check's own timeouts
 * and failures (istioctl that does not finish, or cannot start) are its own business, handled inside it as before.
 *
 * <p><b>Threads.</b> At most {@link #THREADS} daemon threads (two checks waiting on processes, one running the checks
 * of the JVM), so the CPU time does not grow with the number of checks. {@link #close()} interrupts what still runs:
 * a check waiting on istioctl stops its child on interrupt ({@code Istioctl.run}), and a child that outlives meshform
 * is stopped by its watchdog when the JVM's end of the pipe closes. Interrupts and Ctrl-C are unchanged: the JVM's
 * exit ends these threads with the others.
 *
 * <p><b>Thread-safety of what the checks share</b> (reviewed for this class): each check object is immutable and
 * keeps nothing between calls; the live reads shared by a run's checks ({@code LiveCluster}) are synchronized per
 * view and handed out per context by a synchronized {@code Runs}; the Kubernetes client is thread-safe and its first
 * request gate is made for parallel reads; {@code Istioctl.run} keeps its process, output lists and watchdog per call,
 * and its remembered answers are written through a private temporary file and one rename; the {@code
 * IdentityHashMap}s of the mTLS and coverage models are local to one check's call. The checks get
 * {@code ProgressSink.NONE}, so nothing is recorded in the state lock (childStarted) from these threads, and
 * nothing is printed from them.
 *
 * <p>{@code drift} ({@code DriftDetector}) starts its checks the same way, beside its reads and its comparison of
 * each recorded resource with the live one.
 */
public final class CheckRun implements AutoCloseable {
    /** Threads for the checks: enough for both istioctl processes to wait while the JVM's own checks run. */
    static final int THREADS = 3;

    private final CheckContext context;
    private final ExecutorService pool;
    private final List<Started> checks;
    private boolean closed;
    private boolean rest;

    /** One check and its answer; {@code submitted} under the run's lock, so each starts once. */
    private static final class Started {
        final PlanCheck check;
        final FutureTask<List<Diagnostic>> result;
        boolean submitted;

        Started(PlanCheck check, CheckContext context) {
            this.check = check;
            this.result = new FutureTask<>(() -> check.check(context));
        }
    }

    private CheckRun(CheckContext context, ExecutorService pool, List<Started> checks) {
        this.context = context;
        this.pool = pool;
        this.checks = checks;
    }

    /**
     * Starts, in their order, the checks of {@code all} that plan and drift run on {@code context} (not those
     * {@link PlanCheck#validateOnly}): every one of them now.
     */
    public static CheckRun start(List<PlanCheck> all, CheckContext context) {
        CheckRun run = beforeReads(all, context);
        run.afterReads();
        return run;
    }

    /**
     * The checks of {@code all} that plan and drift run on {@code context}, before the run's reads: those with an
     * {@link PlanCheck#earlyStart} start when it happens, the others with {@link #afterReads}.
     */
    public static CheckRun beforeReads(List<PlanCheck> all, CheckContext context) {
        List<PlanCheck> wanted = all.stream().filter(c -> !c.validateOnly()).toList();
        if (wanted.isEmpty()) {
            return new CheckRun(context, null, List.of());
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(THREADS, wanted.size()), r -> {
            Thread t = new Thread(r, "meshform-check");
            t.setDaemon(true);
            return t;
        });
        List<Started> checks = wanted.stream().map(c -> new Started(c, context)).toList();
        CheckRun run = new CheckRun(context, pool, checks);
        for (Started s : checks) {
            // Runs on the thread that completes the event (an HTTP client's): it only hands the check to the pool.
            s.check.earlyStart().ifPresent(event -> event.thenRun(() -> run.submit(s)));
        }
        return run;
    }

    /** The run's reads have ended: every check not started yet starts now, in order. */
    public synchronized void afterReads() {
        if (closed || rest) {
            return;
        }
        rest = true;
        checks.forEach(this::submit);
        if (pool != null) {
            pool.shutdown(); // nothing else comes; the threads end with the last check
        }
    }

    private synchronized void submit(Started s) {
        if (closed || s.submitted) {
            return;
        }
        s.submitted = true;
        pool.execute(s.result);
    }

    /**
     * The checks' context as the planned changes will make it: a declared resource's spec is what the cluster holds
     * after the plan, an undeclared one is removed with its recorded value. It differs from the one built from the
     * changes only if a type plans the removal of a declared resource; then the checks run again on that one.
     */
    static CheckContext expectedPlanContext(Stack stack, StateSnapshot state, List<ResourceAddress> order, boolean destroy,
                                            io.meshform.engine.spi.StackContext run) {
        Map<ResourceAddress, JsonNode> after = new TreeMap<>();
        Map<ResourceAddress, JsonNode> removed = new TreeMap<>();
        for (ResourceAddress a : order) {
            ResourceDecl decl = destroy ? null : stack.find(a).orElse(null);
            if (decl != null) {
                after.put(a, decl.spec());
            } else {
                JsonNode recorded = state.find(a).map(ResourceState::attributes)
                        .orElseGet(() -> stack.find(a).map(ResourceDecl::spec).orElse(null));
                if (recorded != null) {
                    removed.put(a, recorded);
                }
            }
        }
        Set<ResourceAddress> planned = Set.copyOf(order);
        for (DeposedObject d : state.deposed()) {
            ResourceAddress a = ResourceAddress.parse(d.address());
            if (planned.contains(a)) {
                removed.putIfAbsent(a, d.object().attributes()); // as DeposedDeletes.judgedRemoved
            }
        }
        return new CheckContext(stack, after, removed, CheckContext.Purpose.PLAN, run);
    }

    /** The context the checks run on. */
    CheckContext context() {
        return context;
    }

    /**
     * Every check's diagnostics, in the order of the checks; the first failing check's exception in that order.
     *
     * @throws IllegalStateException when the waiting thread is interrupted (the checks are stopped)
     */
    public List<Diagnostic> diagnostics() {
        return findings().stream().map(CheckFinding::diagnostic).toList();
    }

    /**
     * As {@link #diagnostics()}, each with the check that said it (drift reports a finding's kind from its check's
     * {@link PlanCheck#concern}).
     *
     * @throws IllegalStateException when the waiting thread is interrupted (the checks are stopped)
     */
    public List<CheckFinding> findings() {
        afterReads(); // a caller that asks has read the cluster; nothing may wait for a start that never comes
        List<CheckFinding> out = new ArrayList<>();
        try {
            for (Started s : checks) {
                for (Diagnostic d : s.result.get()) {
                    out.add(new CheckFinding(s.check.name(), s.check.concern(d), d));
                }
            }
            return out;
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the checks were interrupted", e);
        } catch (ExecutionException e) {
            close();
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Interrupts the checks still running (and so their istioctl processes); their answers are not wanted. */
    @Override
    public synchronized void close() {
        closed = true;
        if (pool != null) {
            checks.forEach(s -> s.result.cancel(true));
            pool.shutdownNow();
        }
    }
}

package io.meshform.engine.apply;

import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.ForeignDelete;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanBinding;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.plan.StepOrder;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.AppliedResource;
import io.meshform.engine.spi.ApplyRequest;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.ResourceType;
import io.meshform.engine.spi.StackContext;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.state.DeposedObject;
import io.meshform.state.LockHandle;
import io.meshform.state.LockLostException;
import io.meshform.state.ResourceState;
import io.meshform.state.StateException;
import io.meshform.state.StateSnapshot;
import io.meshform.state.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import tools.jackson.databind.JsonNode;

/**
 * Carries out a plan in dependency order with bounded parallelism. Each finished step is recorded in the
 * state store at once ({@link StateStore#record}: one journal record for the local file), so a crash loses at most
 * the step in flight; the run ends with one whole write ({@link StateStore#compact}). After the first failure (or a stop
 * request) no new step starts; running steps finish and are recorded.
 *
 * <p>Fencing: before each step the applier asks the state lock whether this run still holds it. Once it does not
 * (a Lease that expired while this run was paused, and that another run took), no further step starts, and the
 * state store refuses the writes of steps still in flight: the state stays as the other holder left it.
 */
public final class Applier {
    private final TypeRegistry types;
    private final int parallelism;
    private final ApplyListener listener;

    public Applier(TypeRegistry types, int parallelism, ApplyListener listener) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
        this.types = types;
        this.parallelism = parallelism;
        this.listener = listener;
    }

    public ApplyResult apply(Stack stack, Plan plan, StateSnapshot prior, StateStore store, AtomicBoolean stop) {
        return apply(stack, plan, prior, store, LockHandle.NONE, stop);
    }

    /** @param lock the state lock this run holds: checked before each step, and told of child processes */
    public ApplyResult apply(Stack stack, Plan plan, StateSnapshot prior, StateStore store, LockHandle lock,
                             AtomicBoolean stop) {
        refuseWhatNoPlanMayDo(stack, plan, prior);
        StackContext context = StackContext.of(stack);
        List<ResourceChange> steps = new ArrayList<>();
        for (ResourceChange c : plan.changes()) {
            // Only what the plan shows: a state entry to rewrite is a record step the planner marked (records()).
            if (c.changes()) {
                steps.add(c);
            }
        }
        // Deposed objects go last, one by one, outside the graph: their entries share an address with the resource's own.
        List<ResourceChange> deposed = steps.stream().filter(ResourceChange::deposed).toList();
        steps.removeIf(ResourceChange::deposed);
        // Keyed by address: a ResourceChange's record hashCode walks its whole before/after trees.
        Map<ResourceAddress, Set<ResourceAddress>> waitsFor = StepOrder.waits(steps);
        // Before the first create, once per apply (not per create): the addresses it may create objects for. An object
        // with this state's mark that the state does not record is this state's only when an apply wrote this first.
        StateSnapshot before = prior;
        StateSnapshot intended = CreateIntents.before(steps, prior);
        try {
            if (!steps.isEmpty() && prior.serial() == 0) {
                // A new state is written before the first object is made: every object carries the state's lineage,
                // and the next run must find that lineage again even if this one dies before recording anything.
                prior = store.write(intended);
            } else if (intended != prior) {
                prior = store.record(intended);
            }
        } catch (LockLostException e) {
            throw e;
        } catch (StateException e) {
            // Nothing has run yet: a bare "could not write state file: no space left" left users to guess whether
            // the cluster had been touched.
            throw new StateException(e.getMessage() + "\nNothing was applied: the cluster was not changed.", e);
        }
        Recorder recorder = new Recorder(store, prior);
        ReadySteps ready = new ReadySteps(steps, waitsFor);
        Set<ResourceAddress> doneSet = new HashSet<>();
        Map<ResourceChange, RuntimeException> failed = new LinkedHashMap<>();
        Set<ResourceAddress> started = new HashSet<>();
        LockLostException lockLost = null;
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, Math.max(1, steps.size())), r -> {
            Thread t = new Thread(r, "meshform-apply");
            t.setDaemon(true);
            return t;
        });
        CompletionService<ResourceChange> running = new ExecutorCompletionService<>(pool);
        Map<Future<ResourceChange>, ResourceChange> inFlight = new HashMap<>();
        try {
            while (true) {
                boolean halted = !failed.isEmpty() || stop.get() || lockLost != null;
                if (!halted) {
                    // The ready steps in plan order, as many as there is room for: a look at the next few steps
                    // rather than a walk over all of them at each step's end (quadratic in the stack's size).
                    while (inFlight.size() < parallelism && ready.any()) {
                        ResourceChange c = ready.first();
                        try {
                            lock.ensureHeld();
                        } catch (LockLostException e) {
                            lockLost = e;
                            break;
                        }
                        ready.take(c);
                        started.add(c.address());
                        inFlight.put(running.submit(() -> run(context, c, recorder, lock)), c);
                    }
                }
                if (inFlight.isEmpty()) {
                    break;
                }
                Future<ResourceChange> next = running.take();
                ResourceChange c = inFlight.remove(next);
                try {
                    next.get();
                    doneSet.add(c.address());
                    ready.done(c);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof Fenced fenced) {
                        // queued behind other steps, it found the lock gone before touching anything
                        started.remove(c.address());
                        ready.putBack(c);
                        lockLost = lockLost == null ? fenced.lost : lockLost;
                    } else if (e.getCause() instanceof LockLostException lost) {
                        lockLost = lockLost == null ? lost : lockLost;
                        failed.put(c, lost);
                    } else {
                        failed.put(c, e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause()));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop.set(true);
        } finally {
            pool.shutdown();
        }
        DeposedSteps.Outcome gone = new DeposedSteps(types, listener).runAll(context, deposed, recorder, lock,
                !failed.isEmpty() || stop.get() || lockLost != null, c -> new StepProgress(c, lock, listener));
        lockLost = lockLost == null ? gone.lockLost() : lockLost;
        if (lockLost == null) {
            // A step that failed (e.g. its request timed out while this run was paused) may hide that the lock
            // went meanwhile; the report must say so rather than "fix the cause and run again".
            try {
                lock.ensureHeld();
            } catch (LockLostException e) {
                lockLost = e;
            } catch (RuntimeException e) {
                // cannot tell (the API server does not answer): the failures above say what happened
            }
        }
        StateException notWritten = null;
        if (lockLost == null) {
            // One whole write folds this run's journal records into the state; after a lost lock nothing is written
            // (the records stay in the journal, which the next holder's read replays).
            try {
                recorder.compact(CreateIntents.after(before, started,
                        failed.keySet().stream().map(ResourceChange::address).collect(java.util.stream.Collectors.toSet())));
            } catch (LockLostException e) {
                lockLost = e;
            } catch (StateException e) {
                notWritten = e;  // reported with the steps, whose failures would otherwise go unsaid
            }
        }
        List<ResourceChange> notStarted = new ArrayList<>(steps.stream().filter(c -> !started.contains(c.address())).toList());
        notStarted.addAll(gone.notStarted());
        // In plan order, not the order the threads finished in: the report lists them alike in every run.
        List<ResourceChange> doneInOrder = new ArrayList<>(steps.stream().filter(c -> doneSet.contains(c.address())).toList());
        doneInOrder.addAll(gone.done());
        Map<ResourceChange, RuntimeException> failedInOrder = new LinkedHashMap<>();
        steps.stream().filter(failed::containsKey).forEach(c -> failedInOrder.put(c, failed.get(c)));
        failedInOrder.putAll(gone.failed());
        return new ApplyResult(doneInOrder, failedInOrder, notStarted, stop.get(), recorder.written(), lockLost, notWritten);
    }

    /**
     * Before anything starts: the plan's actions must be ones a plan of this stack and this state can hold, and none
     * may destroy or replace a resource under lifecycle.preventDestroy (declared, or recorded in the state). The
     * planner refuses both already; checked again here because a saved plan is a file whose actions can be edited
     * without moving what binds it (the stack's digest, the state's serial, the live versions).
     */
    private static void refuseWhatNoPlanMayDo(Stack stack, Plan plan, StateSnapshot prior) {
        Diagnostics refused = new Diagnostics();
        for (String wrong : PlanBinding.inconsistencies(plan, stack, prior)) {
            refused.error(wrong, "this plan does not match the stack and state it is applied to, so nothing was applied;"
                    + " run `meshform plan` again and review the new plan", null);
        }
        Planner.refuseProtectedDestroys(plan.changes(), stack, prior, refused);
        refused.throwIfErrors();
    }

    private ResourceChange run(StackContext context, ResourceChange c, Recorder recorder, LockHandle lock) {
        Stack stack = context.stack();
        try {
            lock.ensureHeld();
        } catch (LockLostException e) {
            throw new Fenced(e);
        }
        long start = System.nanoTime();
        listener.started(c);
        try {
            ResourceType type = types.get(c.type());
            ProgressSink progress = new StepProgress(c, lock, listener);
            ResourceState recorded = recorder.current().find(c.address()).orElse(null);
            switch (c.action()) {
                case DELETE -> {
                    if (recorded != null && "true".equals(c.privateData().get(Planner.RELEASE_STEP))) {
                        type.release(new DeleteRequest(c.address(), recorded, progress, context));  // adopted: it stays
                    } else if (recorded != null) {
                        refuseForeign(context, c, recorded, recorder);
                        type.delete(new DeleteRequest(c.address(), recorded, progress, context, recorder.current().lineage()));
                    }
                    recorded(c, () -> recorder.forget(c.address()));
                }
                case NOOP -> recorded(c, () -> recorder.record(stack, c, type, new AppliedResource(
                        declared(stack, c).spec(), recorded == null ? Map.of() : recorded.metadata())));
                default -> {
                    if (c.createsFirst() && recorded != null) {
                        replaceCreatingFirst(context, c, type, recorded, recorder, progress);
                        break;
                    }
                    boolean deleted = false;
                    if (c.action() == Action.REPLACE && recorded != null) {
                        refuseForeign(context, c, recorded, recorder);
                        type.delete(new DeleteRequest(c.address(), recorded, progress, context, recorder.current().lineage()));
                        deleted = true;
                        recorder.forget(c.address());
                    }
                    JsonNode desired = declared(stack, c).spec();
                    AppliedResource applied;
                    try {
                        applied = type.apply(new ApplyRequest(c.address(), desired, recorded, c.privateData(), progress,
                                context, recorder.current().lineage()));
                    } catch (LockLostException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        // The old object is gone already: the report must count it destroyed, not "0 destroyed".
                        throw deleted ? new HalfReplacedException(c, HalfReplacedException.Half.DESTROYED, e) : e;
                    }
                    recorded(c, () -> recorder.record(stack, c, type, applied));
                }
            }
            listener.finished(c, Duration.ofNanos(System.nanoTime() - start));
            return c;
        } catch (RuntimeException e) {
            listener.failed(c, Duration.ofNanos(System.nanoTime() - start), e);
            throw e;
        }
    }

    /**
     * Writes a finished step's record. The change is in the cluster by now, so a write the state refuses (a lost lock
     * apart, which the run reports as such) is a {@link NotRecordedException}: the step is not undone, only unrecorded.
     */
    private static void recorded(ResourceChange c, Runnable write) {
        try {
            write.run();
        } catch (LockLostException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new NotRecordedException(c, e);
        }
    }

    /**
     * A replacement by a different object ({@link ResourceChange#createsFirst}): the new one is created, then the state
     * records it as the resource's and the old one as deposed (one write), then the old one is deleted and its record
     * dropped. A failed create leaves the old object in force and in the state. A failed delete leaves the old object
     * recorded as deposed, which every later plan deletes whatever the stack says by then (Terraform's
     * create_before_destroy, internal/terraform/node_resource_apply_instance.go, managedResourceExecute). Terraform
     * deposes before the create and restores the old object when the create fails; here the depose is written with the
     * new entry, after the create, because a new object made and not yet recorded is already covered ({@link
     * CreateIntents}). Recording the new object only after the delete, as before, lost it when the stack changed
     * again before the retry: moved again, removed, destroyed.
     */
    private void replaceCreatingFirst(StackContext context, ResourceChange c, ResourceType type, ResourceState recorded,
                                      Recorder recorder, ProgressSink progress) {
        refuseForeign(context, c, recorded, recorder);  // before anything changes: the old one must be this state's
        AppliedResource applied = type.apply(new ApplyRequest(c.address(), declared(context.stack(), c).spec(), null,
                c.privateData(), progress, context, recorder.current().lineage()));
        DeposedObject old = DeposedObject.of(recorded);
        recorder.recordDeposing(context.stack(), c, type, applied, old);
        try {
            type.delete(new DeleteRequest(c.address(), recorded, progress, context, recorder.current().lineage()));
        } catch (RuntimeException e) {
            // The new object is in force too; the user must know the old one is still there and what happens next.
            String cause = e instanceof DiagnosticsException d && !d.diagnostics().isEmpty()
                    ? String.join("\n", d.diagnostics().stream().map(x -> x.summary()
                            + (x.detail() == null || x.detail().isBlank() ? "" : "\n" + x.detail())).toList())
                    : String.valueOf(e.getMessage());
            // The cause goes in the detail: a summary is one line, so its line breaks were printed as "\n".
            throw new HalfReplacedException(c, HalfReplacedException.Half.ADDED, new DiagnosticsException(
                    io.meshform.engine.diag.Diagnostic.error(c.address()
                    + ": the new object was created, but deleting the old one failed", stripAddress(c, cause)
                    + "\nThe old object is still in the cluster and in force. The state records the new object as the"
                            + " resource's and the old one as " + old.describe() + ": every later plan deletes it, whatever"
                            + " the stack then says (fix the cause first).", null)));
        }
        recorder.forgetDeposed(old.address(), old.key());
    }

    /** A provider's message names its resource already; said once, after this step's own "ADDR: ...". */
    private static String stripAddress(ResourceChange c, String message) {
        String prefix = c.address() + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    /**
     * Reads the object again just before deleting it and refuses one this state did not make ({@link ForeignDelete}): a
     * saved plan is applied later, and the object may have been replaced by hand since.
     */
    private void refuseForeign(StackContext context, ResourceChange c, ResourceState recorded, Recorder recorder) {
        LiveObject live = types.read(context, Map.of(c.type(), List.of(new ResourceRef(c.address(), recorded.attributes()))))
                .get(c.address());
        ForeignDelete.refusal(c.address(), c.action(), recorded, live, recorder.current().lineage()).ifPresent(d -> {
            throw new DiagnosticsException(d);
        });
    }

    /** A step that found the lock lost before it started: reported as not started, not as failed. */
    private static final class Fenced extends RuntimeException {
        private final transient LockLostException lost;

        Fenced(LockLostException lost) {
            super(lost.getMessage(), lost, false, false);
            this.lost = lost;
        }
    }

    private static ResourceDecl declared(Stack stack, ResourceChange c) {
        return stack.find(c.address()).orElseThrow(() -> new IllegalStateException(
                "plan step " + c.address() + " is not declared in the stack; was the file changed after planning?"));
    }
}

package io.meshform.cli;

import io.meshform.engine.apply.Applier;
import io.meshform.engine.apply.ApplyResult;
import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.load.StackLoader;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanBinding;
import io.meshform.engine.plan.PlanJson;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.plan.SavedPlanReplay;
import io.meshform.engine.render.PlanText;
import io.meshform.engine.render.Style;
import io.meshform.state.LockHandle;
import io.meshform.state.StateBackend;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.json.JsonMapper;

@Command(name = "apply", description = "Carry out a plan: a saved PLANFILE exactly, or a fresh plan after approval.",
        footerHeading = "%nExamples:%n", footer = {
            "  meshform apply -f stack.yaml prod.plan          # exactly the plan reviewed (same -f, --state, --var)",
            "  meshform apply -f examples/cortex-staging.yaml  # plan, ask, apply",
            "  meshform apply -f stack.yaml --auto-approve --parallelism 4",
            "", ExitCodes.APPLY_HELP})
class ApplyCommand implements Callable<Integer> {
    @Mixin
    StateOptions global;

    @Mixin
    PlanCommand.PlanFlags flags;

    @Parameters(arity = "0..1", paramLabel = "PLANFILE", description = "A plan saved with `meshform plan --out`; applied only when planning again gives exactly its changes, else refused (default: none, plan afresh).")
    Path planFile;

    @Option(names = "--auto-approve", description = "Do not ask for approval, for pipelines (default: off, ask).")
    boolean autoApprove;

    @Option(names = "--lock", arity = "1", paramLabel = "true|false", defaultValue = "true", description = "Only true"
            + " (the default): the lock is what keeps two runs from changing the cluster and the state at once, so"
            + " --lock=false is refused; `plan --lock=false` plans from a read-only checkout.")
    boolean lock;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "10", converter = Choices.Positive.class,
            description = "Steps run at once where the plan allows; Istio install and uninstall steps run one at a"
                    + " time (default: ${DEFAULT-VALUE}).")
    int parallelism;

    private final Terminal terminal;
    /** The saved plan file as read, compared with the plan made again in the same form (SavedPlanReplay). */
    private String savedText;

    ApplyCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    boolean destroy() {
        return false;
    }

    @Override
    public Integer call() {
        flags.refuseIgnored(destroy());
        refuseUnlocked();
        if (planFile != null && destroy()) {
            throw new UserError("destroy takes no plan file; save a destroy plan with "
                    + ApplyHint.quotedPlan(global, Path.of("FILE"), true) + " and apply it with `"
                    + ApplyHint.command(global, "apply", List.of("FILE")) + "`");
        }
        // Resources close in reverse order: the lock first, then the providers (the workspace closes its
        // interrupt guard last).
        try (Workspace ws = new Workspace(global, terminal)) {
            ws.skipChecks(skippedChecks());
            ws.startAhead();
            StackLoader.Loaded loaded = PlanCommand.loadStack(ws, flags.strict);
            Stack stack = loaded.stack();
            StateBackend backend = ws.backend(stack);
            if (destroy() && !backend.exists()) {
                // No state, nothing recorded to destroy: said without the lock, whose file beside a local state is
                // created by the first lock and never deleted (LocalLockFile), so it would be all this run left.
                ws.connect(stack);
                Plan plan = freshPlan(ws, stack, ws.stateOf(StateSnapshot.empty(ws.version()), stack, backend));
                if (plan != null && !plan.hasChanges()) {
                    // The plan above said "No changes"; a --state typo must not read as a destroyed stack.
                    terminal.out().println("Nothing to destroy: " + backend.describe() + " does not exist, so no"
                            + " resource is recorded. If the stack was applied, check --state, --state-secret or the"
                            + " stack's backend.");
                    return ExitCodes.OK;
                }
            }
            Plan approved = null;
            if (planFile == null && !destroy() && !autoApprove && !backend.exists()) {
                // No state yet, and a plan to ask about: planned and asked without the lock, whose file beside a local
                // state is made by the first lock and never deleted (LocalLockFile), so an apply declined, or with no
                // terminal to ask on, would leave it as all it did. Checked again under the lock (ApprovedFirstPlan).
                // --auto-approve keeps its one plan, under the lock: nobody reads this one.
                ws.connect(stack);
                approved = freshPlan(ws, stack, ws.stateOf(StateSnapshot.empty(ws.version()), stack, backend));
                if (approved == null) {
                    return ExitCodes.ERROR;
                }
                if (approved.changes().isEmpty()) {
                    terminal.out().println("Nothing to apply.");   // the plan above said "No changes."
                    return ExitCodes.OK;
                }
            }
            // The plan file is read and checked before the lock: its refusals (unreadable, not a plan, another stack's)
            // need no state. Where no state exists yet, the whole check runs here too, as for the approved first plan
            // above: the lock's file beside a local state is never deleted (LocalLockFile), so a stale or edited plan
            // refused under the lock left a lone `.lock` as all the run did. Checked again under the lock.
            Plan saved = planFile != null ? readPlan() : null;
            if (saved != null) {
                refuseAnotherStacksPlan(saved, stack);
                refuseAnotherStatesPlan(saved, backend, stack);
                if (!backend.exists()) {
                    ws.connect(stack);
                    checkSaved(ws, saved, stack, ws.stateOf(firstState(saved, ws), stack, backend));
                }
            }
            try (LockHandle lock = ws.lockAfterConnecting(backend, destroy() ? "destroy" : "apply", stack)) {
                // A plan made before any state existed (saved, or approved above) starts the history it was made for.
                Plan bound = saved != null ? saved : approved;
                StateSnapshot stored = backend.read().orElseGet(() -> firstState(bound, ws));
                // Refused when another stack wrote it; otherwise every write of this run records the stack.
                StateSnapshot state = ws.stateOf(stored, stack, backend);
                Plan plan = saved != null ? checkSaved(ws, saved, stack, state)
                        : approved != null ? ApprovedFirstPlan.confirm(ws, approved, stack, state, flags.options(destroy()),
                                ApplyHint.command(global, "apply", List.of()))
                        : freshPlan(ws, stack, state);
                if (plan == null) {
                    return ExitCodes.ERROR;
                }
                if (!plan.hasChanges() && plan.changes().stream().allMatch(c -> state.find(c.address()).isPresent())) {
                    // A fresh plan was printed, and said "No changes." already; a saved plan was not printed.
                    terminal.out().println((saved != null ? ws.style().green("No changes.") + " " : "")
                            + (destroy() ? "Nothing to destroy." : "Nothing to apply."));
                    return ExitCodes.OK;
                }
                return run(ws, stack, plan, state, backend, lock, ws.stopRequested());
            }
        }
    }

    /** The state a run starts from where none exists: empty, in the history of {@code bound} if it was made for none. */
    private static StateSnapshot firstState(Plan bound, Workspace ws) {
        return bound != null && bound.stateSerial() == 0 ? ApprovedFirstPlan.stateFor(bound, ws.version())
                : StateSnapshot.empty(ws.version());
    }

    /**
     * Terraform's apply takes {@code -lock=false}; meshform's does not. Every guarantee a run gives about a crash, a
     * kill or a race (the journal, the fenced writes of {@code StateStore.write}, {@code LockLostException} before each
     * step) assumes one writer, which the lock is: the state's serial would only show a concurrent run after both had
     * changed the cluster.
     */
    private void refuseUnlocked() {
        if (!lock) {
            String command = destroy() ? "destroy" : "apply";
            throw new UserError(command + " does not run without the state lock: the lock is what keeps two runs from"
                    + " changing the cluster and the state at once, and the state's serial would only show the other run"
                    + " after both had. Leave out --lock=false. From a read-only checkout, `" + ApplyHint.command(global,
                    "plan", destroy() ? List.of("--destroy", "--lock=false", "--out", "FILE") : List.of("--lock=false",
                    "--out", "FILE")) + "` saves a plan, which `meshform apply FILE` applies under the lock where the"
                    + " state is writable.");
        }
    }

    /**
     * This run's flags' checks to leave out, and a saved plan's ({@code plan --no-analyze --out}): the plan made again
     * to compare with the file runs the checks the file's plan ran, so its warnings are the ones the file must show
     * ({@link #refuseEdited}). A file that cannot be read here is refused by {@link #readPlan} in its turn.
     */
    private java.util.Set<String> skippedChecks() {
        java.util.Set<String> skipped = new java.util.TreeSet<>(flags.skippedChecks());
        java.util.Set<String> saved = java.util.Set.of();
        if (planFile != null) {
            try {
                // Read once: the checks left out and the plan applied come from the same bytes.
                savedText = Workspace.read(planFile, "plan file");
                saved = new PlanJson().savedSkippedChecks(savedText);
            } catch (RuntimeException e) {
                // readPlan says what is wrong with the file
            }
        }
        // Only what `plan --no-analyze` leaves out: a name an editor added (the mTLS preview's) would switch that check
        // off for the comparison too, and its warnings, deleted from the file, would pass as never given.
        for (String check : saved) {
            if (!check.equals(io.meshform.providers.istio.core.Mesh.ANALYZE_CHECK)) {
                throw new UserError("refused plan: " + planFile + " says check `" + io.meshform.engine.diag.Quote.shortened(check)
                        + "` did not run, and no plan leaves that check out (only `plan --no-analyze`, "
                        + io.meshform.providers.istio.core.Mesh.ANALYZE_CHECK + "): the file was edited after `meshform plan`"
                        + " wrote it. Nothing was applied. Run " + ApplyHint.quotedPlan(global, planFile, destroy())
                        + " again and review the new plan.");
            }
        }
        skipped.addAll(saved);
        return skipped;
    }

    private Plan readPlan() {
        Plan plan;
        try {
            if (savedText == null) {
                savedText = Workspace.read(planFile, "plan file");
            }
            plan = new PlanJson().read(savedText);
        } catch (IllegalArgumentException e) {
            throw new UserError(planFile + ": " + e.getMessage());
        }
        refusePrintedJson(plan);
        return plan;
    }

    /**
     * {@code plan --json} and {@code show --json} print the plan without each change's {@code private} data, which a
     * saved plan always carries ({@link PlanJson} writes it, empty or not, for every change). Applied, such a file was
     * refused as edited ("the file's private differs" for every resource), which sent the user looking for an edit
     * that nobody made.
     */
    private void refusePrintedJson(Plan plan) {
        tools.jackson.databind.JsonNode changes = new JsonMapper().readTree(savedText).path("resource_changes");
        boolean anyPrivate = false;
        for (tools.jackson.databind.JsonNode c : changes) {
            anyPrivate |= c.has("private");
        }
        if (changes.isEmpty() || anyPrivate) {
            return;
        }
        throw new UserError(planFile + " is the plan JSON that `plan --json` or `show --json` prints, not a saved plan: it"
                + " leaves out what apply needs (each change's private data). Save the plan with "
                + ApplyHint.quotedPlan(global, Path.of("FILE"), plan.destroy()) + ", review it (`meshform show FILE`), then `meshform"
                + " apply` that file. Nothing was applied.");
    }

    /**
     * A plan of another stack is not stale: nothing moved, it was never this stack's. Said as "the desired-state file
     * (or a variable) changed since the plan was made", with the advice to write this stack's plan over the file, it
     * sent the user to edit a file that did not change and to lose the plan they meant to apply.
     */
    private void refuseAnotherStacksPlan(Plan plan, Stack stack) {
        if (plan.stackName() == null || stack.name() == null || plan.stackName().equals(stack.name())) {
            return;
        }
        throw new UserError("wrong stack: " + planFile + " is a plan of stack `" + plan.stackName() + "`, and " + global.file
                + " is stack `" + stack.name() + "`; nothing was applied.\nApply it with the file of stack `" + plan.stackName()
                + "` and the --state and --var it was made with (`meshform apply -f STACK_FILE " + planFile + "`), or plan "
                + global.file + " with " + ApplyHint.quotedPlan(global, Path.of("FILE"), plan.destroy()) + ".");
    }

    /**
     * A plan made where no state existed is bound to no lineage or serial, only to where its state lies (recorded by
     * {@code plan --out}; older files carry none): a plan reviewed for one --context, --state or --state-secret was
     * applied to another where no state existed either.
     */
    private void refuseAnotherStatesPlan(Plan plan, io.meshform.state.StateBackend backend, Stack stack) {
        if (plan.stateSerial() != 0) {
            return;
        }
        String madeFor = new PlanJson().savedLocation(savedText);
        String here = StateLocation.of(backend, stack);
        if (madeFor == null || madeFor.equals(here)) {
            return;
        }
        throw new UserError("wrong state: " + planFile + " was made where no state existed yet, for the state in " + madeFor
                + ", and this run's state is " + here + "; nothing was applied.\nA plan made before its state existed is"
                + " bound to where that state lies, so that a plan reviewed for one --context, --state or --state-secret is"
                + " not applied to another. Apply it with the options it was made with, or plan this state with "
                + ApplyHint.quotedPlan(global, Path.of("FILE"), plan.destroy()) + " and review that plan.");
    }

    private Plan checkSaved(Workspace ws, Plan plan, Stack stack, StateSnapshot state) {
        List<String> moved = new PlanBinding(ws.registry()).whatMoved(plan, stack, state);
        if (!moved.isEmpty()) {
            throw new UserError("stale plan: " + planFile + " no longer matches what it was made for:\n  - "
                    + String.join("\n  - ", moved) + "\nMake a new plan with " + ApplyHint.quotedPlan(global, planFile, plan.destroy()) + " and review it.");
        }
        // The digest, the serial and the live versions bind the plan's inputs, not its actions: an edited action keeps
        // them all valid. Each action must be one a plan of this stack and state can hold, and none may destroy what
        // lifecycle.preventDestroy protects (the applier checks both again before it starts).
        List<String> wrong = new java.util.ArrayList<>(PlanBinding.inconsistencies(plan, stack, state));
        Diagnostics protectedOnes = new Diagnostics();
        Planner.refuseProtectedDestroys(plan.changes(), stack, state, protectedOnes);
        protectedOnes.errors().forEach(d -> wrong.add(d.summary()));
        if (!wrong.isEmpty()) {
            throw new UserError("refused plan: " + planFile + " holds actions that no plan of this stack and state can hold"
                    + " (the file was edited or damaged after `meshform plan` wrote it):\n  - " + String.join("\n  - ", wrong)
                    + "\nNothing was applied. Run " + ApplyHint.quotedPlan(global, planFile, plan.destroy()) + " again and review the new plan.");
        }
        refuseEdited(ws, plan, stack, state);
        return plan;
    }

    /**
     * The actions being ones a plan can hold is not enough: what the file shows (an edited {@code after}, a detail) is
     * what its reviewer approved, so it must be what applying does. Nothing moved ({@link #checkSaved}), so planning
     * again gives the saved plan back exactly; compared in the form the file holds (masked, digested, redacted).
     */
    private void refuseEdited(Workspace ws, Plan plan, Stack stack, StateSnapshot state) {
        Plan replayed = new Planner(ws.registry(), ws.version()).plan(stack, state, SavedPlanReplay.options(plan));
        JsonMapper mapper = new JsonMapper();
        tools.jackson.databind.JsonNode file = mapper.readTree(savedText);
        tools.jackson.databind.JsonNode again = mapper.readTree(PlanCommand.fileText(replayed, terminal));
        List<String> edited = new java.util.ArrayList<>(SavedPlanReplay.differences(file, again));
        // what the file's reviewer was warned of, too: a warning removed from the file is an edit like any other
        edited.addAll(SavedPlanReplay.hiddenWarnings(file, again));
        List<String> moved = PlanBinding.liveMoved(plan, replayed);
        if (!edited.isEmpty() && !moved.isEmpty()) {
            // An object the plan leaves unchanged was edited in the cluster since (a kubectl patch): stale, not edited.
            throw new UserError("stale plan: " + planFile + " no longer matches what it was made for:\n  - "
                    + String.join("\n  - ", moved) + "\nNothing was applied. Make a new plan with "
                    + ApplyHint.quotedPlan(global, planFile, plan.destroy()) + " and review it.");
        }
        if (!edited.isEmpty()) {
            // The inputs the file binds (stack digest, state serial, the managed objects' versions) have not moved, so
            // either the file was edited, or something else the plan reads changed since (running pods a restart list
            // names, the istioctl binary): a saved plan applies only what it shows, as Terraform's does.
            throw new UserError("refused plan: " + planFile + " does not show what applying it would do now: planning this"
                    + " stack again, against the same state and managed objects, gives other changes or warnings (the file was edited"
                    + " after it was written, or something else the plan reads changed since, such as the running pods a"
                    + " change lists or the istioctl binary):\n  - " + String.join("\n  - ", edited) + "\nNothing was applied."
                    + " Run " + ApplyHint.quotedPlan(global, planFile, plan.destroy()) + " again and review the new plan.");
        }
    }

    private Plan freshPlan(Workspace ws, Stack stack, StateSnapshot state) {
        Plan plan = new Planner(ws.registry(), ws.version()).plan(stack, state, flags.options(destroy()));
        terminal.out().print(new PlanText(ws.style()).render(plan));
        if (!plan.hasChanges() || autoApprove) {
            return plan;
        }
        if (!terminal.interactive()) {
            String command = destroy() ? "destroy" : "apply";
            throw new UserError(command + " needs approval, and there is no terminal to ask on: pass --auto-approve, "
                    + "or apply a reviewed plan file (" + ApplyHint.quotedPlan(global, Path.of("FILE"), destroy()) + ", then `"
                    + ApplyHint.command(global, "apply", List.of("FILE")) + "`)");
        }
        // Terraform's words for each command: `terraform destroy` asks to destroy and says "Destroy cancelled."
        String answer = terminal.ask(destroy()
                ? "\nDo you really want to destroy all resources in the plan? There is no undo. Only 'yes' will be accepted.\n  Enter a value: "
                : "\nDo you want to perform these actions? Only 'yes' will be accepted.\n  Enter a value: ");
        if (!"yes".equals(answer == null ? null : answer.trim())) {
            terminal.out().println((destroy() ? "Destroy" : "Apply") + " cancelled.");
            return null;
        }
        return plan;
    }

    private int run(Workspace ws, Stack stack, Plan plan, StateSnapshot state, StateBackend backend, LockHandle lock,
                    AtomicBoolean stop) {
        Style style = ws.style();
        ApplyResult result;
        try (ConsoleProgress progress = new ConsoleProgress(terminal.out(), style)) {
            terminal.out().println();
            result = new Applier(ws.registry(), parallelism, progress).apply(stack, plan, state, backend, lock, stop);
        }
        // Before the summary, which says what the state records: said alone, it hid that the file had been made again.
        backend.notices().forEach(n -> terminal.err().println(style.yellow("warning: "
                + io.meshform.engine.diag.ControlChars.escape(n))));
        return new ApplyReport(terminal, destroy()).print(result, style);
    }
}

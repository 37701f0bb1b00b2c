package io.meshform.cli;

import io.meshform.engine.load.StackLoader;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanJson;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
import io.meshform.state.LockHandle;
import io.meshform.state.StateBackend;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "plan", description = "Show what apply would change, without changing anything.",
        footerHeading = "%nExamples:%n", footer = {
            "  meshform plan -f examples/cortex-production.yaml",
            "  meshform plan -f stack.yaml --out prod.plan --detailed-exitcode",
            "  meshform plan -f stack.yaml --all-contexts   # every kubeconfig context",
            "", ExitCodes.PLAN_HELP})
final class PlanCommand implements Callable<Integer> {
    @Mixin
    StateOptions global;

    @Mixin
    PlanFlags flags;

    /** An option of this command, not of {@link GlobalOptions}: apply, destroy and the rest run on one cluster. */
    @Option(names = "--all-contexts", description = GlobalOptions.ALL_CONTEXTS)
    void allContexts(boolean on) {
        global.allContexts = on;
    }

    @Option(names = "--out", paramLabel = "FILE", description = "Save the plan for `meshform apply FILE` (default: not saved).")
    Path out;

    @Mixin
    PlanFormat format;

    @Option(names = "--detailed-exitcode", description = "Exit 2 when the plan has changes, 0 when it has none (default: off, 0 either way).")
    boolean detailedExitCode;

    @Option(names = "--destroy", description = "Plan the removal of everything in state (default: off).")
    boolean destroy;

    @Option(names = "--lock", arity = "1", paramLabel = "true|false", defaultValue = "true", description = "Hold the"
            + " state lock while reading the state (default: ${DEFAULT-VALUE}). --lock=false reads it without the lock,"
            + " for a read-only checkout where the lock file cannot be made: the plan may show a state another run is"
            + " changing; a plan saved with --out stays bound to the state's serial and lineage, which apply checks under"
            + " its own lock.")
    boolean lock;

    @Spec
    CommandSpec spec;

    private final Terminal terminal;

    PlanCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        format.refuseBoth("plan");
        flags.refuseIgnored(destroy);
        if (!lock && !global.lockTimeout.isZero()) {
            throw new UserError("--lock-timeout is how long to wait for the state lock, and --lock=false takes none: give"
                    + " one or the other");
        }
        if (global.fleet()) {
            if (out != null) {
                throw new UserError("--out saves one plan; with several clusters, save one per cluster with --context");
            }
            if (format.markdown) {
                throw new UserError("--markdown makes one pull-request comment for one cluster; with several clusters, run "
                        + "`meshform plan --markdown --context NAME` once per cluster, or use --json for one document of all");
            }
            // Members report changes as 2 so that the fleet's summary can say which clusters have them.
            int code = Fleet.run(terminal, global, format.json, (t, g) -> planOne(t, g, true));
            return code == ExitCodes.CHANGES && !detailedExitCode ? ExitCodes.OK : code;
        }
        return planOne(terminal, global, detailedExitCode);
    }

    /**
     * One cluster's plan. When it fails, --json and --markdown still print one document on standard output, saying so
     * (the text error goes to standard error as for every command): {@code plan --json > plan.json} in a pipeline left
     * an empty file, and a pull-request comment made from {@code --markdown} was empty. A fleet's members report their
     * errors in the fleet's document. A plan already printed stays the only document: a failure after it (saving it
     * with --out) goes to standard error alone, as a second document would make the output unreadable as one.
     */
    private int planOne(Terminal terminal, GlobalOptions global, boolean detailedExitCode) {
        boolean[] printed = {false};
        try {
            return planOneReported(terminal, global, detailedExitCode, printed);
        } catch (RuntimeException e) {
            if (!global.fleetMember && !format.text() && !printed[0]) {
                terminal.out().print(format.failure(e));
            }
            throw e;
        }
    }

    private int planOneReported(Terminal terminal, GlobalOptions global, boolean detailedExitCode, boolean[] printed) {
        try (Workspace ws = new Workspace(global, terminal)) {
            ws.skipChecks(flags.skippedChecks());
            Planned planned = makePlan(ws, flags.options(destroy), "plan", lock);
            // The stack's own warnings were printed as it loaded; the JSON, the Markdown and the saved plan (what `show`
            // prints) carry them too, or a pipeline reading those lost them ("variable declared but never used").
            Plan plan = planned.plan().withDiagnosticsFirst(planned.stackWarnings());
            terminal.out().print(format.render(format.text() ? planned.plan() : plan, ws.style()));
            printed[0] = true;
            if (planned.stateReadUnlocked()) {
                // The machine formats stay one document: the note goes beside them, on standard error.
                (format.text() ? terminal.out() : terminal.err()).println((format.text() ? "\n" : "")
                        + ws.style().yellow(UNLOCKED_NOTE));
            }
            if (out != null) {
                // Only a plan made where no state existed records where it lies (PlanJson.writeSaved).
                save(plan, out, terminal, plan.stateSerial() == 0 ? planned.stateLocation().get() : null,
                        flags.skippedChecks());
                if (format.text()) {
                    terminal.out().println("\nSaved the plan to " + out + ". Apply exactly this plan with:\n  " + ApplyHint.of(global, out));
                }
            }
            return detailedExitCode && plan.hasChanges() ? ExitCodes.CHANGES : ExitCodes.OK;
        }
    }

    /** What a plan read without the lock says, after the plan. */
    static final String UNLOCKED_NOTE = "Note: --lock=false: the state was read without the state lock, so a run holding"
            + " it may have been changing it. A plan saved from this run is still bound to the state's serial and lineage:"
            + " apply checks them under its own lock and refuses the plan if the state moved.";

    /**
     * Plans under the state lock, so the state read is the one the plan is bound to; with {@code lock} false (plan
     * --lock=false, for a read-only checkout) without it: the binding to the state's serial and lineage still makes
     * apply refuse a saved plan whose state moved, checked under apply's own lock.
     */
    private static Planned makePlan(Workspace ws, PlanOptions options, String operation, boolean lock) {
        long start = System.nanoTime();
        ws.startAhead();
        StackLoader.Loaded loaded = loadStack(ws, options.strict());
        ws.debug("loaded and validated " + loaded.stack().resources().size() + " resources", start);
        StateBackend backend = ws.backend(loaded.stack());
        if (!backend.exists()) {
            // No state to hold still while planning: planned without the lock, whose file beside a local state is made
            // by the first lock and never deleted (LocalLockFile), so a plan would leave it as all it did. A state an
            // apply creates meanwhile makes a saved plan of this one stale (PlanBinding: "state was created").
            ws.connect(loaded.stack());
            StateSnapshot none = ws.stateOf(StateSnapshot.empty(ws.version()), loaded.stack(), backend);
            try {
                return new Planned(plan(ws, loaded.stack(), none, options), false, () -> StateLocation.of(backend, loaded.stack()),
                        loaded.warnings());
            } catch (io.meshform.engine.diag.DiagnosticsException e) {
                if (!backend.exists()) {
                    throw e;
                }
                // An apply created the state while this plan read the cluster: the objects it made carry the mark of a
                // state this plan did not read, and refusing them as "another state's" would send the user after the
                // wrong state. Plan as any plan of an existing state: under its lock (said to be held while that apply
                // runs, unless --lock-timeout waits for it), with the state it wrote.
                ws.debug("the state was created while planning without it: planning again with it", System.nanoTime());
            }
        }
        // Worked out only for a saved plan that needs it: for a Kubernetes state it parses the kubeconfig's CA.
        java.util.function.Supplier<String> location = () -> StateLocation.of(backend, loaded.stack());
        if (!lock) {
            ws.connect(loaded.stack());
            return new Planned(plan(ws, loaded.stack(), ws.readState(backend, loaded.stack()), options), true, location,
                    loaded.warnings());
        }
        try (LockHandle held = ws.lockAfterConnecting(backend, operation, loaded.stack())) {
            return new Planned(plan(ws, loaded.stack(), ws.readState(backend, loaded.stack()), options), false, location,
                    loaded.warnings());
        }
    }

    /**
     * Loads the stack for plan, apply or destroy. With --strict its own warnings (a variable declared but never used, a
     * manifest field the server sets) are errors too, before anything is read or contacted: --strict promises "every
     * warning", and these were printed as warnings while the plan went on and exited 0.
     */
    static StackLoader.Loaded loadStack(Workspace ws, boolean strict) {
        StackLoader.Loaded loaded = ws.loadStack(!strict);
        if (strict && !loaded.warnings().isEmpty()) {
            io.meshform.engine.diag.Diagnostics errors = new io.meshform.engine.diag.Diagnostics();
            loaded.warnings().forEach(w -> errors.error(w.summary(), (w.detail() == null ? "" : w.detail() + "\n")
                    + "(an error because of --strict)", w.range()));
            throw new io.meshform.engine.diag.DiagnosticsException(errors);
        }
        return loaded;
    }

    /**
     * A plan, whether it read a state without holding its lock (plan --lock=false), which its output says, and where
     * its state lies ({@link StateLocation}).
     */
    private record Planned(Plan plan, boolean stateReadUnlocked, java.util.function.Supplier<String> stateLocation,
                           List<io.meshform.engine.diag.Diagnostic> stackWarnings) {
    }

    private static Plan plan(Workspace ws, io.meshform.engine.model.Stack stack, StateSnapshot state, PlanOptions options) {
        long planning = System.nanoTime();
        Plan plan = new Planner(ws.registry(), ws.version()).plan(stack, state, options);
        ws.debug("read the cluster and planned " + plan.changes().size() + " changes", planning);
        return plan;
    }

    /**
     * Owner-only, and through the redactor: a saved plan is stored by pipelines and read by reviewers. A plan made where
     * no state existed records where that state lies ({@link StateLocation}), which nothing else binds it to.
     */
    static void save(Plan plan, Path file, Terminal terminal, String stateLocation, java.util.Set<String> skippedChecks) {
        String text = new PlanJson().writeSaved(plan, stateLocation, skippedChecks);
        PrivateFiles.write(file, terminal.redactor() == null ? text : terminal.redactor().redact(text));
    }

    /** A saved plan's text; apply compares a saved file with its plan made again in this form. */
    static String fileText(Plan plan, Terminal terminal) {
        String text = new PlanJson().write(plan, true);
        return terminal.redactor() == null ? text : terminal.redactor().redact(text);
    }

    /** --target, --exclude, --replace and --strict, shared by plan, apply and destroy. */
    static final class PlanFlags {
        // A destroy removes dependants before what they depend on (Planner.select), so there the closure turns round.
        @Option(names = "--target", paramLabel = "ADDR", description = "Only this resource and what it depends on; in a"
                + " destroy (destroy, plan --destroy), this resource and what depends on it (repeatable; default: every"
                + " resource).")
        List<String> targets = List.of();

        @Option(names = "--exclude", paramLabel = "ADDR", description = "Leave out this resource and what depends on it;"
                + " in a destroy (destroy, plan --destroy), this resource and what it depends on (repeatable; default:"
                + " none).")
        List<String> excludes = List.of();

        @Option(names = "--replace", paramLabel = "ADDR", description = "Delete and re-create this resource (repeatable; default: none).")
        List<String> replace = List.of();

        @Option(names = "--strict", description = "Treat every warning (the stack's own, such as a variable declared but"
                + " never used; mesh safety checks such as a connection the plan breaks or an ingress path let through"
                + " without the auth proxy; istioctl analyze's messages about what the plan touches; and warnings on"
                + " changes) as an error (default: off).")
        boolean strict;

        @Option(names = "--no-analyze", description = "Do not run `istioctl analyze` on the cluster as it will be after the plan"
                + " (default: run it when the stack declares Istio objects or namespaces). A plan saved with it records"
                + " so, and `apply FILE` leaves analyze out as that plan did.")
        boolean noAnalyze;

        /** The checks this run leaves out. */
        java.util.Set<String> skippedChecks() {
            return noAnalyze ? java.util.Set.of(io.meshform.providers.istio.core.Mesh.ANALYZE_CHECK) : java.util.Set.of();
        }

        @Option(names = "--delete-adopted", description = "Delete adopted objects (taken over with adopt: true or "
                + "`meshform import`) that leave management (default: off, they stay in the cluster).")
        boolean deleteAdopted;

        PlanOptions options(boolean destroy) {
            refuseIgnored(destroy);
            return new PlanOptions(addresses(targets, "--target"), addresses(excludes, "--exclude"),
                    addresses(replace, "--replace"), destroy, strict, deleteAdopted);
        }

        /** Before any work: a flag this run would ignore is an error, not a silent no-op. */
        void refuseIgnored(boolean destroy) {
            if (destroy && !replace.isEmpty()) {
                // A destroy deletes every resource and re-creates none: the flag would be ignored.
                throw new UserError("--replace re-creates a resource, and a destroy re-creates nothing: it cannot be combined"
                        + " with destroy (or plan --destroy); run `meshform apply --replace " + replace.get(0) + "` instead");
            }
        }

        private static Set<ResourceAddress> addresses(List<String> texts, String flag) {
            Set<ResourceAddress> out = new LinkedHashSet<>();
            for (String t : texts) {
                try {
                    out.add(ResourceAddress.parse(t));
                } catch (IllegalArgumentException e) {
                    throw new UserError(flag + ": " + e.getMessage());
                }
            }
            return out;
        }
    }
}

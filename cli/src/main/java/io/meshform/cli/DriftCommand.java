package io.meshform.cli;

import io.meshform.engine.drift.DriftDetector;
import io.meshform.engine.drift.DriftReport;
import io.meshform.engine.drift.IgnoreRule;
import io.meshform.engine.load.StackLoader;
import io.meshform.engine.render.DriftFormats;
import io.meshform.engine.render.Style;
import io.meshform.state.StateBackend;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "drift", description = "Report where the live cluster moved away from what meshform applied. "
        + "Changes nothing.", footerHeading = "%nExamples:%n", footer = {
            "  meshform drift -f examples/cortex-production.yaml",
            "  meshform drift -f stack.yaml --format junit --output drift.xml",
            "  meshform drift -f stack.yaml --ignore kubernetes.labels.cortex:labels.team",
            "  meshform drift -f stack.yaml --fail-on-pending    # nightly: exit 2 when a declared resource is not applied",
            "", ExitCodes.DRIFT_HELP})
final class DriftCommand implements Callable<Integer> {
    @Mixin
    StateOptions global;

    /** An option of this command, not of {@link GlobalOptions}: apply, destroy and the rest run on one cluster. */
    @Option(names = "--all-contexts", description = GlobalOptions.ALL_CONTEXTS)
    void allContexts(boolean on) {
        global.allContexts = on;
    }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", converter = Choices.DriftFormat.class,
            completionCandidates = Choices.DriftFormat.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the report to FILE, owner-only (default: standard output).")
    Path output;

    @Option(names = "--ignore", paramLabel = "ADDR[:FIELD]",
            description = "Known noise: leave out a resource, or one field of it, e.g. kubernetes.labels.cortex:labels.team"
                    + " or istio.peerAuthentication.mongo:mtls.mode, FIELD as a finding names it: \"changed outside meshform"
                    + " (mtls.mode changed)\" (repeatable; default: none). The resource's deposed objects (old objects of"
                    + " moves whose delete did not go through) are still reported: `meshform apply` deletes them, `meshform state rm ADDR` forgets them.")
    List<String> ignore = List.of();

    @Option(names = "--no-analyze", description = "Do not run `istioctl analyze` on the live cluster; the report says it"
            + " was skipped (default: run it when the stack declares Istio objects or namespaces).")
    boolean noAnalyze;

    @Option(names = "--fail-on-pending", description = "Fail (exit 2) when a declared resource is not applied: not in the"
            + " state, e.g. destroyed with `destroy --exclude`; or when part of an applied one cannot be checked (a"
            + " sensitive value rotated in the stack, not applied yet); for scheduled checks of a stack that is applied whole"
            + " (default: off, such resources are listed as not yet applied or not checked in full, not drift).")
    boolean failOnPending;

    @Option(names = "--allow-empty-state",
            description = "Accept a missing or empty state (a stack not applied yet) and check only that the cluster answers "
                    + "(default: off, drift with no state is an error: it would check nothing).")
    boolean allowEmptyState;

    @Spec
    CommandSpec spec;

    private final Terminal terminal;

    DriftCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        List<IgnoreRule> ignored = new ArrayList<>();
        for (String i : ignore) {
            try {
                ignored.add(IgnoreRule.parse(i));
            } catch (IllegalArgumentException e) {
                throw new UserError("--ignore: " + e.getMessage());
            }
        }
        if (global.fleet()) {
            if (output != null || !(format.equals("text") || format.equals("json"))) {
                throw new UserError("a fleet drift check prints text or one JSON document (--format json); run one cluster "
                        + "at a time (--context NAME) for --format " + format + (output != null ? " and --output" : ""));
            }
            return Fleet.run(terminal, global, format.equals("json"), (t, g) -> driftOne(t, g, ignored));
        }
        return driftOne(terminal, global, ignored);
    }

    private int driftOne(Terminal terminal, GlobalOptions global, List<IgnoreRule> ignored) {
        String stackName = null;
        try (Workspace ws = new Workspace(global, terminal)) {
            if (noAnalyze) {
                ws.skipChecks(java.util.Set.of(io.meshform.providers.istio.core.Mesh.ANALYZE_CHECK));
            }
            ws.startAhead();
            StackLoader.Loaded loaded = ws.loadStack();
            stackName = loaded.stack().name();
            StateBackend backend = ws.backend(loaded.stack());
            // Read without the lock: drift only reads, and a scheduled check must not block an apply.
            Optional<StateSnapshot> state = backend.read().map(s -> ws.stateOf(s, loaded.stack(), backend));
            // A state that records only deposed objects (old objects of moves still to delete) has something to check.
            if (!allowEmptyState && state.map(s -> s.resources().isEmpty() && s.deposed().isEmpty()).orElse(true)) {
                throw new UserError("no state to check drift against: " + backend.describe()
                        + (state.isEmpty() ? " does not exist" : " records no resources")
                        + "\nA drift check compares the cluster with what meshform applied, so it would check nothing. Check"
                        + " --state, --state-secret or the stack's backend; pass --allow-empty-state if the stack is not"
                        + " applied yet.");
            }
            refuseUnknownIgnores(ignored, loaded.stack(), state);
            java.time.Instant started = java.time.Instant.now();
            long start = System.nanoTime();
            DriftReport report = skippedAnalyzeSaid(new DriftDetector(ws.registry()).detect(loaded.stack(),
                    state.orElseGet(() -> StateSnapshot.empty(ws.version())), ignored)).withFailOnPending(failOnPending);
            String text = new DriftFormats().withTiming(started, java.time.Duration.ofNanos(System.nanoTime() - start))
                    .render(report, format, output == null ? ws.style() : Style.plain());
            emit(terminal, text);
            return report.failed() ? ExitCodes.CHANGES : ExitCodes.OK;
        } catch (RuntimeException e) {
            // A failed check must not read as a clean one: the machine formats carry the error (JUnit: a test in
            // error), and a report file is replaced rather than left as an older run's success. A fleet reports
            // each member's error itself.
            if (!global.fleetMember && (output != null || format.equals("junit") || format.equals("json"))) {
                emit(terminal, new DriftFormats().failure(stackName, Main.describe(e, Style.plain()), format));
            }
            throw e;
        }
    }

    /**
     * An --ignore that names no resource of the stack or the state is a typo, and silently ignoring nothing would let a
     * report read as if the intended resource were checked (or skipped). So is one that names only deposed objects,
     * which --ignore does not leave out.
     */
    private static void refuseUnknownIgnores(List<IgnoreRule> ignored, io.meshform.engine.model.Stack stack,
                                             Optional<StateSnapshot> state) {
        java.util.Set<String> known = new java.util.TreeSet<>();
        stack.resources().forEach(r -> known.add(r.address().toString()));
        state.ifPresent(s -> s.resources().forEach(r -> known.add(r.address())));
        for (IgnoreRule rule : ignored) {
            String address = rule.address().toString();
            if (!known.contains(address) && state.map(s -> !s.deposed(address).isEmpty()).orElse(false)) {
                throw new UserError("--ignore names `" + address + "`, of which the state records only deposed objects (old"
                        + " objects of moves whose delete did not go through); --ignore does not leave those out"
                        + "\n`meshform apply` deletes them; `meshform state rm " + address + "` forgets them, leaving them in the"
                        + " cluster.");
            }
            if (!known.contains(address)) {
                throw new UserError("--ignore names `" + address + "`, which the stack does not declare and the state does"
                        + " not record" + io.meshform.engine.diag.Suggestions.closest(address, known)
                                .map(s -> " (did you mean `" + s + "`?)").orElse("")
                        + "\nCheck the address with `meshform state list`.");
            }
        }
    }

    /**
     * With --no-analyze the report says that Istio's analyzers did not look at the cluster: a clean report must not
     * read as if every check had run (a nightly job that skips analyze for want of rights says so in every report).
     */
    private DriftReport skippedAnalyzeSaid(DriftReport report) {
        if (!noAnalyze) {
            return report;
        }
        List<io.meshform.engine.diag.Diagnostic> notes = new java.util.ArrayList<>(report.notes());
        notes.add(io.meshform.engine.diag.Diagnostic.info("istioctl analyze skipped (--no-analyze): Istio's analyzers did"
                + " not check the live cluster", null, null));
        return report.withNotes(notes);
    }

    private void emit(Terminal terminal, String text) {
        if (output != null) {
            PrivateFiles.write(output, terminal.redactor() == null ? text : terminal.redactor().redact(text));
        } else {
            terminal.out().print(text);
        }
    }
}

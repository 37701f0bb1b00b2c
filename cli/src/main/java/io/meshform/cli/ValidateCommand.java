package io.meshform.cli;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.diag.FileOrder;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.load.StackLoader;
import io.meshform.engine.load.UnknownValue;
import io.meshform.engine.plan.Validator;
import io.meshform.engine.render.Plural;
import io.meshform.providers.istio.core.Mesh;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "validate", description = "Check the desired-state file without contacting the cluster: structure, "
        + "variables, each resource's spec, manifest files, the dependency graph, Istio's own validation of every Istio "
        + "object (istioctl validate) and the mesh checks that need no cluster. A stack that passes fails plan only for "
        + "reasons that need the cluster, so validate needs every variable value plan needs (--var, --var-file, "
        + "MESHFORM_VAR_NAME): a variable without one is an error, reported with every other problem found without it.",
        footerHeading = "%nExamples:%n", footer = {
            "  meshform validate -f examples/cortex-production.yaml",
            "  meshform validate -f examples/cortex-staging.yaml --var istioAddons=addons   # Istio's samples/addons copied to examples/addons",
            "  meshform validate -f stack.yaml --var istioVersion=1.30.3",
            "  meshform validate -f stack.yaml --json"})
final class ValidateCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Option(names = "--json", description = "Print the result as JSON, for editors and CI annotations (default: text).")
    boolean json;

    private final Terminal terminal;

    ValidateCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        try (Workspace ws = new Workspace(global, terminal)) {
            // Every warning of the load and the checks in one list, so the output reads in file order (FileOrder).
            List<Diagnostic> warnings = new ArrayList<>();
            StackLoader.Loaded loaded = null;
            try {
                loaded = ws.loadStackWithoutValues(false);
                warnings.addAll(loaded.warnings());
                if (loaded.unknown().isEmpty()) {
                    warnings.addAll(unchecked(new Validator(ws.registry()).validate(loaded.stack())));
                } else {
                    throw withoutValues(ws, loaded);
                }
            } catch (DiagnosticsException e) {
                DiagnosticsException all = withEarlier(warnings, withMissingValues(ws, loaded == null ? notRun(e) : e));
                if (!json) {
                    throw all;
                }
                terminal.out().print(render(all.diagnostics()));
                return ExitCodes.ERROR;
            } catch (UserError e) {
                if (!json) {
                    throw e;
                }
                terminal.out().print(render(List.of(Diagnostic.error(e.getMessage(), null, null))));
                return ExitCodes.ERROR;
            }
            List<Diagnostic> sorted = FileOrder.of(warnings);
            if (json) {
                terminal.out().print(render(sorted));
                return ExitCodes.OK;
            }
            sorted.forEach(w -> terminal.err().println(w.severity() == Severity.INFO ? ws.style().dim(w.format())
                    : ws.style().yellow(w.format())));
            terminal.out().println(ws.style().green("Success!") + " " + global.file + " is valid: stack `" + loaded.stack().name() + "`, " + Plural.of(loaded.stack().resources().size(), "resource")
                    + counts(warnings));
            return ExitCodes.OK;
        }
    }

    /**
     * The problems of a stack some variable has no value for, found without those values (left as written; only the
     * checks that need them are skipped, each said in a note); the caller adds the "has no value" error at each such
     * variable's declaration ({@link #withMissingValues}, plan's own words), so one run shows them all. Still an error, not a
     * qualified pass: issue 13 wants a stack that passes validate to fail plan only for reasons that need the cluster,
     * and plan needs every value; {@code terraform validate}, which passes such a stack, gives no such promise.
     */
    private DiagnosticsException withoutValues(Workspace ws, StackLoader.Loaded loaded) {
        Diagnostics all = new Diagnostics();
        try {
            new Validator(ws.registry()).validateKnown(loaded.stack(), loaded.unknown().stream().map(UnknownValue::address)
                    .collect(java.util.stream.Collectors.toSet())).forEach(all::add);
        } catch (DiagnosticsException e) {
            e.diagnostics().forEach(all::add);
        }
        // Without istioctl its "did not run" warning is among them: the note must not then say istioctl checked anything.
        skipped(loaded, all.all().stream().anyMatch(Mesh::istioctlDidNotRun)).forEach(all::add);
        // The caller adds the load's warnings and the "variable `X` has no value" errors (withMissingValues), once.
        return new DiagnosticsException(all);
    }

    /**
     * {@code e}, the errors found without the values some variables lack, with the "has no value" errors the load
     * that needs every value gives (each once): the stack's other errors do not hide that plan needs them too.
     */
    private static DiagnosticsException withMissingValues(Workspace ws, DiagnosticsException e) {
        try {
            ws.loadStack(false);
            return e;
        } catch (DiagnosticsException full) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            Diagnostics all = new Diagnostics();
            for (Diagnostic d : e.diagnostics()) {
                if (seen.add(d.format())) {
                    all.add(d);
                }
            }
            for (Diagnostic d : full.diagnostics()) {
                if (seen.add(d.format())) {
                    all.add(d);
                }
            }
            return new DiagnosticsException(all);
        } catch (RuntimeException other) {
            return e;  // the load's own failure (a file that went away) is said by e already
        }
    }

    /**
     * A note at each value a variable without a value gives, and one for the checks left out: what was not checked is
     * said beside the errors, so the problems shown are not read as all there are. When istioctl could not run
     * ({@code istioctlDidNotRun}) its own warning says so, and the note says only what was skipped.
     */
    private static List<Diagnostic> skipped(StackLoader.Loaded loaded, boolean istioctlDidNotRun) {
        List<Diagnostic> notes = new ArrayList<>();
        for (UnknownValue u : loaded.unknown()) {
            notes.add(Diagnostic.info(u.address() + ": " + u.field() + " is not known without " + u.references()
                    + (u.specUnchecked() ? ": the file it names cannot be read, so its spec was not checked"
                    : ": the checks of its value were skipped"), null, u.range()));
        }
        notes.add(Diagnostic.info((istioctlDidNotRun ? "the checks that need every value were skipped"
                        : "istioctl validate checked only the objects whose values are all known, and the stack's other"
                        + " checks were skipped") + " (the mesh checks, which judge how objects go together,"
                        + " istioctl's offline render of each istio.install, manifest kinds against the stack's CRDs) without "
                        + variables(loaded),
                "give every value (--var NAME=VALUE, --var-file FILE or MESHFORM_VAR_NAME) to run every check; plan and"
                        + " apply need them", null));
        return notes;
    }

    /**
     * {@code e}, the errors of a stack that did not load, with a note that the checks of a loaded stack did not run: the
     * errors shown read as all there were, and the next run found more (a PeerAuthentication's misspelt field, which
     * only istioctl validate knows, beside a ConfigMap's). Nothing is added where the file itself was not read.
     */
    private static DiagnosticsException notRun(DiagnosticsException e) {
        if (e.diagnostics().stream().noneMatch(d -> d.range() != null && d.range().known())) {
            return e;
        }
        Diagnostics all = new Diagnostics();
        e.diagnostics().forEach(all::add);
        all.add(Diagnostic.info("the checks of a stack that loads did not run (Istio's validation with istioctl validate,"
                        + " the mesh checks, istioctl's offline render of each istio.install, manifest kinds against the"
                        + " stack's CRDs), so they may find more",
                "fix the errors above and run validate again", null));
        return new DiagnosticsException(all);
    }

    /** "a value for `ns`" or "values for `mode`, `ns`". */
    private static String variables(StackLoader.Loaded loaded) {
        java.util.Set<String> names = loaded.unknownVariables();
        return (names.size() == 1 ? "a value for " : "values for ") + String.join(", ",
                names.stream().map(n -> "`" + n + "`").toList());
    }

    /** The errors of {@code e} with the warnings found before it, all in file order. */
    private static DiagnosticsException withEarlier(List<Diagnostic> earlier, DiagnosticsException e) {
        if (earlier.isEmpty()) {
            return e;
        }
        Diagnostics all = new Diagnostics();
        earlier.forEach(all::add);
        e.diagnostics().forEach(all::add);
        return new DiagnosticsException(all);
    }

    /**
     * {@code found}, or an error when Istio's own validation could not run (no istioctl): the Istio objects were not
     * checked, so "valid" would be false, and a CI step must not pass them. As {@code terraform validate} fails
     * without its providers; plan keeps it a warning ({@code --strict} refuses it), since the API server's webhook
     * still checks what is applied.
     */
    private static List<Diagnostic> unchecked(List<Diagnostic> found) {
        if (found.stream().noneMatch(Mesh::istioctlDidNotRun)) {
            return found;
        }
        Diagnostics errors = new Diagnostics();
        for (Diagnostic d : found) {
            errors.add(Mesh.istioctlDidNotRun(d) ? Diagnostic.error(d.summary(), d.detail()
                    + ". validate fails until istioctl runs: a stack whose Istio objects were not checked is not known to"
                    + " be valid", d.range()) : d);
        }
        throw new DiagnosticsException(errors);
    }

    /** ", 2 warnings, 1 note." (notes, such as the ingress coverage table, are not warnings). */
    static String counts(List<Diagnostic> diagnostics) {
        long notes = diagnostics.stream().filter(d -> d.severity() == Severity.INFO).count();
        long warnings = diagnostics.size() - notes;
        return (warnings == 0 ? "" : ", " + Plural.of(warnings, "warning")) + (notes == 0 ? "" : ", " + Plural.of(notes, "note")) + ".";
    }

    /** Terraform's {@code validate -json} shape: valid, counts, and each diagnostic with its file position. */
    static String render(List<Diagnostic> diagnostics) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        long errors = diagnostics.stream().filter(Diagnostic::isError).count();
        root.put("format_version", "1.0");
        root.put("valid", errors == 0);
        root.put("error_count", errors);
        root.put("warning_count", diagnostics.stream().filter(d -> d.severity() == Severity.WARNING).count());
        ArrayNode list = root.putArray("diagnostics");
        for (Diagnostic d : diagnostics) {
            ObjectNode o = list.addObject();
            o.put("severity", d.severity().name().toLowerCase(java.util.Locale.ROOT));
            o.put("summary", d.summary());
            o.put("detail", d.detail() == null ? "" : d.detail());
            if (d.range() != null) {
                ObjectNode r = o.putObject("range");
                r.put("filename", d.range().file());
                if (d.range().known()) {
                    r.putObject("start").put("line", d.range().line()).put("column", d.range().column());
                }
            }
        }
        return JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(root) + "\n";
    }
}

package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.diag.ValueDescription;
import io.meshform.engine.model.BackendConfig;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.SourceLocator;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Sensitive;
import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.ResourceType;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.state.BackendCatalog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Loads a desired-state file (and the files it imports) into a {@link Stack}: strict structure checks,
 * variables, and each provider's spec validation. Every error in the files is collected and reported at
 * once, with file, line and column.
 *
 * <p>The declarations of variables ({@link StackVariables}), resources ({@link StackResources}) and the backend
 * ({@link StackBackend}) are read by their own classes; this one walks the files (imports first, each confined to the
 * stack's root), reads the metadata and the files resources name, and puts the parts together.
 */
public final class StackLoader {
    public static final String API_VERSION = "meshform.io/v1alpha1";
    private static final Set<String> TOP_KEYS = Set.of("apiVersion", "kind", "metadata", "imports", "variables",
            "backend", "resources");
    private static final int MAX_IMPORT_DEPTH = 8;

    private final YamlReader yaml = new YamlReader();
    private final TypeRegistry types;
    /** Resources whose named file could not be read, or whose spec holds a reference that could not be resolved (its
     * problem reported), in this load: their specs are not validated. */
    private final Set<ResourceAddress> unreadable = new HashSet<>();
    /** Resources whose named file is not known in this load (its name refers to a variable without a value). */
    private final Set<ResourceAddress> unknownFiles = new HashSet<>();
    private final StackBackend backend;

    /** A loader for stacks whose {@code backend:} is one of the kinds on the class path. */
    public StackLoader(TypeRegistry types) {
        this(types, BackendCatalog.installed());
    }

    public StackLoader(TypeRegistry types, BackendCatalog backends) {
        this.types = types;
        this.backend = new StackBackend(backends);
    }

    /**
     * The loaded stack and any warnings; throws {@link DiagnosticsException} listing every error. {@code secrets}: the
     * texts the values of its {@code sensitive} variables may be printed as, for the output's redactor.
     */
    public record Loaded(Stack stack, List<Diagnostic> warnings, Set<String> secrets, List<UnknownValue> unknown) {

        public Loaded {
            secrets = Set.copyOf(secrets);
            unknown = List.copyOf(unknown);
        }

        public Loaded(Stack stack, List<Diagnostic> warnings, Set<String> secrets) {
            this(stack, warnings, secrets, List.of());
        }

        public Loaded(Stack stack, List<Diagnostic> warnings) {
            this(stack, warnings, Set.of());
        }

        /** The variables a value of the stack refers to that had no value ({@link #loadWithoutValues}). */
        public Set<String> unknownVariables() {
            Set<String> names = new java.util.TreeSet<>();
            unknown.forEach(u -> names.addAll(u.variables()));
            return names;
        }
    }

    /** Loads without confinement: library use and tests. The CLI passes the stack's root. */
    public Loaded load(Path file, VariableInputs inputs) {
        return load(file, inputs, StackRoot.unconfined());
    }

    /**
     * Loads {@code file}; every file it names ({@code imports}, {@code --var-file}s, a local backend {@code path})
     * must lie inside {@code root} (see {@link StackRoot}).
     */
    public Loaded load(Path file, VariableInputs inputs, StackRoot root) {
        return load(file, inputs, root, false);
    }

    /**
     * As {@link #load(Path, VariableInputs, StackRoot)}, but a declared variable given no value is unknown rather than an
     * error, as {@code terraform validate} takes its variables: for the commands that need no value ({@code validate},
     * {@code graph}, {@code state rm|mv|push}). A value that refers to one stays as written, and the checks of it that
     * need the value are left out and listed ({@link Loaded#unknown}); every other check runs, and a value that is given
     * is checked as in a load. Such a stack is never planned or applied: only {@link #load} makes one for that.
     */
    public Loaded loadWithoutValues(Path file, VariableInputs inputs, StackRoot root) {
        return load(file, inputs, root, true);
    }

    private Loaded load(Path file, VariableInputs inputs, StackRoot root, boolean unknownAllowed) {
        StackDigest digest = StackDigest.start();
        try {
            return load(file, inputs, root, digest, unknownAllowed);
        } finally {
            digest.abandon();  // after a successful load the digest already has its content, and this does nothing
        }
    }

    /**
     * The backend {@code file} names (the local file beside it when it names none), read from the files themselves
     * without the variables' values or the resources' specs: for the commands that only find the state ({@code state
     * list|show|pull}, {@code force-unlock}), which a variable without a value here must not stop, as Terraform's
     * {@code state list} needs none (a backend takes no variables, in either tool). A problem in the files (an import
     * that is not there, a backend block that is wrong, a resource of an unknown type) is an error, as in {@link #load}.
     */
    public BackendConfig backend(Path file, StackRoot root) {
        Diagnostics out = new Diagnostics();
        Parts parts = new Parts(root, file.toAbsolutePath().normalize().getParent(), types);
        collect(StackRoot.realPath(file.toAbsolutePath().normalize()), parts, out, new ArrayList<>(), file.toString(), null);
        if (out.hasErrors()) {
            throw new DiagnosticsException(out);
        }
        return parts.backend;
    }

    private Loaded load(Path file, VariableInputs inputs, StackRoot root, StackDigest digest, boolean unknownAllowed) {
        unreadable.clear();
        unknownFiles.clear();
        Diagnostics out = new Diagnostics();
        Parts parts = new Parts(root, file.toAbsolutePath().normalize().getParent(), types);
        collect(StackRoot.realPath(file.toAbsolutePath().normalize()), parts, out, new ArrayList<>(), file.toString(), null);
        // A resource of an unknown type, a misspelt `resources:` or an import that is not there is left out, and the
        // references in it unread: "declared but never used" would then be untrue of a variable only it uses.
        boolean partsLeftOut = out.hasErrors();
        // Structural errors do not stop here: the resources that did parse are still validated, so one run
        // reports every error in the file.
        Map<String, JsonNode> values = parts.variables.resolve(inputs, parts.root, yaml, unknownAllowed, out);
        Set<String> used = new HashSet<>();
        Set<String> sensitive = parts.variables.sensitiveNames();
        parts.variables.refuseUnmaskable(values, out);
        Interpolator interpolator = new Interpolator(values, parts.variables.names(), sensitive,
                parts.variables.unknownNames(), used, out);
        List<ResourceDecl> resources = new ArrayList<>();
        Map<ResourceAddress, UnknownFields> unknown = new java.util.HashMap<>();
        for (StackResources.Declared raw : parts.resources.all()) {
            int unresolvedBefore = interpolator.unresolved();
            String specPointer = raw.source().pointer() + "/spec";
            ObjectNode spec = (ObjectNode) interpolator.resolve(raw.spec(), raw.source().document(), specPointer);
            if (interpolator.unresolved() != unresolvedBefore) {
                // A reference whose problem is reported is still "${var.x}" in the spec: validating that text
                // would add a second, false error (e.g. "invalid value" for a label).
                unreadable.add(raw.address());
            }
            UnknownFields notKnown = new UnknownFields(interpolator.takeUnknownPointers(specPointer), spec);
            unknown.put(raw.address(), notKnown);
            SourceLocator source = readFiles(raw, spec, parts, file.toString(), notKnown, out);
            resources.add(new ResourceDecl(raw.address(), raw.dependsOn(), spec, source, raw.lifecycle(),
                    interpolator.takeSensitivePointers(specPointer)));
        }
        if (!partsLeftOut) {
            parts.variables.warnUnused(used, out);
        }
        DependsOnEntries.check(resources, parts.resources.leftOut(), out);
        Set<ResourceAddress> invalid = new HashSet<>(unreadable);
        for (ResourceDecl r : resources) {
            if (!unreadable.contains(r.address())) {  // its file's or a reference's problem is already reported
                if (!validateSpec(r, unknown.get(r.address()), out)) {
                    invalid.add(r.address());
                }
                UnmaskableLiterals.refuse(r, types.get(r.type()), unknown.get(r.address())::holds, out);
                if (SensitiveIdentity.refuse(r, types.get(r.type()), out)) {
                    invalid.add(r.address());
                }
            }
        }
        DeclaredTwice.refuse(resources, types, invalid, out);
        if (out.hasErrors()) {
            DependsOnEntries.cycles(resources, out);
        }
        // A sensitive value is not quoted by any error or warning (a type's "invalid value `...`" would print it).
        Set<String> secrets = parts.variables.sensitiveTexts(values);
        if (out.hasErrors()) {
            throw new DiagnosticsException(out.withText(t -> Sensitive.redact(t, secrets)));
        }
        // One form from here on: what the type applies, records and compares (validated as written, above).
        // A spec with unknown values stays as written: normalising would read `${var.port}` as a port.
        resources.replaceAll(r -> unknown.get(r.address()).isEmpty() ? new ResourceDecl(r.address(), r.dependsOn(),
                (ObjectNode) types.get(r.type()).normalise(r.spec().deepCopy()), r.source(), r.lifecycle(),
                r.sensitivePaths()) : r);
        Stack stack = new Stack(parts.metadata.name(), parts.metadata.environment(), file, parts.backend, resources,
                digest.of(parts.metadata.name(), parts.metadata.environment(), resources));
        List<UnknownValue> notKnown = new ArrayList<>();
        resources.forEach(r -> unknown.get(r.address()).pointers().forEach((at, names) -> notKnown.add(
                new UnknownValue(r.address(), at, r.source().valueRange("/spec" + at), names, unknownFiles.contains(r.address())))));
        return new Loaded(stack, out.withText(t -> Sensitive.redact(t, secrets)).warnings(), secrets, notKnown);
    }

    private static final class Parts {
        final StackRoot root;
        final Path stackDirectory;
        final StackMetadata metadata = new StackMetadata();
        BackendConfig backend = BackendConfig.localDefault();
        final StackVariables variables = new StackVariables();
        final StackResources resources;
        /** What this load has read: imports and bytes, each naming of a file counted (see ReadBudget). */
        final ReadBudget budget = new ReadBudget();

        Parts(StackRoot root, Path stackDirectory, TypeRegistry types) {
            this.root = root;
            this.resources = new StackResources(types);
            this.stackDirectory = stackDirectory;
        }
    }

    /** Reads one file after the files it imports, so the importing file's values win. */
    private void collect(Path path, Parts parts, Diagnostics out, List<Path> chain, String shownName, SourceRange namedAt) {
        if (chain.contains(path)) {
            out.error("import cycle: " + String.join(" -> ", chain.stream().map(Path::toString).toList()) + " -> " + path,
                    "remove one of the imports", null);
            return;
        }
        if (chain.size() > MAX_IMPORT_DEPTH) {
            out.error("imports nest deeper than " + MAX_IMPORT_DEPTH + " files", null, null);
            return;
        }
        YamlDocument doc;
        try {
            String what = chain.isEmpty() ? "stack file" : "imported file";
            String text = InputFiles.readText(path, shownName, what, YamlReader.MAX_BYTES);
            if (!parts.budget.read(text.length(), shownName, namedAt, out)) {
                return;
            }
            doc = yaml.parse(shownName, text, what);
        } catch (DiagnosticsException e) {
            e.diagnostics().forEach(out::add);
            return;
        }
        ObjectShape shape = new ObjectShape(doc, out);
        JsonNode root = doc.root();
        if (root == null || !root.isObject()) {
            // The root is described, never quoted (an import naming a token file), and the way out is said.
            out.error("a stack file must be a mapping", "found " + ValueDescription.kindOf(root) + "; a stack starts with"
                    + " `apiVersion: " + API_VERSION + "`, `kind: Stack` and `metadata: {name: NAME}`", doc.rangeOf(""));
            return;
        }
        java.util.Optional<String> manifest = ManifestNotStack.summary(root);
        if (manifest.isPresent()) {
            out.error(manifest.get(), ManifestNotStack.hint(path.getFileName().toString()), doc.rangeOf("/kind"));
            return;
        }
        shape.knownKeys(root, "", "the stack", TOP_KEYS);
        String apiVersion = shape.string(root, "", "apiVersion");
        if (apiVersion != null && !API_VERSION.equals(apiVersion)) {
            out.error("unsupported apiVersion `" + apiVersion + "`", "this meshform reads apiVersion: " + API_VERSION,
                    doc.rangeOf("/apiVersion"));
        }
        String kind = shape.string(root, "", "kind");
        if (kind != null && !"Stack".equals(kind)) {
            out.error("unsupported kind `" + kind + "`", "expected kind: Stack", doc.rangeOf("/kind"));
        }
        StackHeader.reportMissing(doc, root, chain.isEmpty(), out);
        chain.add(path);
        JsonNode imports = root.get("imports");
        if (imports != null) {
            if (!imports.isArray()) {
                out.error("`imports` must be a list of file paths", null, doc.rangeOf("/imports"));
            } else {
                for (int i = 0; i < imports.size(); i++) {
                    JsonNode imp = imports.get(i);
                    if (!imp.isString()) {
                        out.error("an import must be a file path", null, doc.rangeOf("/imports/" + i));
                        continue;
                    }
                    if (Uninterpolated.refused(imp.asString(), "an import", "name the file itself (one stack file per"
                            + " environment, each importing the shared one, as examples/ does)", doc.rangeOf("/imports/" + i), out)) {
                        continue;
                    }
                    Path target;
                    try {
                        target = parts.root.resolve(path.getParent(), imp.asString(), "import", doc.rangeOf("/imports/" + i));
                    } catch (DiagnosticsException e) {
                        e.diagnostics().forEach(out::add);
                        continue;
                    }
                    if (!java.nio.file.Files.exists(target)) {
                        // Said where the import is written (the missing file has no line to point at), and the
                        // absolute path where it was looked for, as for a missing stack file.
                        out.error("imported file `" + imp.asString() + "` not found",
                                "looked for " + target.toAbsolutePath().normalize() + "; imports are relative to the importing file",
                                doc.rangeOf("/imports/" + i));
                        continue;
                    }
                    String importedName = relativeName(shownName, imp.asString());
                    if (!parts.budget.importing(importedName, doc.rangeOf("/imports/" + i), out)) {
                        break;
                    }
                    collect(target, parts, out, chain, importedName, doc.rangeOf("/imports/" + i));
                }
            }
        }
        chain.remove(chain.size() - 1);
        parts.metadata.read(doc, shape, root, out, chain.isEmpty());
        parts.variables.read(doc, shape, root, out);
        BackendConfig backend = this.backend.read(doc, shape, root, parts.root, parts.stackDirectory, out);
        if (backend != null) {
            parts.backend = backend;
        }
        parts.resources.read(doc, shape, root, out);
    }

    /**
     * Reads the files the resource's type asks for ({@link ResourceType#fileFields}) into its spec, in place of their
     * names: inside the root, bounded, with the same YAML rules as the stack. Returns the resource's locator, which
     * points problems inside such content into its file.
     */
    private SourceLocator readFiles(StackResources.Declared raw, ObjectNode spec, Parts parts, String stackShown,
                                    UnknownFields unknown, Diagnostics out) {
        SourceLocator source = raw.source();
        ResourceType type = types.find(raw.address().type()).orElse(null);
        if (type == null) {
            return source;
        }
        for (Map.Entry<String, String> f : type.fileFields().entrySet()) {
            JsonNode name = spec.get(f.getKey());
            if (name == null || !name.isString()) {
                continue;  // absent, or not a string: the type's own validation says so
            }
            SourceRange at = raw.source().range("/spec/" + f.getKey());
            if (unknown.holds("/" + YamlReader.escape(f.getKey()))) {
                unreadable.add(raw.address());  // no file to read until the variable has a value: its spec is not checked
                unknownFiles.add(raw.address());
                continue;
            }
            if (spec.has(f.getValue()) && !spec.get(f.getValue()).isNull()) {
                out.error(raw.address() + ": set `" + f.getValue() + "` or `" + f.getKey() + "`, not both",
                        "`" + f.getKey() + "` names a file whose object becomes `" + f.getValue() + "`", at);
                continue;
            }
            String shown = relativeName(stackShown, name.asString());
            try {
                Path path = parts.root.resolve(parts.stackDirectory, name.asString(), f.getKey() + ":", at);
                String text = parts.budget.open() ? InputFiles.readText(path, shown, "file", YamlReader.MAX_BYTES) : null;
                if (text == null || !parts.budget.read(text.length(), shown, at, out)) {
                    unreadable.add(raw.address());  // the budget's error, said once, stands for every file left unread
                    continue;
                }
                YamlDocument content = yaml.parse(shown, text, "file");
                if (!content.root().isObject()) {
                    out.error(raw.address() + ": " + shown + " must hold one object (a mapping)",
                            "found " + io.meshform.engine.diag.ValueDescription.kindOf(content.root()), content.rangeOf(""));
                    unreadable.add(raw.address());
                    continue;
                }
                spec.remove(f.getKey());
                spec.set(f.getValue(), content.root());
                source = source.withEmbedded("/spec/" + f.getValue(), content);
            } catch (DiagnosticsException e) {
                // A file that cannot be read at all (missing, a directory, too large) has no line to point at: the
                // error stands where the stack names it, as a missing import's does; one inside the file keeps its own.
                e.diagnostics().forEach(d -> out.add(d.range().known() ? d : new Diagnostic(d.severity(),
                        raw.address() + ": " + d.summary().replaceFirst("^file ", "file `"
                                + java.util.regex.Matcher.quoteReplacement(name.asString()) + "` "), d.detail(), at)));
                unreadable.add(raw.address());
            }
        }
        return source;
    }

    private static String relativeName(String importer, String imported) {
        Path parent = Path.of(importer).getParent();
        return parent == null ? imported : parent.resolve(imported).normalize().toString();
    }

    /** @return true when the spec has no error (warnings aside) */
    private boolean validateSpec(ResourceDecl r, UnknownFields unknown, Diagnostics out) {
        ResourceType type = types.get(r.type());
        boolean valid = true;
        for (FieldProblem problem : type.validate(r.spec())) {
            if (unknown.about(problem)) {
                continue;  // it judges `${var.x}` as written, not a value (listed in Loaded.unknown)
            }
            String summary = r.address() + ": " + (problem.path().isEmpty() ? "spec" : "spec" + problem.path().replace('/', '.'))
                    + ": " + problem.message();
            SourceRange at = problem.atValue() ? r.source().valueRange("/spec" + problem.path())
                    : r.source().range("/spec" + problem.path());
            if (problem.warning()) {
                out.warning(summary, problem.hint(), at);
            } else {
                out.error(summary, problem.hint(), at);
                valid = false;
            }
        }
        return valid;
    }
}

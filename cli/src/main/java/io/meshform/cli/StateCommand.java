package io.meshform.cli;

import io.meshform.engine.diag.ControlChars;
import io.meshform.engine.load.InputFiles;
import io.meshform.engine.load.StackLoader;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Sensitive;
import io.meshform.state.LocalStateBackend;
import io.meshform.engine.render.Yaml;
import io.meshform.state.DeposedObject;
import io.meshform.state.LockHandle;
import io.meshform.state.ResourceState;
import io.meshform.state.StateBackend;
import io.meshform.state.StateCodec;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Reads and edits the state directly, as `terraform state` does. Every edit holds the lock. */
@Command(name = "state", description = "Inspect and edit the state: list, show, rm, mv, pull, push.",
        commandListHeading = "%nCommands:%n", footerHeading = "%nExamples:%n", footer = {
            "  meshform state list -f examples/cortex-production.yaml",
            "  meshform state show -f stack.yaml istio.install.mesh",
            "  meshform help state mv"})
final class StateCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Plain `meshform state`: no subcommand was given, a usage error; its subcommands go to standard error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr(), spec.commandLine().getColorScheme());
        return ExitCodes.ERROR;
    }


    /** Runs {@code edit} on the state under the lock and writes the result; {@code afterwards} says what the stack means for it. */
    static int edit(GlobalOptions global, Terminal terminal, String operation, Function<StateSnapshot, StateSnapshot> edit,
                    String done, java.util.function.BiFunction<Workspace, StackLoader.Loaded, String> afterwards) {
        try (Workspace ws = new Workspace(global, terminal)) {
            StackLoader.Loaded loaded = ws.stackForWrite("`meshform " + operation + "`");
            Stack stack = loaded.stack();
            StateBackend backend = ws.backend(stack);
            // No state, nothing to edit: said before the lock, whose file beside a local state is never deleted once made.
            existing(backend);
            try (LockHandle lock = ws.lock(backend, operation)) {
                // Another stack's state is refused here as by plan and apply (--state names a file, not its owner).
                StateSnapshot current = ws.stateOf(existing(backend), stack, backend);
                StateSnapshot written = backend.write(edit.apply(current));
                terminal.out().println(done + " (" + backend.describe() + ", serial " + written.serial() + ")");
                String note = afterwards.apply(ws, loaded);
                if (!note.isEmpty()) {
                    terminal.out().println(note);
                }
                return ExitCodes.OK;
            }
        }
    }

    /**
     * The state, which must exist: every state command reads one. {@code terraform state list} without a state says "No
     * state file was found!" and fails; an empty list (or, for pull, a made-up empty state with a new lineage) would
     * tell someone who mistyped --state, or left out the -f or --state that quickstart printed, that nothing is
     * managed, and hand a backup script a state that never existed.
     */
    static StateSnapshot existing(StateBackend backend) {
        return backend.read().orElseThrow(() -> new UserError("no state yet in " + backend.describe()
                + ": nothing was ever applied or imported with it. If you expected one, check -f, --state, --state-secret"
                + " and --context; `meshform apply` or `meshform import` creates it"));
    }

    /** The recorded resource at {@code address}; a typo gets the closest recorded address, as --target does. */
    static ResourceState require(StateSnapshot s, String address) {
        return s.find(address).orElseThrow(() -> new UserError("`" + address + "` is not in the state; "
                + io.meshform.engine.diag.Suggestions.closest(address, s.resources().stream().map(ResourceState::address).toList())
                        .map(c -> "did you mean `" + c + "`?").orElse("`meshform state list` (with the same -f or --state)"
                                + " shows what it records")));
    }

    @Command(name = "list", description = "List the resources in the state.",
            footerHeading = "%nExamples:%n", footer = {"  meshform state list -f examples/cortex-production.yaml",
                "  meshform state list --state backup.state.json   # no stack needed: list, show and pull only read",
                "  meshform state list --state-secret cortex-ops/production"})
    static final class ListCmd implements Callable<Integer> {
        @Mixin
        StateOptions global;
        private final Terminal terminal;

        ListCmd(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            try (Workspace ws = new Workspace(global, terminal)) {
                StateBackend backend = ws.readOnlyBackend("`meshform state list`");
                StateSnapshot s = existing(backend);
                // Escaped as show escapes: a state is a file anyone may edit, and an address read from it reaches the
                // terminal here (an OSC sequence that sets the title or the clipboard, a bidi override) before any
                // command checks that the loader would have allowed it.
                s.resources().forEach(r -> terminal.out().println(ControlChars.escape(r.address())));
                // old objects of moves still to delete: "ADDR (deposed object KEY)", as the plan names them
                s.deposed().forEach(d -> terminal.out().println(ControlChars.escape(d.describe())));
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "show", description = "Show one resource's recorded attributes and metadata.",
            footerHeading = "%nExamples:%n", footer = {"  meshform state show -f stack.yaml istio.peerAuthentication.mesh-strict"})
    static final class ShowCmd implements Callable<Integer> {
        @Mixin
        StateOptions global;
        @Parameters(paramLabel = "ADDR", description = "The resource's address, TYPE.NAME (default: none, required).")
        String address;
        private final Terminal terminal;

        ShowCmd(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            try (Workspace ws = new Workspace(global, terminal)) {
                StateBackend backend = ws.readOnlyBackend("`meshform state show`");
                StateSnapshot s = existing(backend);
                List<DeposedObject> deposed = s.deposed(address);
                if (deposed.isEmpty() || s.find(address).isPresent()) {
                    show(require(s, address), r -> "# " + r.address() + " (" + r.type() + ")");
                }
                deposed.forEach(d -> show(d.object(), r -> "# " + d.describe() + " (" + r.type() + "): the old object of a"
                        + " move, which the next plan deletes"));
                return ExitCodes.OK;
            }
        }

        private void show(ResourceState r, java.util.function.Function<ResourceState, String> heading) {
            terminal.out().println(ControlChars.escape(heading.apply(r)));
            // A sensitive value is recorded as its digest; shown as plans show it, since a weak value can be guessed
            // from the digest (`state pull` prints the file itself, for tools).
            terminal.out().print(new Yaml().write(Sensitive.mask(r.attributes(), Sensitive.digestPaths(r.attributes()))));
            terminal.out().println("# metadata");
            // A state edited by hand holds any text: escaped as the attributes are (Yaml), so no ESC sequence or
            // right-to-left override reaches the terminal.
            r.metadata().forEach((k, v) -> terminal.out().println(ControlChars.escape("#   " + k + ": " + v)));
        }
    }

    @Command(name = "rm", description = "Forget a resource (and its deposed objects, if any): the object stays in the cluster; remove it from the file too, or the next plan refuses it as not managed (`meshform import` takes it back). Needs no variable values: the stack is read to check the state is its own, with those it lacks unknown.",
            footerHeading = "%nExamples:%n", footer = {"  meshform state rm -f stack.yaml kubernetes.labels.cortex-injection"})
    static final class RmCmd implements Callable<Integer> {
        @Mixin
        StateOptions global;
        @Parameters(paramLabel = "ADDR", description = "The resource's address, TYPE.NAME (default: none, required).")
        String address;
        private final Terminal terminal;
        /** The entry removed (null when only deposed objects were): its recorded object is what `import` takes back. */
        private ResourceState removed;

        RmCmd(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            return edit(global, terminal, "state rm", s -> {
                if (s.deposed(address).isEmpty()) {
                    require(s, address);
                }
                removed = s.find(address).orElse(null);
                // Forgotten for good: an interrupted apply's note that it was creating it must not bring it back.
                java.util.Set<String> creating = new java.util.TreeSet<>(s.creating());
                creating.remove(address);
                // and its deposed objects (old objects of moves) with it: they stay in the cluster, as its object does
                List<DeposedObject> deposed = new java.util.ArrayList<>(s.deposed());
                deposed.removeIf(d -> d.address().equals(address));
                return s.without(address).withCreating(creating).withDeposedList(deposed);
            }, "Removed " + address + " from the state; the cluster object is untouched", this::stillDeclared);
        }

        /**
         * "meshform stops managing it" holds only once the file no longer declares it: while it does, the next plan
         * refuses the object as not managed (its mark alone does not make it this state's again: docs/stack-file.md,
         * Adoption), as Terraform's next plan wants to create it and the server refuses; import takes it back.
         */
        private static final java.util.regex.Pattern DIGEST = java.util.regex.Pattern.compile("sha256:[0-9a-f]{64}");

        private String stillDeclared(Workspace ws, StackLoader.Loaded loaded) {
            var declared = loaded.stack().find(ResourceAddress.parse(address));
            if (declared.isEmpty()) {
                return "";
            }
            String id = removed == null ? null : ws.registry().find(removed.type())
                    .flatMap(t -> t.importId(removed.attributes())).orElse(null);
            if (id != null && DIGEST.matcher(id).find()) {
                // A name an earlier meshform recorded only as its digest (a sensitive value there, refused since): the
                // digest names no object; the stack's name, in clear now, does, unless a variable without a value here
                // gives it (its `${var.x}` is no name).
                boolean known = loaded.unknown().stream().noneMatch(u -> u.address().equals(declared.get().address()));
                id = !known ? null : ws.registry().find(removed.type()).flatMap(t -> t.importId(declared.get().spec())).orElse(null);
            }
            return "The stack still declares " + address + " (" + declaredAt(declared.get().source())
                    + "): remove it there too, or the next plan refuses its object as not managed by meshform; to manage it"
                    + " again, " + (id == null ? "`meshform import -f " + ws.options().file + " " + address + " ID`"
                    : "`meshform import -f " + ws.options().file + " " + address + " " + id + "`") + ".";
        }

        /**
         * Where the resource is declared: the file (an imported one, often) and line of its declaration, then those of
         * the files that refine it, since removing it means editing each.
         */
        private static String declaredAt(io.meshform.engine.model.SourceLocator source) {
            List<String> places = new java.util.ArrayList<>();
            for (var s = source; s != null; s = s.refines()) {
                places.add(0, s.range().toString());
            }
            return places.size() == 1 ? places.get(0)
                    : places.get(0) + ", refined at " + String.join(", ", places.subList(1, places.size()));
        }
    }

    @Command(name = "mv", description = "Rename a resource in the state (after renaming it in the file), with its deposed objects, if any. Needs no variable values.",
            footerHeading = "%nExamples:%n", footer = {"  meshform state mv -f stack.yaml istio.peerAuthentication.mongo istio.peerAuthentication.mongodb"})
    static final class MvCmd implements Callable<Integer> {
        @Mixin
        StateOptions global;
        @Parameters(index = "0", paramLabel = "FROM", description = "The address in the state now (default: none, required).")
        String from;
        @Parameters(index = "1", paramLabel = "TO", description = "The new address (default: none, required).")
        String to;
        private final Terminal terminal;
        /** How many deposed objects moved with the resource, for the line after the edit. */
        private int movedDeposed;

        MvCmd(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            ResourceAddress target;
            try {
                target = ResourceAddress.parse(to);
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
            return edit(global, terminal, "state mv", s -> {
                List<DeposedObject> moving = s.deposed(from);
                // A resource whose only object is deposed moves too, as rm forgets one.
                java.util.Optional<ResourceState> r = moving.isEmpty() ? java.util.Optional.of(require(s, from)) : s.find(from);
                String type = r.map(ResourceState::type).orElseGet(() -> moving.get(0).object().type());
                // Found in the state, so FROM parses. Moving onto itself said "X is already in the state", as if
                // another resource were in the way.
                if (ResourceAddress.parse(from).equals(target)) {
                    throw new UserError("cannot move " + from + " to " + to + ": the source and the destination are the same"
                            + " address; nothing was changed (give the new address as TO)");
                }
                if (!target.type().equals(type)) {
                    throw new UserError("cannot move " + from + " to " + to + ": the type differs (" + type + ")");
                }
                if (s.find(to).isPresent() || !s.deposed(to).isEmpty()) {
                    throw new UserError(to + " is already in the state" + (s.find(to).isPresent() ? ""
                            : " (" + s.deposed(to).get(0).describe() + ")"));
                }
                // Its deposed objects (old objects of moves still to delete) go with it, under their keys, as Terraform's
                // state mv moves a resource instance's deposed objects: left under FROM, a later resource of that name
                // would get them, and `state rm TO` would leave them behind.
                List<DeposedObject> deposed = new java.util.ArrayList<>(s.deposed());
                deposed.removeIf(d -> d.address().equals(from));
                moving.forEach(d -> deposed.add(new DeposedObject(d.key(),
                        new ResourceState(to, d.object().type(), d.object().attributes(), d.object().metadata()))));
                movedDeposed = moving.size();
                StateSnapshot next = r.map(x -> s.without(from).with(new ResourceState(to, x.type(), x.attributes(), x.metadata())))
                        .orElse(s);
                return next.withDeposedList(deposed);
            }, "Moved " + from + " to " + to, (ws, stack) -> movedDeposed == 0 ? "" : movedDeposed == 1
                    ? "Its deposed object (the old object of a move, still to delete) moved with it; the next apply deletes it."
                    : "Its " + movedDeposed + " deposed objects (old objects of moves, still to delete) moved with it; the next"
                    + " apply deletes them.");
        }
    }

    @Command(name = "pull", description = "Print the state as JSON.",
            footerHeading = "%nExamples:%n", footer = {"  meshform state pull -f stack.yaml > backup.state.json"})
    static final class PullCmd implements Callable<Integer> {
        @Mixin
        StateOptions global;
        private final Terminal terminal;

        PullCmd(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            try (Workspace ws = new Workspace(global, terminal)) {
                StateBackend backend = ws.readOnlyBackend("`meshform state pull`");
                terminal.out().print(new StateCodec().encodeToString(existing(backend)));
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "push", description = "Replace the state with FILE. Refuses a lower serial or the same serial with "
            + "other records (unless --force), and another lineage. Needs no variable values.",
            footerHeading = "%nExamples:%n", footer = {"  meshform state push -f stack.yaml backup.state.json"})
    static final class PushCmd implements Callable<Integer> {
        @Mixin
        StateOptions global;
        @Parameters(paramLabel = "FILE", description = "A state file, e.g. from `meshform state pull` (default: none, required).")
        Path file;
        @Option(names = "--force", description = "Push even if FILE's serial is lower than the current state's, or the same "
                + "with other records (default: off).")
        boolean force;
        private final Terminal terminal;

        PushCmd(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            StateSnapshot pushed;
            try {
                pushed = new StateCodec().decode(io.meshform.engine.load.InputFiles.readBytes(file, file.toString(), "state file",
                        io.meshform.engine.load.InputFiles.PLAN_FILE_LIMIT), file.toString());
            } catch (io.meshform.state.CorruptStateException e) {
                // Most often the wrong file was named (the stack, a saved plan): say which file push takes.
                throw e.withRecovery("push a state file: the JSON `meshform state pull` prints, or a state's .backup");
            }
            try (Workspace ws = new Workspace(global, terminal)) {
                Stack stack = ws.stackForWrite("`meshform state push`").stack();
                if (pushed.stack() != null && stack.name() != null && !pushed.stack().equals(stack.name())) {
                    throw new UserError("cannot push " + file + ": it is the state of stack `" + pushed.stack() + "`, not of `"
                            + stack.name() + "` (" + global.file + "). Push it with its own stack's -f, or, if `"
                            + stack.name() + "` is `" + pushed.stack() + "` renamed, set \"stack\": \"" + stack.name()
                            + "\" in " + file + " first.");
                }
                StateBackend backend = ws.backend(stack);
                try (LockHandle lock = ws.lock(backend, "state push")) {
                    StateSnapshot current = backend.read().orElse(null);
                    if (current != null && !current.lineage().equals(pushed.lineage())) {
                        throw new UserError("cannot push " + file + ": it belongs to another state history (lineage "
                                + pushed.lineage() + ", current " + current.lineage() + "). Pushing it would mix two "
                                + "histories; move the current state away first if you really mean to replace it.");
                    }
                    if (current != null && pushed.serial() < current.serial() && !force) {
                        throw new UserError("cannot push " + file + ": its serial " + pushed.serial() + " is lower than the current "
                                + current.serial() + ", so it is older than the state; use --force to push it anyway");
                    }
                    // As Terraform refuses it: the same serial with other records means two edits of one pulled state
                    // (or a run's write since the pull, edited back to its serial); either would silently drop the other.
                    if (current != null && pushed.serial() == current.serial() && !force && !sameRecords(current, pushed)) {
                        throw new UserError("cannot push " + file + ": its serial " + pushed.serial() + " is the current "
                                + "state's, but it records other resources or values: it was edited after `state pull`, or "
                                + "the state was written since. To push an edit on purpose, raise its \"serial\" above "
                                + pushed.serial() + " (as Terraform asks) or use --force; if another run wrote the state, "
                                + "pull it again and redo the edit on it");
                    }
                    // A state that names no stack (written before format 2) is this stack's from now on, as stateOf says.
                    StateSnapshot written = backend.write(pushed.stack() == null && stack.name() != null
                            ? pushed.withStack(stack.name()) : pushed);
                    terminal.out().println("Pushed " + file + " to " + backend.describe() + " (serial " + written.serial() + ")");
                    return ExitCodes.OK;
                }
            }
        }

        private static boolean sameRecords(StateSnapshot a, StateSnapshot b) {
            return a.resources().equals(b.resources()) && a.creating().equals(b.creating()) && a.deposed().equals(b.deposed());
        }
    }
}

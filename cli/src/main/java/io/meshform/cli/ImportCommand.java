package io.meshform.cli;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.plan.RecordedEntry;
import io.meshform.engine.plan.SensitivePaths;
import io.meshform.engine.spi.AppliedResource;
import io.meshform.state.LockHandle;
import io.meshform.state.ResourceState;
import io.meshform.state.StateBackend;
import io.meshform.state.StateSnapshot;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "import", description = {"Adopt an existing cluster object into the state under ADDR (declare ADDR in the file first).",
        "Import writes one thing to the cluster: this state's mark on the object (annotations meshform.io/lineage and"
                + " meshform.io/address), so that only an object really imported can be deleted later (`destroy"
                + " --delete-adopted`); nothing else of the object changes. `destroy` without --delete-adopted leaves the"
                + " object and takes the mark off."},
        footerHeading = "%nExamples:%n", footer = {
            "  meshform import -f stack.yaml kubernetes.namespace.cortex cortex",
            "  meshform import -f stack.yaml istio.peerAuthentication.mongo cortex/mongo",
            "  meshform import -f staging.yaml --take-over istio.peerAuthentication.mongo cortex/mongo"})
final class ImportCommand implements Callable<Integer> {
    @Mixin
    StateOptions global;
    @Parameters(index = "0", paramLabel = "ADDR", description = "The resource's address in the stack, TYPE.NAME (default: none, required).")
    String address;
    @Parameters(index = "1", paramLabel = "ID", description = "The object, e.g. a namespace name or namespace/name (default: none, required).")
    String id;
    @Option(names = "--take-over", description = "Import an object that carries another meshform state's mark (another"
            + " stack manages it, or did): this state takes it over, and the next apply marks it as this state's. Remove it"
            + " from the other stack's file and state, or its next apply undoes this one's (default: off, refused).")
    boolean takeOver;
    private final Terminal terminal;

    ImportCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        ResourceAddress addr;
        try {
            addr = ResourceAddress.parse(address);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        try (Workspace ws = new Workspace(global, terminal)) {
            Stack stack = ws.loadStack().stack();
            if (stack.find(addr).isEmpty()) {
                List<String> declared = stack.resources().stream().map(r -> r.address().toString()).toList();
                throw new UserError("`" + addr + "` is not declared in " + global.file
                        + io.meshform.engine.diag.Suggestions.closest(addr.toString(), declared)
                                .map(s -> " (did you mean `" + s + "`?)").orElse("")
                        + "; declare it first, then import");
            }
            var type = ws.registry().find(addr.type()).orElseThrow(() -> new UserError("unknown resource type " + addr.type()));
            if (!type.importable()) {
                throw new UserError(notImportable(ws, addr));
            }
            StateBackend backend = ws.backend(stack);
            // Every refusal is found before the lock: the lock file beside a local state is created by the first lock
            // and never deleted (LocalLockFile), so a refusal under it left a lone `.lock` where no state existed yet.
            ws.connect(stack);
            Optional<StateSnapshot> before = backend.read();
            StateSnapshot seen = ws.stateOf(before.orElseGet(() -> StateSnapshot.empty(ws.version())), stack, backend);
            AppliedResource checked = importable(ws, stack, seen, type, addr);
            try (LockHandle lock = ws.lock(backend, "import")) {
                Optional<StateSnapshot> now = backend.read();
                // The checks hold if no run wrote since (still no state, or the same serial of the same history); else
                // they are made again against what the other run wrote.
                boolean unchanged = now.isEmpty() ? before.isEmpty() : before.isPresent()
                        && now.get().serial() == before.get().serial() && now.get().lineage().equals(before.get().lineage());
                StateSnapshot state = unchanged ? seen : ws.stateOf(now.orElseGet(() -> StateSnapshot.empty(ws.version())), stack, backend);
                AppliedResource found = unchanged ? checked : importable(ws, stack, state, type, addr);
                var metadata = new TreeMap<>(found.metadata());
                // What apply would record for it (dependencies as the plan's graph has them, explicit and implicit, and
                // lifecycle.preventDestroy): anything less is a "to record" step in the next plan, and a destroy of
                // the state alone would not know the order.
                var decl = stack.find(addr).orElseThrow();
                var dependsOn = List.copyOf(new Planner(ws.registry(), ws.version()).graph(stack, state, false).dependenciesOf(addr));
                RecordedEntry.recordDeclaration(metadata, dependsOn, decl);
                // Imported, not created: destroy leaves it in the cluster unless --delete-adopted.
                metadata.put(Planner.ADOPTED_KEY, "true");
                // As apply records: sensitive values (a Secret's data, a sensitive variable's place) only as digests.
                ObjectNode recorded = (ObjectNode) SensitivePaths.recordable(type, stack.find(addr).orElseThrow(), found.attributes());
                StateSnapshot written = backend.write(state.with(new ResourceState(addr.toString(), addr.type(), recorded, metadata)));
                mark(type, stack, addr, recorded, written, backend);
                terminal.out().println("Imported " + id + " as " + addr + " (serial " + written.serial()
                        + ") and marked it as this state's. Run `meshform plan` to see how the file and the object differ.");
                return ExitCodes.OK;
            }
        }
    }

    /**
     * Marks the imported object as this state's, after the state records it: an entry without the mark is refused by a
     * later delete, while a mark without an entry would make the next plan take the object for one this state created.
     * When the mark cannot be written the entry is taken back out, so the import did nothing.
     */
    private static void mark(io.meshform.engine.spi.ResourceType type, Stack stack, ResourceAddress addr, ObjectNode recorded,
                             StateSnapshot written, StateBackend backend) {
        try {
            type.markImported(new io.meshform.engine.spi.ApplyRequest(addr, recorded, null, java.util.Map.of(),
                    io.meshform.engine.spi.ProgressSink.NONE, io.meshform.engine.spi.StackContext.of(stack), written.lineage()));
        } catch (RuntimeException e) {
            backend.write(written.without(addr.toString()));
            throw e;
        }
    }

    /** Said before the cluster is asked: "no object ... in the cluster" would be untrue of an object that exists. */
    private static String notImportable(Workspace ws, ResourceAddress addr) {
        List<String> importable = ws.registry().names().stream().sorted()
                .filter(n -> ws.registry().find(n).map(io.meshform.engine.spi.ResourceType::importable).orElse(false)).toList();
        return "`" + addr.type() + "` resources cannot be imported: `meshform import` adopts objects of "
                + String.join(", ", importable) + ". Run `meshform plan` with " + addr + " declared: it says how "
                + addr.type() + " treats an object that exists already (`adopt: true` takes one over where that type "
                + "asks for it; docs/stack-file.md, \"Adoption\").";
    }

    /** The object to import, or the refusal: already in the state, not in the cluster, another state's mark. */
    private AppliedResource importable(Workspace ws, Stack stack, StateSnapshot state, io.meshform.engine.spi.ResourceType type,
                                       ResourceAddress addr) {
        if (state.find(addr).isPresent()) {
            throw new UserError("`" + addr + "` is already in the state; `meshform state rm` it first to re-import");
        }
        AppliedResource found = type.importExisting(id, stack.find(addr).orElseThrow().spec()).orElseThrow(() -> new UserError(
                "no object `" + id + "` for " + addr.type() + " in the cluster"));
        if (!takeOver) {
            new ForeignObject(ws.registry(), stack, state, addr, id).refuse();
        }
        return found;
    }
}

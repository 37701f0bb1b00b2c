package io.meshform.cli;

import io.meshform.engine.graph.ResourceGraph;
import io.meshform.engine.load.StackLoader;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.state.StateSnapshot;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "graph", description = "Print the resource dependency graph (Graphviz DOT, or text: each resource, with"
        + " the resources it depends on directly indented under it)."
        + " Needs no variable values: without one, a dependency a type finds by a value the variable gives (a"
        + " namespace's name) is drawn only between values written alike, and a note says which variables.",
        footerHeading = "%nExamples:%n", footer = {
            "  meshform graph -f examples/cortex-production.yaml | dot -Tsvg > graph.svg",
            "  meshform graph -f examples/cortex-production.yaml --format text"})
final class GraphCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "dot", converter = Choices.GraphFormat.class,
            completionCandidates = Choices.GraphFormat.class, description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE});"
                    + " text lists each resource with the resources it depends on directly indented under it, not a"
                    + " tree.")
    String format;

    private final Terminal terminal;

    GraphCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        global.refuseContext("graph");
        try (Workspace ws = new Workspace(global, terminal)) {
            StackLoader.Loaded loaded = ws.loadStackWithoutValues(true);
            if (!loaded.unknown().isEmpty()) {
                // Edges by dependsOn are all drawn; one a type derives by comparing values (labels on a namespace the
                // stack creates, by its name) is found between `${var.ns}` and `${var.ns}`, which are equal whatever ns
                // is, but not between `${var.ns}` and `cortex`, which may be.
                terminal.err().println(ws.style().yellow(io.meshform.engine.diag.Diagnostic.info("no value for "
                        + String.join(", ", loaded.unknownVariables().stream().map(n -> "`" + n + "`").toList())
                        + ": a dependency a type finds by a value they give (such as a namespace's name) is drawn only"
                        + " between values written alike (`${var.ns}` and `${var.ns}`), so one may be missing",
                        "give every value (--var NAME=VALUE, --var-file FILE or MESHFORM_VAR_NAME) for the whole graph",
                        null).format()));
            }
            TypeRegistry types = ws.registry();
            ResourceGraph graph = new Planner(types, ws.version()).graph(loaded.stack(), StateSnapshot.empty(ws.version()), false);
            switch (format) {
                case "dot" -> terminal.out().print(graph.toDot());
                case "text" -> terminal.out().print(graph);
                default -> throw new UserError("--format must be dot or text, not " + format);
            }
            return ExitCodes.OK;
        }
    }
}

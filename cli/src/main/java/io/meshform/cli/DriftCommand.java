package io.meshform.cli;

import io.meshform.engine.drift.DriftDetector;
import io.meshform.engine.drift.IgnoreRule;
import io.meshform.engine.drift.DriftReport;
import io.meshform.engine.load.StackLoader;
import io.meshform.engine.render.DriftFormats;
import io.meshform.state.StateBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
            "", ExitCodes.HELP})
final class DriftCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", converter = Choices.DriftFormat.class,
            completionCandidates = Choices.DriftFormat.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the report to FILE (default: standard output).")
    Path output;

    @Option(names = "--ignore", paramLabel = "ADDR[:FIELD]",
            description = "Known noise: leave out a resource, or one field of it, e.g. kubernetes.labels.cortex:labels.team (repeatable; default: none).")
    List<String> ignore = List.of();

    @Option(names = "--no-analyze", description = "Do not run `istioctl analyze` on the live cluster (default: run it when"
            + " the stack declares Istio objects or namespaces).")
    boolean noAnalyze;

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
        try (Workspace ws = new Workspace(global, terminal)) {
            if (noAnalyze) {
                ws.skipChecks(java.util.Set.of(io.meshform.providers.istio.core.Mesh.ANALYZE_CHECK));
            }
            StackLoader.Loaded loaded = ws.loadStack();
            StateBackend backend = ws.backend(loaded.stack());
            // Read without the lock: drift only reads, and a scheduled check must not block an apply.
            java.time.Instant started = java.time.Instant.now();
            long start = System.nanoTime();
            DriftReport report = new DriftDetector(ws.registry()).detect(loaded.stack(), ws.readState(backend),
                    ignored);
            String text = new DriftFormats().withTiming(started, java.time.Duration.ofNanos(System.nanoTime() - start))
                    .render(report, format, output == null ? ws.style() : io.meshform.engine.render.Style.plain());
            if (output != null) {
                try {
                    Files.writeString(output, text);
                } catch (java.io.IOException e) {
                    throw new UserError("cannot write " + output + ": " + e.getMessage());
                }
            } else {
                terminal.out().print(text);
            }
            return report.driftFound() ? ExitCodes.CHANGES : ExitCodes.OK;
        }
    }
}

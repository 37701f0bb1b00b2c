package io.meshform.cli;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.load.StackLoader;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import tools.jackson.databind.JsonNode;

@Command(name = "validate", description = "Check the desired-state file without contacting the cluster: structure, "
        + "variables, each resource's spec, Istio's own validation of every Istio object (istioctl validate) and the mesh"
        + " checks that need no cluster.",
        footerHeading = "%nExamples:%n", footer = {
            "  meshform validate -f examples/cortex-production.yaml",
            "  meshform validate -f stack.yaml --var istioVersion=1.30.3"})
final class ValidateCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    private final Terminal terminal;

    ValidateCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        try (Workspace ws = new Workspace(global, terminal)) {
            StackLoader.Loaded loaded = ws.loadStack();
            Map<ResourceAddress, JsonNode> after = new TreeMap<>();
            for (ResourceDecl d : loaded.stack().resources()) {
                after.put(d.address(), d.spec());
            }
            CheckContext context = new CheckContext(loaded.stack(), after, Map.of(), CheckContext.Purpose.VALIDATE);
            Diagnostics found = new Diagnostics();
            for (PlanCheck check : ws.registry().checks()) {
                if (!check.needsCluster()) {
                    check.check(context).forEach(found::add);
                }
            }
            found.throwIfErrors();
            for (Diagnostic w : found.all()) {
                terminal.err().println(w.severity() == io.meshform.engine.diag.Severity.INFO ? ws.style().dim(w.format())
                        : ws.style().yellow(w.format()));
            }
            int warnings = loaded.warnings().size() + found.warnings().size();
            terminal.out().println(ws.style().green("Success!") + " " + global.file + " is valid: stack `"
                    + loaded.stack().name() + "`, " + loaded.stack().resources().size() + " resources"
                    + (warnings == 0 ? "." : ", " + warnings + " warnings."));
            return ExitCodes.OK;
        }
    }
}

package io.meshform.engine.plan;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.state.StateSnapshot;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * What {@code validate} checks beyond loading (structure, variables, each spec, manifest files): the dependency
 * graph, and every safety check that needs no cluster. A stack that passes fails plan only for reasons that need
 * the cluster.
 */
public final class Validator {
    private final TypeRegistry types;

    public Validator(TypeRegistry types) {
        this.types = types;
    }

    /** Warnings found; throws {@link DiagnosticsException} with every error. */
    public List<Diagnostic> validate(Stack stack) {
        Diagnostics out = graph(stack);
        Map<ResourceAddress, JsonNode> after = new TreeMap<>();
        for (ResourceDecl d : stack.resources()) {
            after.put(d.address(), d.spec());
        }
        CheckContext context = new CheckContext(stack, after, Map.of(), CheckContext.Purpose.VALIDATE);
        for (PlanCheck check : types.checks()) {
            if (!check.needsCluster()) {
                check.check(context).forEach(out::add);
            }
        }
        out.throwIfErrors();
        return out.warnings();
    }

    /**
     * For a stack loaded with unknown values ({@link io.meshform.engine.load.StackLoader#loadWithoutValues}), whose
     * resources at {@code unknown} hold some: the dependency graph, and the checks that judge each object alone
     * ({@link PlanCheck#judgesEachObjectAlone}, Istio's own validation) on the objects whose values are all known. The
     * other checks judge how objects go together, and would judge {@code ${var.x}} as written or miss an object left
     * out, so none runs, and the caller says so.
     */
    public List<Diagnostic> validateKnown(Stack stack, java.util.Set<ResourceAddress> unknown) {
        Diagnostics out = graph(stack);
        Map<ResourceAddress, JsonNode> known = new TreeMap<>();
        for (ResourceDecl d : stack.resources()) {
            if (!unknown.contains(d.address())) {
                known.put(d.address(), d.spec());
            }
        }
        CheckContext context = new CheckContext(stack, known, Map.of(), CheckContext.Purpose.VALIDATE);
        for (PlanCheck check : types.checks()) {
            if (!check.needsCluster() && check.judgesEachObjectAlone()) {
                check.check(context).forEach(out::add);
            }
        }
        out.throwIfErrors();
        return out.warnings();
    }

    private Diagnostics graph(Stack stack) {
        Diagnostics out = new Diagnostics();
        try {
            new Planner(types, "validate").graph(stack, StateSnapshot.empty("validate"), false);
        } catch (DiagnosticsException e) {
            e.diagnostics().forEach(out::add);
        }
        return out;
    }
}

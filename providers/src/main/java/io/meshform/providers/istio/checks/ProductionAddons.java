package io.meshform.providers.istio.checks;

import static io.meshform.providers.istio.checks.CheckSupport.after;
import static io.meshform.providers.istio.checks.CheckSupport.range;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.plan.Sensitive;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.install.InstallSpec;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Addons that are not required (kiali, prometheus, grafana, tracing) enabled in a production stack. Each addon is judged
 * apart ({@link JudgesInstallFields}): one known to drift only by its digest leaves the others' verdicts standing.
 *
 * <p>An addon given by a sensitive variable is masked in the plan, so its verdict does not say its value in words ("is
 * enabled"): it still warns, as Terraform still reports a failed condition on a sensitive value and leaves out only the
 * message that would quote it, so a risk is not hidden and {@code --strict} still fails; that the check failed is all it
 * tells.
 */
public final class ProductionAddons implements PlanCheck, JudgesInstallFields {
    private static final String NAME = "production-addons";
    private static final String WHY = "Istio components that are not required (kiali, prometheus, grafana, tracing) should"
            + " be disabled in production; enable them only while collecting diagnostics";

    @Override
    public String name() {
        return NAME;
    }

    /** Reads only the stack: validate runs it too. */
    @Override
    public boolean needsCluster() {
        return false;
    }

    @Override
    public List<Diagnostic> check(CheckContext ctx) {
        return findings(ctx);
    }

    public static List<Diagnostic> findings(CheckContext ctx) {
        return verdictsOf(ctx).stream().map(FieldVerdict::diagnostic).toList();
    }

    @Override
    public List<FieldVerdict> verdicts(CheckContext ctx) {
        return verdictsOf(ctx);
    }

    private static List<FieldVerdict> verdictsOf(CheckContext ctx) {
        List<FieldVerdict> out = new ArrayList<>();
        if (ctx.stack().environment() != Environment.PRODUCTION) {
            return out;
        }
        for (ResourceDecl d : ctx.declared(Mesh.INSTALL_TYPE)) {
            JsonNode spec = after(ctx, d);
            for (String a : InstallSpec.ADDONS) {
                String field = "/addons/" + a;
                if (Json.bool(spec.path("addons"), a)) {
                    out.add(new FieldVerdict(d.address(), field, sensitive(spec, d, field)
                            ? Diagnostic.warning(d.address() + ": addon " + a + " fails " + NAME + " (its value is"
                                    + " sensitive, so it is not shown)", WHY + "; addons." + a + " takes a sensitive value,"
                                    + " which meshform does not print, in the plan or here: the warning says only that"
                                    + " the check failed", range(d, "/spec" + field))
                            : Diagnostic.warning(d.address() + ": addon " + a + " is enabled in a production stack", WHY,
                                    range(d, "/spec" + field))));
                }
            }
        }
        return out;
    }

    /** Whether the stack gives {@code field} of {@code d} from a sensitive variable (the plan masks it there). */
    private static boolean sensitive(JsonNode spec, ResourceDecl d, String field) {
        return Sensitive.matches(spec, d.sensitivePaths()).containsKey(field);
    }

    /** The addons, each a boolean: a digest is neither on nor off. */
    @Override
    public Set<String> installFields() {
        return Set.of("/addons/*");
    }
}

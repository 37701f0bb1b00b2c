package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.plan.Sensitive;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.core.Mesh;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The one place that knows which fields of the applied istio.install the checks cannot judge: drift's checks read the
 * install from the state ({@link CheckContext.Purpose#DRIFT}), which keeps a digest of each sensitive value
 * ({@link Sensitive#digest}) and never the value. A digest read as the value gives a wrong verdict: a digest as the
 * {@code version} is no release, as the {@code revision} no control plane, as an addon no {@code true}.
 */
final class AppliedDigests {
    private AppliedDigests() {
    }

    /**
     * Per declared install, the pointers under {@code patterns} whose applied value is, or holds, a digest, as spec
     * paths ({@code /addons/kiali}); none outside drift (plan and validate read the stack's values in clear).
     */
    static Map<ResourceDecl, List<String>> in(CheckContext ctx, Set<String> patterns) {
        Map<ResourceDecl, List<String>> out = new LinkedHashMap<>();
        if (ctx.purpose() != CheckContext.Purpose.DRIFT || patterns.isEmpty()) {
            return out;
        }
        for (ResourceDecl d : ctx.declared(Mesh.INSTALL_TYPE)) {
            List<String> digested = new ArrayList<>();
            Sensitive.matches(CheckSupport.after(ctx, d), patterns).forEach((pointer, value) -> {
                if (Sensitive.isDigest(value) || !Sensitive.digestPaths(value).isEmpty()) {
                    digested.add(pointer);
                }
            });
            if (!digested.isEmpty()) {
                out.put(d, digested.stream().sorted().toList());
            }
        }
        return out;
    }

    /**
     * "proxy-version-skew: cannot judge istio.install.mesh: its version was applied as a sensitive value, which the
     * state records only by its digest": a note, not a finding (nothing is known to be wrong), at the first field.
     */
    static Diagnostic cannotJudge(String check, ResourceDecl d, List<String> pointers) {
        List<String> paths = pointers.stream().map(CheckSupport::dotted).toList();
        boolean one = paths.size() == 1;
        return Diagnostic.info(check + ": cannot judge " + d.address() + ": its " + String.join(", ", paths) + " "
                        + (one ? CheckSupport.DIGEST_ONLY : "were applied as sensitive values, which the state records only by"
                        + " their digests"),
                // Applying does not help: state digests the value again while a sensitive variable gives it.
                CheckSupport.DIGEST_DETAIL + "; the check did not run on " + d.address() + ". Drift's checks can judge "
                        + (one ? "this field" : "these fields") + " once the stack gives " + (one ? "it" : "them")
                        + " from a variable that is not sensitive, applied",
                CheckSupport.range(d, "/spec" + pointers.get(0)));
    }
}

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
 * install as applied ({@link CheckContext.Purpose#DRIFT}), from the state, which keeps a digest of each sensitive value
 * ({@link Sensitive#digest}) and never the value. Drift puts back in clear each value the stack still gives (its digest
 * is the recorded one: {@code AppliedForChecks}), so a digest left here is one whose value the stack no longer gives:
 * another value (rotated, not applied yet) or none (removed). A digest read as the value gives a wrong verdict: a digest
 * as the {@code version} is no release, as the {@code revision} no control plane, as an addon no {@code true}.
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
     * {@code othersJudged}: the check judges each field apart ({@link JudgesInstallFields}), so it did judge the
     * install's other fields, and says so.
     */
    static Diagnostic cannotJudge(CheckContext ctx, String check, ResourceDecl d, List<String> pointers,
                                  boolean othersJudged) {
        List<String> paths = pointers.stream().map(CheckSupport::dotted).toList();
        boolean one = paths.size() == 1;
        return Diagnostic.info(check + ": cannot judge " + d.address() + ": its " + String.join(", ", paths) + " "
                        + (one ? CheckSupport.DIGEST_ONLY : "were applied as sensitive values, which the state records only by"
                        + " their digests"),
                (othersJudged ? "the check judged the other fields of " + d.address() + ", not " + (one ? "this one" : "these")
                        : "the check did not run on " + d.address()) + "; " + detail(ctx, d, pointers),
                CheckSupport.range(d, "/spec" + pointers.get(0)));
    }

    /**
     * Why drift cannot judge the values at {@code pointers} (spec paths of {@code d} that hold, or hold inside, a digest
     * the stack's value does not match), and what lets it: whether the stack gives another value there or none, which
     * applying makes the applied value ({@link Sensitive#rotated} tells them apart, as drift's comparison does).
     */
    static String detail(CheckContext ctx, ResourceDecl d, List<String> pointers) {
        Map<String, JsonNode> unknown = Sensitive.rotated(CheckSupport.after(ctx, d), d.spec());
        List<JsonNode> given = unknown.entrySet().stream()
                .filter(e -> pointers.stream().anyMatch(p -> e.getKey().equals(p) || e.getKey().startsWith(p + "/")))
                .map(Map.Entry::getValue).toList();
        long removed = given.stream().filter(JsonNode::isMissingNode).count();
        String now = removed == given.size() ? "the stack no longer gives it: apply the stack, which removes it, then drift's"
                + " checks judge the install as applied without it"
                : removed == 0 ? "the stack gives another value there, not applied yet: apply the stack, then drift's checks"
                + " judge the value applied"
                : "the stack gives another value for some of them, not applied yet, and none for the others: apply the"
                + " stack, then drift's checks judge what was applied";
        return "drift's checks read the install as applied, from the state, which keeps a digest of each sensitive value"
                + " and never the value: they judge a sensitive value the stack still gives (its digest is the recorded"
                + " one), and " + now + "; the cluster's own mesh config is what istiod uses";
    }
}

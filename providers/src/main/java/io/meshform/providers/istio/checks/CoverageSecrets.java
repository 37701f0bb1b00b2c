package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.plan.Sensitive;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.policy.PathVariants;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The texts the ingress coverage table derives from a sensitive value of the stack, masked in what the check says.
 * The engine masks a sensitive value where it appears as given (and quoted); the table writes requests made from a
 * policy's paths and hosts, which are not the value: {@code paths: ["${var.adminPath}"]} given {@code /hidden-admin/*}
 * was tried as {@code /hidden-admin/x}, {@code /hidden-admin}, {@code /hidden-admin%2Fx}, {@code /HIDDEN-ADMIN/x},
 * and {@code /admin-${var.tok}/*} as {@code /ADMIN-S3CRET/x}: validate, plan and drift printed them in clear, in text,
 * JSON and the PR comment. Each such form ({@link PathVariants}' sample, bare prefix and variants; a host's concrete
 * form) of every sensitive string of the stack's resources is masked as the value itself is, in any letter case
 * ({@link Sensitive#redact}).
 */
final class CoverageSecrets {
    private CoverageSecrets() {
    }

    /** Every form the coverage table may write of a sensitive string the stack gives (a digest is no value). */
    static Set<String> of(CheckContext ctx) {
        Set<String> out = new LinkedHashSet<>();
        for (ResourceDecl d : ctx.stack().resources()) {
            for (JsonNode v : Sensitive.matches(d.spec(), d.sensitivePaths()).values()) {
                if (v.isString() && !Sensitive.isDigest(v)) {
                    forms(v.asString()).stream().filter(Sensitive::maskableInText).forEach(out::add);
                }
            }
        }
        return out;
    }

    /** The sample, its bare prefix and each variant; a host's concrete form (its other case and port keep it). */
    private static Set<String> forms(String value) {
        Set<String> out = new LinkedHashSet<>();
        out.add(value);
        PathVariants.Sample sample = PathVariants.sample(value);
        out.add(sample.path());
        if (sample.bare() != null) {
            out.add(sample.bare());
        }
        out.addAll(PathVariants.of(sample, List.of(), List.of()).keySet());
        out.add(PathVariants.concreteHost(value));
        return out;
    }

    /** {@code found} with every one of {@code forms} masked, longest first ({@link Sensitive#redact}). */
    static List<Diagnostic> mask(List<Diagnostic> found, Set<String> forms) {
        if (forms.isEmpty()) {
            return found;
        }
        return found.stream().map(d -> new Diagnostic(d.severity(), Sensitive.redact(d.summary(), forms),
                d.detail() == null ? null : Sensitive.redact(d.detail(), forms), d.range())).toList();
    }
}

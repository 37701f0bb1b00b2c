package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A check as {@link MeshChecks} runs it: when drift's applied install holds a digest in a field the check reads
 * ({@link ReadsInstall}), the check does not run, and says it cannot judge that value ({@link AppliedDigests}) instead
 * of judging the digest as if it were the value; a check that judges each field apart ({@link JudgesInstallFields})
 * runs, and only its verdicts on a digested field give way to that note. Every check goes through here, so a new one
 * cannot forget it.
 */
final class DigestGuard<C extends PlanCheck & ReadsInstall> implements PlanCheck {
    private final C check;

    DigestGuard(C check) {
        this.check = check;
    }

    /** The check guarded, for tests that walk them. */
    C check() {
        return check;
    }

    @Override
    public String name() {
        return check.name();
    }

    @Override
    public boolean needsCluster() {
        return check.needsCluster();
    }

    @Override
    public boolean validateOnly() {
        return check.validateOnly();
    }

    @Override
    public boolean judgesEachObjectAlone() {
        return check.judgesEachObjectAlone();
    }

    @Override
    public Concern concern(Diagnostic finding) {
        return check.concern(finding);
    }

    @Override
    public Optional<CompletionStage<?>> earlyStart() {
        return check.earlyStart();
    }

    @Override
    public List<Diagnostic> check(CheckContext context) {
        Map<ResourceDecl, List<String>> digested = AppliedDigests.in(context, check.installFields());
        if (digested.isEmpty()) {
            return check.check(context);
        }
        List<Diagnostic> out = new ArrayList<>();
        boolean byField = check instanceof JudgesInstallFields;
        if (check instanceof JudgesInstallFields fields) {
            // Each verdict read one field: those on a field that holds its value stand.
            for (JudgesInstallFields.FieldVerdict v : fields.verdicts(context)) {
                if (!readsDigest(v, digested)) {
                    out.add(v.diagnostic());
                }
            }
        }
        // Other checks judge the declared installs together (analyze runs once for the whole mesh): none runs on a digest.
        digested.forEach((d, pointers) -> out.add(AppliedDigests.cannotJudge(context, check.name(), d, pointers, byField)));
        return out;
    }

    /** Whether the verdict's field is, holds or lies inside a field of its install that holds a digest. */
    private static boolean readsDigest(JudgesInstallFields.FieldVerdict v, Map<ResourceDecl, List<String>> digested) {
        return digested.entrySet().stream().filter(e -> e.getKey().address().equals(v.install()))
                .flatMap(e -> e.getValue().stream())
                .anyMatch(p -> p.equals(v.field()) || p.startsWith(v.field() + "/") || v.field().startsWith(p + "/"));
    }
}

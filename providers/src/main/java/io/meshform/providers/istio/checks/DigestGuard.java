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
 * of judging the digest as if it were the value. Every check goes through here, so a new one cannot forget it.
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
    public Optional<CompletionStage<?>> earlyStart() {
        return check.earlyStart();
    }

    @Override
    public List<Diagnostic> check(CheckContext context) {
        Map<ResourceDecl, List<String>> digested = AppliedDigests.in(context, check.installFields());
        if (digested.isEmpty()) {
            return check.check(context);
        }
        // The checks judge the declared installs together (analyze runs once for the whole mesh): none runs on a digest.
        List<Diagnostic> out = new ArrayList<>();
        digested.forEach((d, pointers) -> out.add(AppliedDigests.cannotJudge(context, check.name(), d, pointers)));
        return out;
    }
}

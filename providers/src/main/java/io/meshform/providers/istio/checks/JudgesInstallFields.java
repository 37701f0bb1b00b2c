package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.CheckContext;
import java.util.List;

/**
 * A check that judges each install field it reads apart from the others (production-addons: one verdict per addon),
 * and says which field each verdict read. {@link DigestGuard} then sets aside only the verdicts on a field drift knows by
 * its digest, and keeps those on fields that hold their value: a rotated sensitive {@code addons.kiali} says nothing of
 * {@code addons.grafana}. A check that judges the install as a whole (analyze, the version skew) does not run at all.
 */
interface JudgesInstallFields extends ReadsInstall {

    /** One verdict and the install field it read: {@code field} is a spec pointer ({@code /addons/kiali}). */
    record FieldVerdict(ResourceAddress install, String field, Diagnostic diagnostic) {
    }

    /** Every verdict of the check, each with the field it read. */
    List<FieldVerdict> verdicts(CheckContext ctx);
}

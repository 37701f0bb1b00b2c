package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.plan.SensitiveMessage;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.core.UnexpectedAnswer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Istio's own validation of every Istio object the run will apply (the typed {@code istio.*} policies and the Istio
 * kinds among {@code kubernetes.manifest}s), before anything is applied: {@code plan} and {@code validate} run the real
 * {@code istioctl validate} once on all of them (istioctl/pkg/validate/validate.go: a strict decode of the spec, then
 * the same per-kind {@code ValidateConfig} istiod's admission webhook runs, pkg/config/validation/validation.go), and
 * each of its messages becomes an error (or warning) at the line of the stack file that wrote the object, at the field
 * the message names when it names one ({@link FieldFinder}). meshform keeps no copy of these rules (see
 * {@code istio.policy.IstioRules} for the few Istio leaves to the API server). Without istioctl the objects are not
 * checked, and the run says so in a warning ({@code --strict} makes it an error). The answer (exit code, stdout and
 * stderr) is remembered for the same objects, binary and machine configuration ({@code Istioctl.runRemembered}), so
 * a plan of an unchanged stack does not start istioctl again; the diagnostics are the same either way. Objects that
 * hold a sensitive value ({@link PlannedObject#holdsSensitive}) are validated afresh every time, and nothing is kept.
 */
public final class IstioValidation implements PlanCheck, ReadsInstall {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final Istioctl istioctl;

    IstioValidation(Istioctl istioctl) {
        this.istioctl = istioctl;
    }

    @Override
    public String name() {
        return Mesh.VALIDATE_CHECK;
    }

    @Override
    public boolean needsCluster() {
        return false;
    }

    /** istioctl validate hands each object of its file to {@code validateResource} by itself (istioctl/pkg/validate/validate.go, {@code validateFile}). */
    @Override
    public boolean judgesEachObjectAlone() {
        return true;
    }

    @Override
    public List<Diagnostic> check(CheckContext ctx) {
        if (ctx.purpose() == CheckContext.Purpose.DRIFT) {
            return List.of(); // drift judges the live objects, which the API server's webhook admitted
        }
        return check(PlannedObject.of(ctx).stream().filter(PlannedObject::istio).toList(), istioctl);
    }

    static List<Diagnostic> check(List<PlannedObject> objects, Istioctl istioctl) {
        if (objects.isEmpty()) {
            return List.of();
        }
        Map<String, PlannedObject> byKey = new LinkedHashMap<>();
        for (PlannedObject o : objects) {
            byKey.putIfAbsent(key(o), o);
        }
        Istioctl.Result r;
        try (ObjectFiles files = ObjectFiles.write(istioctl.runDirectory(), objects.stream().map(PlannedObject::object).toList())) {
            // Remembered (Istioctl.runRemembered): the same objects, binary and configuration get the same answer.
            // Not for objects with sensitive values: a refusal quotes them, and the answer would keep them in clear.
            r = istioctl.runRemembered(List.of("validate", "-f", files.file().toString()), List.of(files.file()), TIMEOUT,
                    objects.stream().anyMatch(PlannedObject::holdsSensitive));
        } catch (RuntimeException e) {
            return List.of(notRun(objects, CheckSupport.why(e), "Install istioctl (or point --istioctl / MESHFORM_ISTIOCTL at it)"));
        }
        // istioctl validate names each file it accepts ("\"x.yaml\" is valid", validate.go): silence with exit 0 is a
        // program that is not istioctl (--istioctl /bin/true), and the objects were not checked, not found valid.
        if (r.exit() == 0 && UnexpectedAnswer.silent(r)) {
            return List.of(notRun(objects, istioctl.named() + " " + UnexpectedAnswer.outcome(r), UnexpectedAnswer.ADVICE));
        }
        List<String> lines = new ArrayList<>(r.stderr());
        lines.addAll(r.stdout());
        ValidateOutput out = ValidateOutput.parse(lines, byKey.keySet());
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (ValidateOutput.Message m : out.messages()) {
            PlannedObject o = byKey.get(m.key());
            String pointer = FieldFinder.find(o.object(), m.text());
            String field = FieldFinder.readable(pointer);
            String summary = o.decl().address() + ": " + o.friendlyName() + (field.isEmpty() ? "" : " " + field) + ": "
                    + o.messages().redact("istioctl", m.text());
            String detail = m.error()
                    ? "Istio's validation refuses it (istioctl validate; istiod's admission webhook runs the same code, so"
                    + " the API server would refuse the apply)"
                    : "Istio's validation accepts it with this warning (istioctl validate)";
            diagnostics.add(m.error() ? Diagnostic.error(summary, detail, o.range(pointer))
                    : Diagnostic.warning(summary, detail, o.range(pointer)));
        }
        if (r.exit() != 0 && diagnostics.stream().noneMatch(Diagnostic::isError)) {
            diagnostics.add(Diagnostic.error("istioctl validate refused the stack's Istio objects: "
                            + (out.unattributed().isEmpty() ? "exit " + r.exit()
                            : objects.stream().map(PlannedObject::messages).reduce(SensitiveMessage::and).orElseThrow()
                                    .redact("istioctl", String.join("; ", out.unattributed()))),
                    "istioctl " + istioctl.binary() + " exited " + r.exit() + " without naming an object", null));
        }
        return diagnostics;
    }

    private static Diagnostic notRun(List<PlannedObject> objects, String why, String fix) {
        return Diagnostic.warning(Mesh.VALIDATE_NOT_RUN + " on the stack's " + objects.size() + " Istio object(s): " + why,
                "meshform validates Istio objects with `istioctl validate`, the same rules istiod's admission webhook"
                        + " applies; without it they are checked only when applied. "
                        + Character.toUpperCase(fix.charAt(0)) + fix.substring(1), null);
    }

    /**
     * How istioctl validate names an object: Kind/namespace/name, with the namespace as the object wrote it, empty when
     * unset ("Kind//name": validateFile prefixes {@code un.GetNamespace()} of the object read, not the default namespace
     * it validated it in; istioctl/pkg/validate/validate.go).
     */
    static String key(PlannedObject o) {
        return o.kind() + "/" + (o.namespace() == null ? "" : o.namespace()) + "/" + o.name();
    }

    /** None: it validates the stack's Istio objects, not the install. */
    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of();
    }
}

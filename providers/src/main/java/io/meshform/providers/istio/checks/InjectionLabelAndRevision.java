package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.CheckContext.Purpose;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.injection.Injection;
import io.meshform.providers.istio.injection.Injectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A namespace the stack labels that ends up with more than one Istio dataplane label, by the rule of Istio's
 * analyzer IST0123 NamespaceMultipleInjectionLabels (pkg/config/analysis/analyzers/injection/injection.go):
 * {@code istio-injection} always counts; {@code istio.io/rev} and {@code istio.io/dataplane-mode} count only while
 * {@code istio-injection} is absent or {@code enabled}, because any other value turns every revision's webhook off
 * (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml). So {@code istio-injection=disabled}
 * with a revision or ambient label is a deliberate opt-out, not a conflict. The labels judged are the namespace's live
 * ones with the stack's on top (validate: the stack's alone). The analyzer skips istio-system ({@link #analyzerSays}); the
 * check still warns there, since the webhooks read its labels, and says that istioctl does not.
 *
 * <p>Which injector serves {@code istio-injection=enabled} is read from the webhooks as istioctl reads them
 * ({@link Injectors}): the {@code namespace.sidecar-injector.istio.io} webhook of the {@code default} revision tag when
 * one exists (istioctl/pkg/tag: {@code istioctl tag set default --revision r1} deactivates the default revision's own
 * webhook), so the sentence names revision r1 then, not "the default revision".
 */
public final class InjectionLabelAndRevision extends MeshCheck {
    static final String DATAPLANE_MODE = "istio.io/dataplane-mode";

    InjectionLabelAndRevision(Function<CheckContext, PlannedMesh> mesh) {
        super("injection-label-and-revision", STACK_ONLY, mesh, InjectionLabelAndRevision::findings);
    }

    /** The labels IST0123 counts, as "key=value". */
    static List<String> counted(Map<String, String> labels) {
        List<String> out = new ArrayList<>();
        String injection = labels.get(Injection.INJECTION_LABEL);
        if (injection != null) {
            out.add(Injection.INJECTION_LABEL + "=" + injection);
        }
        for (String l : List.of(Injection.REVISION_LABEL, DATAPLANE_MODE)) {
            if (labels.containsKey(l) && (injection == null || injection.equals("enabled"))) {
                out.add(l + "=" + labels.get(l));
            }
        }
        return out;
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        List<Diagnostic> out = new ArrayList<>();
        Map<String, Map<String, String>> after = mesh.namespaceLabels();
        mesh.namespaceDeclarations().forEach((ns, decls) -> {
            List<String> labels = counted(after.getOrDefault(ns, Map.of()));
            if (labels.size() < 2) {
                return;
            }
            ResourceDecl d = decls.get(0);
            boolean ambient = labels.stream().anyMatch(l -> l.startsWith(DATAPLANE_MODE));
            String injects = ambient ? "" : enabledInjector(injectors(mesh));
            out.add(Diagnostic.warning("namespace " + ns + " gets more than one Istio dataplane label: "
                            + String.join(", ", labels) + " (" + analyzerSays(ns) + ")",
                    (ambient ? "a namespace is either in sidecar mode or in ambient mode; "
                            : "istio-injection=enabled wins and the revision label is ignored: " + injects + "; ")
                            + "keep one (" + String.join(", ", decls.stream().map(x -> x.address().toString()).distinct().toList())
                            + "). To keep a namespace out of the mesh deliberately, istio-injection=disabled may stay beside"
                            + " the others", CheckSupport.range(d, "/spec/labels")));
        });
        return out;
    }

    /**
     * What Istio's analyzer says of the namespace: IST0123, except for istio-system, which the analyzer skips by that
     * literal name ({@code constants.IstioSystemNamespace}, whatever the install's namespace) before it counts labels
     * (injection.go). The webhooks' namespaceSelectors (mutatingwebhook.yaml) do not leave istio-system out, so the labels
     * act there as anywhere.
     */
    static String analyzerSays(String namespace) {
        return ISTIO_SYSTEM.equals(namespace)
                ? "istioctl analyze reports no IST0123 here, as it skips istio-system, but Istio's injector webhooks still read these labels"
                : "Istio's analyzer reports IST0123";
    }

    /** The namespace Istio's injection analyzer never judges ({@code constants.IstioSystemNamespace}). */
    static final String ISTIO_SYSTEM = "istio-system";

    /** Which injector answers: the stack's install's revision and whether it injects namespaces by default. */
    @Override
    public java.util.Set<String> installFields() {
        return Injectors.INSTALL_FIELDS;
    }

    /** The injectors the run leaves: live ones plus the revisions the stack installs; unknown for validate. */
    static Injectors injectors(PlannedMesh mesh) {
        if (mesh.context().purpose() == Purpose.VALIDATE) {
            return Injectors.UNKNOWN;
        }
        return mesh.cluster().injectors().plusInstalls(mesh.context().declared(Mesh.INSTALL_TYPE).stream()
                .map(d -> CheckSupport.after(mesh.context(), d)).toList());
    }

    /** Who injects for istio-injection=enabled, as a clause: through the default tag, the default revision, or none. */
    static String enabledInjector(Injectors injectors) {
        if (!injectors.known()) {
            return "the injector of the `default` revision tag injects (the default revision's, unless `istioctl tag set"
                    + " default` points the tag at another revision)";
        }
        return injectors.resolve("default").map(r -> injectors.tags().containsKey("default") && !r.equals("default")
                        ? "revision " + r + "'s injector injects (the `default` revision tag points at it)"
                        : "the default revision's injector injects")
                .orElse("no installed injector answers to it (installed: " + injectors.describe() + "), so new pods get no sidecar");
    }
}

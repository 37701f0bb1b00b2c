package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.injection.Injection;
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
 * ones with the stack's on top (validate: the stack's alone).
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
            out.add(Diagnostic.warning("namespace " + ns + " gets more than one Istio dataplane label: "
                            + String.join(", ", labels) + " (Istio's analyzer reports IST0123)",
                    (ambient ? "a namespace is either in sidecar mode or in ambient mode; "
                            : "istio-injection=enabled wins and the revision label is ignored: the default revision's injector"
                            + " injects; ")
                            + "keep one (" + String.join(", ", decls.stream().map(x -> x.address().toString()).distinct().toList())
                            + "). To keep a namespace out of the mesh deliberately, istio-injection=disabled may stay beside"
                            + " the others", CheckSupport.range(d, "/spec/labels")));
        });
        return out;
    }

    /** None: it reads no field of the install. */
    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of();
    }
}

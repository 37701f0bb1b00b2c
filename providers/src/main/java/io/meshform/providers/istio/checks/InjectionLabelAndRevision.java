package io.meshform.providers.istio.checks;

import static io.meshform.providers.istio.checks.CheckSupport.after;
import static io.meshform.providers.istio.checks.CheckSupport.range;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/** (d) A namespace that gets both istio-injection and istio.io/rev labels. */
public final class InjectionLabelAndRevision implements PlanCheck {
    @Override
    public String name() {
        return "injection-label-and-revision";
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
        Map<String, List<ResourceDecl>> byNamespace = new java.util.TreeMap<>();
        Map<String, TreeSet<String>> keys = new java.util.TreeMap<>();
        for (String type : List.of(CheckSupport.LABELS_TYPE, CheckSupport.NAMESPACE_TYPE)) {
            for (ResourceDecl d : ctx.declared(type)) {
                JsonNode s = after(ctx, d);
                if (type.equals(CheckSupport.LABELS_TYPE) && !"Namespace".equals(Json.text(s, "kind", "Namespace"))) {
                    continue;
                }
                String ns = Json.text(s, "name");
                Map<String, String> labels = Json.stringMap(s.get("labels"));
                for (String k : List.of("istio-injection", "istio.io/rev")) {
                    if (labels.containsKey(k) && ns != null) {
                        keys.computeIfAbsent(ns, x -> new TreeSet<>()).add(k);
                        byNamespace.computeIfAbsent(ns, x -> new ArrayList<>()).add(d);
                    }
                }
            }
        }
        List<Diagnostic> out = new ArrayList<>();
        keys.forEach((ns, k) -> {
            if (k.size() == 2) {
                ResourceDecl d = byNamespace.get(ns).get(0);
                out.add(Diagnostic.warning("namespace " + ns + " gets both istio-injection and istio.io/rev labels",
                        "istio-injection wins and the revision label is ignored; keep one ("
                                + String.join(", ", byNamespace.get(ns).stream().map(x -> x.address().toString()).distinct().toList())
                                + ")", range(d, "/spec/labels")));
            }
        });
        return out;
    }
}

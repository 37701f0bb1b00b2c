package io.meshform.providers.kubernetes;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A manifest of a kind no known API group serves must be declared by a CustomResourceDefinition in the same stack;
 * otherwise nothing offline says it exists, and a typo in an apiVersion would pass validate and fail only at plan.
 * Needs no cluster.
 */
final class ManifestKindsCheck implements PlanCheck {
    private final KnownKinds kinds;

    ManifestKindsCheck(KnownKinds kinds) {
        this.kinds = kinds;
    }

    @Override
    public String name() {
        return "manifest-kinds";
    }

    @Override
    public boolean needsCluster() {
        return false;
    }

    @Override
    public List<Diagnostic> check(CheckContext context) {
        List<ResourceDecl> manifests = context.stack().ofType(ManifestType.NAME);
        Set<String> declared = new HashSet<>();
        for (ResourceDecl d : manifests) {
            JsonNode m = d.spec().path("manifest");
            if ("CustomResourceDefinition".equals(Json.text(m, "kind"))) {
                JsonNode spec = m.path("spec");
                String group = Json.text(spec, "group");
                String kind = Json.text(spec.path("names"), "kind");
                for (JsonNode v : spec.path("versions")) {
                    declared.add(group + "/" + Json.text(v, "name") + " " + kind);
                }
            }
        }
        List<Diagnostic> out = new ArrayList<>();
        for (ResourceDecl d : manifests) {
            JsonNode m = d.spec().path("manifest");
            String apiVersion = Json.text(m, "apiVersion");
            String kind = Json.text(m, "kind");
            if (apiVersion == null || kind == null || kinds.knowsGroup(apiVersion)
                    || declared.contains(apiVersion + " " + kind)) {
                continue;
            }
            out.add(Diagnostic.error(d.address() + ": unknown kind `" + kind + "` of `" + apiVersion + "`",
                    "no Kubernetes or Istio API serves it, and no CustomResourceDefinition in this stack declares it;"
                            + " check the apiVersion and kind, or declare the CRD in the stack (a kubernetes.manifest of"
                            + " kind CustomResourceDefinition)", d.source().range("/spec/manifest/kind")));
        }
        return out;
    }
}

package io.meshform.providers.kubernetes;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import java.util.ArrayList;
import java.util.List;
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
        java.util.Map<String, String> declared = new java.util.HashMap<>();  // "group/version Kind" -> its CRD's scope
        for (ResourceDecl d : manifests) {
            JsonNode m = d.spec().path("manifest");
            if ("CustomResourceDefinition".equals(Json.text(m, "kind"))) {
                JsonNode spec = m.path("spec");
                String group = Json.text(spec, "group");
                String kind = Json.text(spec.path("names"), "kind");
                for (JsonNode v : spec.path("versions")) {
                    declared.put(group + "/" + Json.text(v, "name") + " " + kind, Json.text(spec, "scope", ""));
                }
            }
        }
        List<Diagnostic> out = new ArrayList<>();
        for (ResourceDecl d : manifests) {
            JsonNode m = d.spec().path("manifest");
            String apiVersion = Json.text(m, "apiVersion");
            String kind = Json.text(m, "kind");
            if (apiVersion == null || kind == null || kinds.knowsGroup(apiVersion)) {
                continue;
            }
            String scope = declared.get(apiVersion + " " + kind);
            if (scope != null) {
                scope(d, m, kind, scope).ifPresent(out::add);
                continue;
            }
            out.add(Diagnostic.error(d.address() + ": unknown kind `" + kind + "` of `" + apiVersion + "`",
                    "no Kubernetes or Istio API serves it, and no CustomResourceDefinition in this stack declares it;"
                            + " check the apiVersion and kind, or declare the CRD in the stack (a kubernetes.manifest of"
                            + " kind CustomResourceDefinition)", d.source().range("/spec/manifest/kind")));
        }
        return out;
    }

    /** A manifest of a kind the stack's CRD declares: namespaced or not as the CRD's {@code spec.scope} says. */
    private static java.util.Optional<Diagnostic> scope(ResourceDecl d, JsonNode m, String kind, String scope) {
        JsonNode md = m.path("metadata");
        if (!md.isObject()) {
            return java.util.Optional.empty();  // "missing metadata" is said by the manifest's own checks
        }
        if ("Namespaced".equals(scope) && !md.has("namespace")) {
            return java.util.Optional.of(Diagnostic.error(d.address() + ": " + NamespaceRequired.summary(kind)
                    + " (its CustomResourceDefinition in this stack says scope: Namespaced)", NamespaceRequired.HINT,
                    d.source().range("/spec/manifest/metadata")));
        }
        if ("Cluster".equals(scope) && md.has("namespace")) {
            return java.util.Optional.of(Diagnostic.error(d.address() + ": " + kind + " is cluster-scoped (its"
                    + " CustomResourceDefinition in this stack says scope: Cluster): it has no namespace",
                    "remove metadata.namespace", d.source().range("/spec/manifest/metadata/namespace")));
        }
        return java.util.Optional.empty();
    }
}

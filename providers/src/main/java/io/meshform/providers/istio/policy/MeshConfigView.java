package io.meshform.providers.istio.policy;

import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The parts of a mesh config ({@code MeshConfig}, istio/api mesh/v1alpha1/config.proto) that change what policies
 * mean, and where they were read. istiod reads the {@code mesh} key of the {@code istio} ConfigMap in its namespace
 * ({@code istio-<revision>} for a revision) and fills what is unset with {@code DefaultMeshConfig}
 * (pkg/config/mesh/mesh.go): {@code rootNamespace} defaults to istio-system there, and Istio's Helm chart writes the
 * install namespace (manifests/charts/istio-control/istio-discovery/templates/configmap.yaml).
 *
 * @param rootNamespace      where selector-less policies act mesh-wide
 * @param extensionProviders the providers istiod ends up with: its defaults and the mesh config's, merged by name
 * @param pathNormalization  {@code pathNormalization.normalization}, or null when unset (Istio's DEFAULT, i.e. BASE)
 * @param source             where the values were read, for messages ("the live ConfigMap istio-system/istio")
 * @param known              false when no mesh config was found (no stack install and no ConfigMap): Istio's defaults
 * @param enableAutoMtls     {@code enableAutoMtls}, default true ({@code DefaultMeshConfig}, pkg/config/mesh/mesh.go): client
 *                           sidecars send Istio mTLS where no DestinationRule sets tls
 * @param defaultDestinationRuleExportTo {@code defaultDestinationRuleExportTo}, default {@code ["*"]} (same function)
 */
public record MeshConfigView(String rootNamespace, List<JsonNode> extensionProviders, String pathNormalization,
                             String source, boolean known, boolean enableAutoMtls,
                             List<String> defaultDestinationRuleExportTo) {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    public MeshConfigView {
        extensionProviders = List.copyOf(extensionProviders);
        defaultDestinationRuleExportTo = List.copyOf(defaultDestinationRuleExportTo);
    }

    /** The same view with {@code enableAutoMtls} set (tests, and a plan that changes the install's mesh config). */
    public MeshConfigView withAutoMtls(boolean on) {
        return new MeshConfigView(rootNamespace, extensionProviders, pathNormalization, source, known, on,
                defaultDestinationRuleExportTo);
    }

    /**
     * The extension providers every mesh config has ({@code DefaultMeshConfig}, pkg/config/mesh/mesh.go): prometheus,
     * stackdriver and envoy (an access log to /dev/stdout).
     */
    static final List<String> DEFAULT_PROVIDERS = List.of("prometheus", "stackdriver", "envoy");

    /** Istio's defaults, when no mesh config can be read. */
    public static MeshConfigView defaults(String why) {
        return new MeshConfigView(Mesh.DEFAULT_ROOT_NAMESPACE, merged(Json.MAPPER.createArrayNode()), null, why, false, true,
                List.of("*"));
    }

    /**
     * The providers istiod ends up with: its defaults, then the mesh config's in order, a provider replacing an
     * earlier one of the same name ({@code ApplyMeshConfig}, pkg/config/mesh/mesh.go).
     */
    private static List<JsonNode> merged(JsonNode declared) {
        java.util.LinkedHashMap<String, JsonNode> byName = new java.util.LinkedHashMap<>();
        byName.put("prometheus", Json.object().put("name", "prometheus").set("prometheus", Json.object()));
        byName.put("stackdriver", Json.object().put("name", "stackdriver").set("stackdriver", Json.object()));
        byName.put("envoy", Json.object().put("name", "envoy").set("envoyFileAccessLog", Json.object().put("path", "/dev/stdout")));
        List<JsonNode> unnamed = new ArrayList<>();
        declared.forEach(p -> {
            String name = Json.text(p, "name");
            if (name == null) {
                unnamed.add(p);
            } else {
                byName.put(name, p);
            }
        });
        List<JsonNode> out = new ArrayList<>(byName.values());
        out.addAll(unnamed);
        return out;
    }

    /** From a MeshConfig object (the install's {@code meshConfig}, or the parsed ConfigMap value). */
    public static MeshConfigView of(JsonNode mesh, String source) {
        List<JsonNode> providers = merged(mesh.path("extensionProviders"));
        String root = Json.text(mesh, "rootNamespace");
        JsonNode auto = mesh.path("enableAutoMtls");
        List<String> export = new ArrayList<>();
        mesh.path("defaultDestinationRuleExportTo").forEach(e -> export.add(e.asString()));
        return new MeshConfigView(root == null || root.isBlank() ? Mesh.DEFAULT_ROOT_NAMESPACE : root, providers,
                Json.text(mesh.path("pathNormalization"), "normalization"), source, true,
                !auto.isBoolean() || auto.asBoolean(), export.isEmpty() ? List.of("*") : export);
    }

    /** From the YAML text of a ConfigMap's {@code mesh} key; unparseable text gives Istio's defaults, saying why. */
    public static MeshConfigView parse(String yaml, String source) {
        try {
            JsonNode node = yaml == null || yaml.isBlank() ? Json.object() : YAML.readTree(yaml);
            return of(node == null || !node.isObject() ? Json.object() : node, source);
        } catch (RuntimeException e) {
            return defaults(source + " does not parse as YAML");
        }
    }

    /** The provider named {@code name}, if the mesh config declares it. */
    public java.util.Optional<JsonNode> provider(String name) {
        return extensionProviders.stream().filter(p -> name.equals(Json.text(p, "name"))).findFirst();
    }

    public java.util.Set<String> providerNames() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        extensionProviders.forEach(p -> {
            if (Json.text(p, "name") != null) {
                out.add(Json.text(p, "name"));
            }
        });
        return out;
    }
}

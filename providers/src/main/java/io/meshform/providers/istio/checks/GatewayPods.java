package io.meshform.providers.istio.checks;

import io.meshform.engine.spi.CheckContext.Purpose;
import io.meshform.providers.istio.injection.LivePod;
import io.meshform.providers.istio.injection.Sidecars;
import io.meshform.providers.istio.policy.GatewayPodTemplate;
import io.meshform.providers.istio.policy.PolicyTarget;
import io.meshform.providers.kubernetes.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The labels of the pods of the Gateway API Gateway {@code namespace/name}, as the checks that ask "which policies reach
 * this Gateway's pods" match selectors against them. In order of preference:
 * <ol>
 *   <li>its running pods (plan, drift): the labels they all share, which is what istiod matches (by
 *       {@code gateway.networking.k8s.io/gateway-name}, the label istiod reads, {@code workloadGatewayName});</li>
 *   <li>its object, the stack's as planned, else the live one: the labels istiod's deployment controller gives its pods
 *       ({@link GatewayPodTemplate}, Istio 1.30.3 kube-gateway.yaml), or none when istiod makes no pods for it (a class
 *       other than {@code istio});</li>
 *   <li>neither: the template's labels for a Gateway of class {@code istio} without labels or annotations, said so.</li>
 * </ol>
 *
 * @param labels the pods' labels; empty when istiod makes no pods for the Gateway
 * @param basis  which of the three the labels come from, for a report ("its 2 running pods' shared labels")
 * @param exact  the pods carry these labels and no others: true when they come from the Gateway object (the template
 *               gives each pod the same, complete set); running pods may carry labels they do not share, and the
 *               template without the object misses the Gateway's own or infrastructure labels
 */
record GatewayPods(Optional<Map<String, String>> labels, String basis, boolean exact) {
    private static final String POD_TEMPLATE_HASH = "pod-template-hash";

    /** The pods of Gateway {@code namespace/name} in the judged mesh. */
    static GatewayPods of(PlannedMesh mesh, String namespace, String name) {
        List<LivePod> running = mesh.context().purpose() == Purpose.VALIDATE ? List.of() : mesh.cluster().pods().stream()
                .filter(p -> namespace.equals(p.namespace()) && name.equals(p.labels().get(PolicyTarget.GATEWAY_NAME_LABEL))
                        && !Sidecars.finished(p)).toList();
        if (!running.isEmpty()) {
            Map<String, String> shared = new TreeMap<>(running.get(0).labels());
            running.forEach(p -> shared.entrySet().removeIf(e -> !e.getValue().equals(p.labels().get(e.getKey()))));
            shared.remove(POD_TEMPLATE_HASH); // a rollout's two ReplicaSets differ in it; no policy selects on it
            return new GatewayPods(Optional.of(shared), "the labels its " + running.size() + " running pod(s) share", false);
        }
        Optional<JsonNode> gateway = object(mesh, namespace, name);
        if (gateway.isPresent()) {
            Optional<Map<String, String>> labels = GatewayPodTemplate.DEFAULT.podLabels(gateway.get());
            String gatewayClass = Json.text(gateway.get().path("spec"), "gatewayClassName", "");
            return new GatewayPods(labels, labels.isPresent()
                    ? "as istiod's gateway template labels the pods of Deployment " + namespace + "/"
                    + GatewayPodTemplate.deploymentName(gateway.get()) + " (from the Gateway object)"
                    : "istiod makes no pods for it (gatewayClassName " + gatewayClass + " is not " + GatewayPodTemplate.ISTIO_CLASS
                    + ", or its addresses name an existing deployment)", true);
        }
        ObjectNode assumed = Json.MAPPER.createObjectNode();
        assumed.putObject("metadata").put("name", name).put("namespace", namespace);
        assumed.putObject("spec").put("gatewayClassName", GatewayPodTemplate.ISTIO_CLASS);
        return new GatewayPods(GatewayPodTemplate.DEFAULT.podLabels(assumed),
                "as istiod's gateway template labels them for class " + GatewayPodTemplate.ISTIO_CLASS
                        + " (the Gateway object is not known: its own labels, infrastructure labels and name override are not counted)",
                false);
    }

    /**
     * The Gateway object after the run: the stack's as planned, else the live one (plan, drift) unless the plan removes
     * it. Empty when neither holds it.
     */
    static Optional<JsonNode> object(PlannedMesh mesh, String namespace, String name) {
        for (PlannedObject g : mesh.planned()) {
            if (gateway(g) && namespace.equals(g.namespace()) && name.equals(g.name())) {
                return Optional.of(g.object());
            }
        }
        if (mesh.context().purpose() == Purpose.VALIDATE
                || mesh.removed().stream().anyMatch(g -> gateway(g) && namespace.equals(g.namespace()) && name.equals(g.name()))) {
            return Optional.empty();
        }
        return mesh.cluster().gateways().stream().filter(g -> namespace.equals(Json.text(g.path("metadata"), "namespace"))
                && name.equals(Json.text(g.path("metadata"), "name"))).findFirst();
    }

    private static boolean gateway(PlannedObject o) {
        return "Gateway".equals(o.kind()) && o.apiVersion() != null && o.apiVersion().startsWith(PolicyTarget.GATEWAY_API_GROUP + "/");
    }
}

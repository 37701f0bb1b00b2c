package io.meshform.providers.istio;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.providers.kubernetes.Json;
import io.meshform.testkit.ClusterContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Makes sure the Istio security CRDs exist: from {@code istioctl manifest generate} when istioctl is there, else
 * a schema-less stand-in for the three policy kinds.
 */
final class IstioCrds {
    static final List<String> PLURALS = List.of("peerauthentications", "requestauthentications", "authorizationpolicies");

    private IstioCrds() {
    }

    static synchronized void ensure(ClusterContext cluster) {
        KubernetesClient c = cluster.client();
        if (PLURALS.stream().allMatch(p -> c.apiextensions().v1().customResourceDefinitions()
                .withName(p + ".security.istio.io").get() != null)) {
            return;
        }
        boolean fromIstioctl = false;
        try {
            Istioctl istioctl = new Istioctl(cluster.istioctl().toString(), "testkit", null, null);
            Istioctl.Result r = istioctl.run(List.of("manifest", "generate"), Duration.ofMinutes(2), ProgressSink.NONE, false);
            if (r.exit() == 0) {
                for (JsonNode o : IstioInstallType.parseRender(r.out()).objects()) {
                    if ("CustomResourceDefinition".equals(Json.text(o, "kind"))) {
                        CustomResourceDefinition crd = c.getKubernetesSerialization()
                                .unmarshal(o.toString(), CustomResourceDefinition.class);
                        c.resource(crd).fieldManager("meshform-it").forceConflicts().serverSideApply();
                    }
                }
                fromIstioctl = true;
            }
        } catch (RuntimeException e) {
            System.err.println("[IstioCrds] istioctl unavailable (" + e.getMessage() + "); using stand-in CRDs");
        }
        if (!fromIstioctl) {
            for (String[] k : List.of(new String[] {"PeerAuthentication", "peerauthentications"},
                    new String[] {"RequestAuthentication", "requestauthentications"},
                    new String[] {"AuthorizationPolicy", "authorizationpolicies"})) {
                CustomResourceDefinition crd = new CustomResourceDefinitionBuilder()
                        .withNewMetadata().withName(k[1] + ".security.istio.io").endMetadata()
                        .withNewSpec().withGroup("security.istio.io").withScope("Namespaced")
                        .withNewNames().withKind(k[0]).withPlural(k[1]).withSingular(k[0].toLowerCase()).withListKind(k[0] + "List").endNames()
                        .addNewVersion().withName("v1").withServed(true).withStorage(true)
                        .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                        .endOpenAPIV3Schema().endSchema().endVersion()
                        .endSpec().build();
                c.resource(crd).fieldManager("meshform-it").serverSideApply();
            }
        }
        for (String p : PLURALS) {
            c.apiextensions().v1().customResourceDefinitions().withName(p + ".security.istio.io").waitUntilCondition(
                    crd -> crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
                            && crd.getStatus().getConditions().stream()
                                .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
                    60, TimeUnit.SECONDS);
        }
    }
}

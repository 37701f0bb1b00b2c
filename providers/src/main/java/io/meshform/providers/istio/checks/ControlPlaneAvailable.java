package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.install.InstallSpec;
import io.meshform.providers.kubernetes.Json;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * The stack's istiod, as the cluster runs it: its Deployment scaled to zero, or without one available replica. Neither
 * is a difference between istioctl's render and the cluster (the render has no replica count where a
 * HorizontalPodAutoscaler owns it, {@code NoiseRules}), so the install's drift read "matches" and drift said "No drift"
 * (exit 0) on the real cluster after {@code kubectl scale deployment istiod --replicas=0}, while the injector's webhook
 * refused every new pod of the injected namespaces (but those labelled {@code sidecar.istio.io/inject: "false"}, which
 * its object selector leaves out: manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml).
 * Istio's default profile renders that webhook with {@code failurePolicy: Fail}. The autoscaler does not bring it back: it does not scale a target whose replica count is
 * zero (condition ScalingActive False, reason ScalingDisabled, "scaling is disabled since the replica count of the
 * target is zero": kubernetes pkg/controller/podautoscaler/horizontal.go), and applying the install renders no replica
 * count. A plan warns; drift reports it (exit 2). A Deployment that does not exist is the install's plan to create, not
 * this check's.
 */
public final class ControlPlaneAvailable extends MeshCheck {
    ControlPlaneAvailable(Function<CheckContext, PlannedMesh> mesh) {
        super("control-plane-available", NEEDS_CLUSTER, mesh, ControlPlaneAvailable::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        if (mesh.context().purpose() == CheckContext.Purpose.VALIDATE || mesh.install().isEmpty()) {
            return List.of();
        }
        ResourceDecl install = mesh.install().get();
        String name = InstallSpec.istiodName(CheckSupport.after(mesh.context(), install));
        for (JsonNode d : mesh.cluster().istiodDeployments()) {
            if (!name.equals(Json.text(d.path("metadata"), "name"))) {
                continue;
            }
            String what = "Deployment " + Mesh.ISTIO_NAMESPACE + "/" + name;
            JsonNode replicas = d.path("spec").get("replicas");
            int wanted = replicas == null || !replicas.isNumber() ? 1 : replicas.asInt();
            int available = d.path("status").path("availableReplicas").asInt(0);
            String effects = "While no istiod runs, the sidecar injector's webhook (failurePolicy Fail) refuses every new pod"
                    + " of the injected namespaces that does not opt out (label sidecar.istio.io/inject: \"false\"), Istio's"
                    + " configuration changes reach no proxy, and workload certificates are not renewed.";
            if (wanted == 0) {
                return List.of(Diagnostic.warning(install.address() + ": istiod (" + what + ") is scaled to 0 replicas",
                        effects + " Its HorizontalPodAutoscaler does not scale a Deployment up from zero (ScalingDisabled),"
                                + " and applying the install renders no replica count, so neither brings it back: scale it"
                                + " up (kubectl -n " + Mesh.ISTIO_NAMESPACE + " scale deployment " + name + " --replicas=1)",
                        null));
            }
            if (available == 0) {
                return List.of(Diagnostic.warning(install.address() + ": istiod (" + what + ") has no available replica (0 of "
                        + wanted + ")", effects + " See why its pods are not ready: kubectl -n " + Mesh.ISTIO_NAMESPACE
                        + " describe deployment " + name, null));
            }
        }
        return List.of();
    }

    /** An istiod that serves nothing lets nothing through: the injector refuses new pods. */
    @Override
    public Concern concern(io.meshform.engine.diag.Diagnostic finding) {
        return Concern.DEGRADES;
    }

    @Override
    public Set<String> installFields() {
        return Set.of("/revision");
    }
}

package io.meshform.providers.istio.checks;

import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.injection.Sidecars;
import io.meshform.providers.istio.policy.ConfigRevision;
import io.meshform.providers.istio.policy.MeshConfigView;
import io.meshform.providers.istio.policy.PolicyAttachment;
import io.meshform.providers.istio.policy.PolicyTarget;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * The mesh configs a policy is put to work under: istiod reads every AuthorizationPolicy and Telemetry, but configures
 * only the proxies connected to it, each from its own revision's mesh config ({@link PlannedMesh#meshConfig(String)}).
 * So a policy is judged with the mesh config of each revision ({@link Sidecars#revisionOf}) serving a running pod it
 * attaches to ({@link PolicyAttachment}: istiod attaches both kinds with {@code PolicyMatcherForProxy},
 * pilot/pkg/model/authorization.go and telemetry.go, Istio 1.30.3), once per distinct mesh config; with no such pod
 * known (validate reads none, nothing runs yet), with the stack's first install's ({@link PlannedMesh#meshConfig()}).
 */
final class ServingRevisions {
    private ServingRevisions() {
    }

    /** A revision, and the mesh config its istiod gives the proxies it serves. */
    record Served(String revision, MeshConfigView config) {
    }

    /** For {@code object} (an Istio policy object, as {@link PlannedObject#object}), as the class comment says. */
    static List<Served> of(PlannedMesh mesh, JsonNode object) {
        Map<String, Served> bySource = new LinkedHashMap<>();
        if (mesh.context().purpose() != CheckContext.Purpose.VALIDATE) {
            JsonNode spec = object.path("spec");
            String namespace = Json.text(object.path("metadata"), "namespace");
            Map<String, String> selector = Json.stringMap(spec.path("selector").path("matchLabels"));
            List<PolicyTarget> targets = PolicyTarget.of(spec);
            String root = mesh.rootNamespace();
            TreeSet<String> revisions = new TreeSet<>();
            for (var pod : CoveredWorkloads.running(mesh)) {
                if (namespace != null && PolicyAttachment.attaches(namespace, selector, targets, pod.namespace(), pod.labels(), root)
                        && ConfigRevision.readBy(ConfigRevision.of(object), Sidecars.revisionOf(pod))) { // its istiod reads it
                    revisions.add(Sidecars.revisionOf(pod));
                }
            }
            revisions.forEach(r -> {
                MeshConfigView c = mesh.meshConfig(r);
                bySource.putIfAbsent(c.source(), new Served(r, c));
            });
        }
        if (bySource.isEmpty()) {
            String r = mesh.install().map(PlannedMesh::revisionOf).orElse(io.meshform.providers.istio.core.Mesh.DEFAULT_REVISION);
            bySource.put("", new Served(r, mesh.meshConfig()));
        }
        return new ArrayList<>(bySource.values());
    }
}

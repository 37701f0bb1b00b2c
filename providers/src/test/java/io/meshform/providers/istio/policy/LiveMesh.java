package io.meshform.providers.istio.policy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.providers.kubernetes.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/** The model built from one LIST per kind of the live cluster, as {@link MtlsAgreementIT} compares it with istiod. */
final class LiveMesh {
    final MeshConfigView mesh;
    final PeerAuthentications peers;
    final ClientMtls clients;
    final List<PeerPolicy> peerList;
    final List<DestinationPolicy> ruleList;
    final List<MeshService> services;
    private final Map<String, MeshPod> pods = new HashMap<>();
    private final Map<String, MeshPod> byIp = new HashMap<>();

    private LiveMesh(MeshConfigView mesh, List<PeerPolicy> peerList, List<DestinationPolicy> ruleList,
                     List<MeshService> services, List<MeshPod> podList) {
        this.mesh = mesh;
        this.peerList = peerList;
        this.ruleList = ruleList;
        this.services = services;
        this.peers = new PeerAuthentications(mesh.rootNamespace(), peerList);
        this.clients = new ClientMtls(mesh, peers, ruleList, services, podList);
        podList.forEach(p -> {
            pods.put(p.id(), p);
            if (p.ip() != null) {
                byIp.put(p.ip(), p);
            }
        });
    }

    static LiveMesh read(KubernetesClient client) {
        ConfigMap cm = client.configMaps().inNamespace("istio-system").withName("istio").get();
        MeshConfigView mesh = cm == null ? MeshConfigView.defaults("no ConfigMap istio-system/istio")
                : MeshConfigView.parse(cm.getData().get("mesh"), "ConfigMap istio-system/istio");
        List<PeerPolicy> peers = new ArrayList<>();
        for (GenericKubernetesResource o : client.genericKubernetesResources(MtlsAgreementIT.PA).inAnyNamespace().list().getItems()) {
            peers.add(PeerPolicy.of(o.getMetadata().getNamespace(), o.getMetadata().getName(),
                    Instant.parse(o.getMetadata().getCreationTimestamp()), spec(o), null));
        }
        List<DestinationPolicy> rules = new ArrayList<>();
        for (GenericKubernetesResource o : client.genericKubernetesResources(MtlsAgreementIT.DR).inAnyNamespace().list().getItems()) {
            rules.add(DestinationPolicy.of(o.getMetadata().getNamespace(), o.getMetadata().getName(),
                    Instant.parse(o.getMetadata().getCreationTimestamp()), spec(o), null));
        }
        List<MeshService> services = new ArrayList<>();
        for (Service s : client.services().inAnyNamespace().list().getItems()) {
            List<MeshService.Port> ports = new ArrayList<>();
            s.getSpec().getPorts().forEach(p -> ports.add(new MeshService.Port(p.getName(), p.getPort(),
                    p.getTargetPort() == null || p.getTargetPort().getIntVal() == null ? p.getPort() : p.getTargetPort().getIntVal(),
                    ServiceProtocol.of(p.getPort(), p.getName(), p.getProtocol(), p.getAppProtocol()))));
            services.add(new MeshService(s.getMetadata().getNamespace(), s.getMetadata().getName(),
                    "None".equals(s.getSpec().getClusterIP()), s.getSpec().getSelector() == null ? Map.of() : s.getSpec().getSelector(),
                    ports, Instant.parse(s.getMetadata().getCreationTimestamp())));
        }
        List<MeshPod> pods = new ArrayList<>();
        for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
            if (p.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            pods.add(pod(p));
        }
        return new LiveMesh(mesh, peers, rules, services, pods);
    }

    static MeshPod pod(Pod p) {
        boolean sidecar = Stream.concat(p.getSpec().getContainers().stream(), p.getSpec().getInitContainers().stream())
                .anyMatch(c -> c.getName().equals("istio-proxy"));
        List<Integer> ports = new ArrayList<>();
        for (Container c : p.getSpec().getContainers()) {
            if (!c.getName().equals("istio-proxy") && c.getPorts() != null) {
                c.getPorts().forEach(port -> ports.add(port.getContainerPort()));
            }
        }
        return new MeshPod(p.getMetadata().getNamespace(), p.getMetadata().getName(),
                p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels(), sidecar,
                p.getStatus() == null ? null : p.getStatus().getPodIP(), ports);
    }

    private static JsonNode spec(GenericKubernetesResource o) {
        Object spec = o.getAdditionalProperties().get("spec");
        return spec == null ? Json.object() : Json.MAPPER.valueToTree(spec);
    }

    MeshPod pod(String id) {
        MeshPod p = pods.get(id);
        if (p == null) {
            throw new AssertionError("the probe answered for " + id + ", which the live LIST does not have");
        }
        return p;
    }

    MeshPod byIp(String ip) {
        return byIp.get(ip);
    }

    String describePeers() {
        StringBuilder sb = new StringBuilder("[");
        for (PeerPolicy p : peers.all()) {
            sb.append(p.id()).append('@').append(p.created()).append(" sel=").append(p.selector()).append(" mode=")
                    .append(p.mode()).append(" ports=").append(p.portLevel()).append("; ");
        }
        return sb.append(']').toString();
    }

    String describeRules() {
        StringBuilder sb = new StringBuilder("[");
        for (DestinationPolicy d : ruleList) {
            sb.append(d.id()).append('@').append(d.created()).append(" host=").append(d.host()).append(" export=")
                    .append(d.exportTo()).append(" sel=").append(d.workloadSelector()).append(" tp=").append(d.trafficPolicy())
                    .append("; ");
        }
        return sb.append(']').toString();
    }
}

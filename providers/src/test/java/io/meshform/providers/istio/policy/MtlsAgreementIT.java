package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.providers.DefaultIstio;
import io.meshform.providers.kubernetes.Json;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Point 4 of issue #20: meshform's mTLS model against istiod's own code. Each round writes a random mesh (see
 * {@link MtlsCases}) to the dev cluster with Istio installed, asks the test bed's istiod for every pod's proxy config
 * in one probe call (testbed/README.md, "proxy-config"), and compares, per pod and container port, the inbound mode
 * istiod's listeners accept with {@link PeerAuthentications#effective}, and, per sidecar client and destination
 * (every Service, and pod addresses as Spark and headless clients dial them), whether istiod's cluster and endpoints
 * give Istio mTLS with {@link ClientMtls}. The seed is printed; rerun one with {@code -Dmtlsproof.seed=N}
 * ({@code -Dmtlsproof.rounds=N}, default 12). Every disagreement fails the test, with the case, and belongs as a fixed
 * case in the unit tests ({@link ClientMtlsTest}, {@link PeerAuthenticationsTest}).
 */
@LiveClusterTest
class MtlsAgreementIT {
    static final ResourceDefinitionContext PA = kind("security.istio.io", "PeerAuthentication", "peerauthentications");
    static final ResourceDefinitionContext DR = kind("networking.istio.io", "DestinationRule", "destinationrules");
    static final String ROOT = "istio-system";

    private static ResourceDefinitionContext kind(String group, String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion("v1").withKind(kind)
                .withPlural(plural).withNamespaced(true).build();
    }

    @Test
    void theModelAgreesWithIstiodOnRandomMeshes(ClusterContext cluster) {
        DefaultIstio.ensure(cluster);
        long seed = Long.getLong("mtlsproof.seed", System.nanoTime());
        int rounds = Integer.getInteger("mtlsproof.rounds", 12);
        System.out.println("[mtlsproof] seed " + seed + ", " + rounds + " rounds (rerun: -Dmtlsproof.seed=" + seed + ")");
        Agreement total = new Agreement();
        long start = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            Agreement round = round(cluster, new MtlsCases(seed + r), seed + r);
            System.out.println("[mtlsproof] round " + r + " (seed " + (seed + r) + "): " + round.summary());
            total.add(round);
        }
        System.out.printf("[mtlsproof] %s in %.1f s; seed %d%n", total.summary(), (System.nanoTime() - start) / 1e9, seed);
        total.disagreements.forEach(d -> System.out.println("[mtlsproof] DISAGREE " + d));
        assertTrue(total.inbound + total.outbound >= 500 || rounds < 12, "at least 500 cases: " + total.summary());
        assertEquals(List.of(), total.disagreements, "the model disagrees with istiod (seed " + seed + ")");
    }

    /** Counts of compared cases and what disagreed. */
    static final class Agreement {
        int inbound;
        int inboundAgree;
        int outbound;
        int outboundAgree;
        final Map<String, Integer> kinds = new java.util.TreeMap<>();
        final List<String> disagreements = new ArrayList<>();

        void add(Agreement o) {
            inbound += o.inbound;
            inboundAgree += o.inboundAgree;
            outbound += o.outbound;
            outboundAgree += o.outboundAgree;
            o.kinds.forEach((k, v) -> kinds.merge(k, v, Integer::sum));
            disagreements.addAll(o.disagreements);
        }

        String summary() {
            return String.format("%d cases, %d agree (inbound pod/port %d/%d, outbound client/destination %d/%d) %s",
                    inbound + outbound, inboundAgree + outboundAgree, inboundAgree, inbound, outboundAgree, outbound, kinds);
        }
    }

    private Agreement round(ClusterContext cluster, MtlsCases gen, long seed) {
        var client = cluster.client();
        List<String> namespaces = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            namespaces.add(cluster.newInjectedNamespace());
        }
        try {
            List<GenericKubernetesResource> first = new ArrayList<>();
            List<GenericKubernetesResource> later = new ArrayList<>();
            first.addAll(gen.widePolicies(ROOT, 0.4));
            (gen.chance(0.5) ? later : first).addAll(gen.workloadPolicies(ROOT, 1));
            List<String[]> targets = new ArrayList<>();
            List<Pod> pods = new ArrayList<>();
            for (String ns : namespaces) {
                for (int i = 0; i < 8; i++) {
                    pods.add(create(cluster, ns, gen.pod("p" + i, !gen.chance(0.3))));
                }
                // either order: where two headless Services share a pod's port, the older one's listener chain wins
                boolean reversed = gen.chance(0.5);
                for (int k = 0; k < 2; k++) {
                    int i = reversed ? 1 - k : k;
                    Service s = client.services().inNamespace(ns).resource(gen.service("s" + i)).create();
                    targets.add(new String[] {"s" + i, ns});
                    if (i == 0 && gen.chance(0.5)) {
                        first.add(gen.splitRule(s));
                    }
                }
                (gen.chance(0.5) ? later : first).addAll(gen.widePolicies(ns, 0.35));
                first.addAll(gen.workloadPolicies(ns, 2));
                later.addAll(gen.workloadPolicies(ns, 1).stream().map(p -> renamed(p, "late-")).toList());
            }
            for (String ns : namespaces) {
                int n = gen.chance(0.3) ? 0 : 1 + (gen.chance(0.4) ? 1 : 0);
                for (int i = 0; i < n; i++) {
                    (gen.chance(0.5) ? later : first).add(gen.destinationRule(ns, "dr-" + i, targets, namespaces));
                }
            }
            if (gen.chance(0.3)) {
                first.add(gen.destinationRule(ROOT, "mtlsproof-root", targets, namespaces));
            }
            if (gen.chance(0.6)) {
                // a pod of the root namespace: its namespace policy is the mesh policy, and as a client it reads the
                // root namespace's private DestinationRules first (the object selector injects it, the namespace has no
                // injection label)
                Pod root = gen.pod("mtlsproof-root", !gen.chance(0.3));
                root.getMetadata().getLabels().put(MtlsCases.LABEL, "true");
                if (!"false".equals(root.getMetadata().getLabels().get("sidecar.istio.io/inject"))) {
                    root.getMetadata().getLabels().put("sidecar.istio.io/inject", "true");
                }
                pods.add(create(cluster, ROOT, root));
            }
            List<Pod> ready = new ArrayList<>();
            for (Pod p : pods) {
                ready.add(client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName())
                        .waitUntilCondition(x -> x != null && x.getStatus() != null && x.getStatus().getPodIP() != null,
                                60, TimeUnit.SECONDS));
            }
            // The endpoints first, the policies after: see awaitEndpointSlices.
            awaitEndpointSlices(cluster, namespaces, ready);
            write(cluster, first);
            if (!later.isEmpty()) {
                sleep(1100); // a later second: creationTimestamp, not only the name, decides among these
                write(cluster, later);
            }
            return compare(cluster, gen, ready, targets, seed);
        } finally {
            client.genericKubernetesResources(PA).inNamespace(ROOT).withLabel(MtlsCases.LABEL, "true").delete();
            client.genericKubernetesResources(DR).inNamespace(ROOT).withLabel(MtlsCases.LABEL, "true").delete();
            client.pods().inNamespace(ROOT).withLabel(MtlsCases.LABEL, "true").withGracePeriod(0).delete();
            client.pods().inNamespace(ROOT).withName("mtlsproof-root").waitUntilCondition(p -> p == null, 60, TimeUnit.SECONDS);
            for (String ns : namespaces) {
                client.pods().inNamespace(ns).withGracePeriod(0).delete();
                client.namespaces().withName(ns).delete();
            }
        }
    }

    /**
     * Waits until every Service's EndpointSlices list exactly the pods it selects, so that the PeerAuthentications and
     * DestinationRules written after it reach istiod after the endpoints. istiod infers a PASSTHROUGH (or headless)
     * Service's mTLS from its endpoints as of the last full push ({@code BestEffortInferServiceMTLSMode} reads
     * {@code ServiceIndex.instancesByPort}, filled by {@code initServiceRegistry}, pilot/pkg/model/push_context.go); a
     * new endpoint of a Service that already has some, with the same service accounts, is only an incremental (EDS)
     * push ({@code UpdateServiceEndpoints}, pilot/pkg/model/endpointshards.go), so the cluster's TLS keeps the old
     * answer until the next full push. The model describes the mesh after that push. Before this wait the policies
     * were written first and the pods' IPs came after: in CI seed 82466939945352 once found istiod originating mTLS to
     * a PASSTHROUGH Service whose endpoints the model read as not all with a sidecar, and agreed when rerun.
     */
    private static void awaitEndpointSlices(ClusterContext cluster, List<String> namespaces, List<Pod> pods) {
        var client = cluster.client();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (String ns : namespaces) {
            for (Service s : client.services().inNamespace(ns).list().getItems()) {
                Map<String, String> selector = s.getSpec().getSelector();
                java.util.Set<String> want = new java.util.TreeSet<>();
                for (Pod p : pods) {
                    if (p.getMetadata().getNamespace().equals(ns) && selector != null && !selector.isEmpty()
                            && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())) {
                        want.add(p.getStatus().getPodIP());
                    }
                }
                java.util.Set<String> have = new java.util.TreeSet<>();
                while (true) {
                    have.clear();
                    client.discovery().v1().endpointSlices().inNamespace(ns)
                            .withLabel("kubernetes.io/service-name", s.getMetadata().getName()).list().getItems()
                            .forEach(slice -> {
                                if (slice.getEndpoints() != null) { // a Service without endpoints has an empty slice
                                    slice.getEndpoints().forEach(e -> have.addAll(e.getAddresses()));
                                }
                            });
                    if (have.equals(want)) {
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the EndpointSlices of " + ns + "/" + s.getMetadata().getName()
                                + " list " + have + " after 60 s, the pods it selects have " + want);
                    }
                    sleep(100);
                }
            }
        }
    }

    private static GenericKubernetesResource renamed(GenericKubernetesResource o, String prefix) {
        o.getMetadata().setName(prefix + o.getMetadata().getName());
        return o;
    }

    private static void write(ClusterContext cluster, List<GenericKubernetesResource> objects) {
        for (GenericKubernetesResource o : objects) {
            var kind = o.getKind().equals("PeerAuthentication") ? PA : DR;
            String name = o.getMetadata().getName();
            if (o.getMetadata().getNamespace().equals(ROOT)) {
                o.getMetadata().setName("mtlsproof-" + name.replace("mtlsproof-", ""));
            }
            cluster.client().genericKubernetesResources(kind).inNamespace(o.getMetadata().getNamespace()).resource(o).create();
        }
    }

    private static Pod create(ClusterContext cluster, String ns, Pod pod) {
        return cluster.client().pods().inNamespace(ns).resource(pod).create();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Agreement compare(ClusterContext cluster, MtlsCases gen, List<Pod> pods, List<String[]> targets, long seed) {
        List<String> podIds = pods.stream().map(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()).toList();
        List<String> destinations = new ArrayList<>();
        targets.forEach(t -> destinations.add(t[0] + "." + t[1]));
        LiveMesh live = LiveMesh.read(cluster.client());
        for (int i = 0; i < 6; i++) {
            Pod p = pods.get(gen.index(pods.size()));
            destinations.add(p.getStatus().getPodIP() + ":" + gen.pickPort(MtlsCases.CONTAINER_PORTS));
        }
        // the addresses a headless Service's clients dial: an endpoint's IP on the Service port
        for (MeshService s : live.services) {
            if (s.headless() && targets.stream().anyMatch(t -> t[0].equals(s.name()) && t[1].equals(s.namespace()))) {
                List<MeshPod> eps = live.clients.endpoints(s);
                if (!eps.isEmpty()) {
                    for (MeshService.Port port : s.ports()) {
                        destinations.add(eps.get(gen.index(eps.size())).ip() + ":" + port.port());
                    }
                }
            }
        }
        String answer = cluster.proxyConfig().probe(podIds, destinations);
        JsonNode doc;
        try {
            // The probe's Kubernetes client logs (klog "client-side throttling") to stdout before the document;
            // the document is the part from the first line that opens it.
            int open = answer.startsWith("{") ? 0 : answer.indexOf("\n{") + 1;
            doc = Json.MAPPER.readTree(answer.substring(open));
        } catch (RuntimeException e) {
            throw new AssertionError("the probe's answer is not JSON (" + e.getMessage() + "): "
                    + answer.substring(0, Math.min(2000, answer.length())), e);
        }
        Agreement a = new Agreement();
        for (JsonNode proxy : doc.path("proxies")) {
            MeshPod pod = live.pod(proxy.path("pod").asString());
            EffectiveMtls eff = live.peers.effective(pod.namespace(), pod.labels());
            for (int port : pod.containerPorts()) {
                String istiod = inboundMode(proxy, port);
                String model = eff.forPort(port).name();
                PeerPolicy by = eff.decidedBy(port);
                String level = by == null ? "default" : by == eff.workload()
                        ? (eff.workload().portLevel().containsKey(port) ? "port" : "workload")
                        : by == eff.namespace() ? "namespace" : "mesh";
                a.kinds.merge("inbound/" + model + "/" + level, 1, Integer::sum);
                a.inbound++;
                if (model.equals(istiod)) {
                    a.inboundAgree++;
                } else {
                    a.disagreements.add("seed " + seed + " inbound " + pod.id() + ":" + port + " labels " + pod.labels()
                            + ": istiod " + istiod + ", model " + model + " (" + eff.describe() + "); policies " + live.describePeers());
                }
            }
            if (!pod.sidecar()) {
                continue; // a client without a sidecar runs no Istio code; the probe answers as if it had one
            }
            for (JsonNode out : proxy.path("outbound")) {
                if (!out.path("subset").asString("").isEmpty()) {
                    continue;
                }
                a.outbound++;
                String why = outbound(live, pod, out, a);
                if (why == null) {
                    a.outboundAgree++;
                } else {
                    a.disagreements.add("seed " + seed + " outbound " + pod.id() + " labels " + pod.labels() + " -> "
                            + out.path("host").asString() + ":" + out.path("port").asInt() + ": " + why + "; rules "
                            + live.describeRules() + "; policies " + live.describePeers());
                }
            }
        }
        return a;
    }

    private static String inboundMode(JsonNode proxy, int port) {
        for (JsonNode p : proxy.path("inbound")) {
            if (p.path("port").asInt() == port) {
                return p.path("mode").asString();
            }
        }
        return "ABSENT";
    }

    /**
     * Null when the model agrees with istiod's cluster (and endpoints) for this destination, else what differs. For an
     * address the probe answers once per cluster a call reaches, naming the calls in {@code via} (plain TCP, and
     * HTTP/1.1, which a sniffing listener may route elsewhere); the model is asked for each of them.
     */
    private static String outbound(LiveMesh live, MeshPod client, JsonNode out, Agreement a) {
        String host = out.path("host").asString();
        int port = out.path("port").asInt();
        if (host.contains(".svc.")) {
            return differences(live, out, live.clients.toService(client, host, port), false, a);
        }
        String via = out.path("via").asString();
        List<String> diffs = new ArrayList<>();
        for (ClientMtls.Call call : ClientMtls.Call.values()) {
            if (via.contains("plaintext-" + call.name().toLowerCase(java.util.Locale.ROOT) + ":")) {
                String d = differences(live, out, live.clients.toAddress(client, host, port, call), true, a);
                if (d != null) {
                    diffs.add(call + ": " + d);
                }
            }
        }
        if (!via.contains("plaintext-")) {
            diffs.add("the probe names no call for this address (via \"" + via + "\")");
        }
        return diffs.isEmpty() ? null : String.join("; ", diffs);
    }

    private static String differences(LiveMesh live, JsonNode out, Outbound model, boolean byAddress, Agreement a) {
        a.kinds.merge(kind(model, byAddress), 1, Integer::sum);
        List<String> diffs = new ArrayList<>();
        if (!out.path("cluster").asString().equals(model.cluster())) {
            diffs.add("cluster istiod " + out.path("cluster").asString() + " (" + out.path("via").asString() + "), model "
                    + model.cluster());
        }
        if (out.path("originatesMtls").asBoolean() != model.originatesMtls()) {
            diffs.add("originatesMtls istiod " + out.path("originatesMtls").asBoolean() + ", model " + model.originatesMtls());
        }
        for (JsonNode ep : out.path("endpoints")) {
            MeshPod server = live.byIp(ep.path("address").asString());
            String istiod = ep.path("transport").asString();
            String model1 = server == null ? "?" : model.to(server).name();
            if (!istiod.equals(model1)) {
                diffs.add("endpoint " + ep.path("address").asString() + " istiod " + istiod + ", model " + model1);
            }
        }
        return diffs.isEmpty() ? null : String.join("; ", diffs) + " (model: " + model.why() + ")";
    }

    private static String kind(Outbound o, boolean byAddress) {
        String k = byAddress ? "address/" : "service/";
        if (o.rule() != null) {
            return k + "dr-tls";
        }
        return k + (o.cluster().equals("PassthroughCluster") ? "passthrough" : o.endpoints().isEmpty() ? "original-dst" : "eds");
    }
}

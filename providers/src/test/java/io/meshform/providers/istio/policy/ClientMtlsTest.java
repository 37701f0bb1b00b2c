package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.providers.istio.policy.Outbound.Transport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Client-side rules, each case named for the Istio source it follows (see {@link ClientMtls}). */
class ClientMtlsTest {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final List<PeerPolicy> peers = new ArrayList<>();
    private final List<DestinationPolicy> rules = new ArrayList<>();
    private final List<MeshService> services = new ArrayList<>();
    private final List<MeshPod> pods = new ArrayList<>();
    private MeshConfigView mesh = MeshConfigView.defaults("test");

    private final MeshPod client = pod("app", "client", Map.of("app", "client"), true, "10.244.0.2");
    private final MeshPod meshed = pod("data", "db-0", Map.of("app", "db"), true, "10.244.0.3");
    private final MeshPod plain = pod("data", "db-1", Map.of("app", "db"), false, "10.244.0.4");

    static JsonNode y(String yaml) {
        return YAML.readTree(yaml);
    }

    static MeshPod pod(String ns, String name, Map<String, String> labels, boolean sidecar, String ip) {
        Map<String, String> l = new java.util.HashMap<>(labels);
        if (sidecar) {
            l.put(MeshPod.TLS_MODE_LABEL, "istio");
        }
        return new MeshPod(ns, name, l, sidecar, ip, List.of(8080, 9090));
    }

    private void peer(String ns, String name, int age, String spec) {
        peers.add(PeerPolicy.of(ns, name, T0.plusSeconds(age), y(spec), null));
    }

    private void rule(String ns, String name, int age, String spec) {
        rules.add(DestinationPolicy.of(ns, name, T0.plusSeconds(age), y(spec), null));
    }

    private void dbService(boolean headless) {
        services.add(new MeshService("data", "db", headless, Map.of("app", "db"),
                List.of(MeshService.Port.of("tcp-db", 80, 8080, null), MeshService.Port.of("http-admin", 90, 9090, null))));
    }

    private ClientMtls model() {
        pods.addAll(List.of(client, meshed, plain));
        return new ClientMtls(mesh, new PeerAuthentications(mesh.rootNamespace(), peers), rules, services, pods);
    }

    private static final String DB = "db.data.svc.cluster.local";

    @Test
    void autoMtlsSendsMtlsToSidecarsAndPlaintextToTheRest() {
        dbService(false);
        Outbound o = model().toService(client, DB, 80);
        assertEquals("outbound|80||" + DB, o.cluster());
        assertEquals(Transport.ISTIO_MUTUAL, o.to(meshed));
        assertEquals(Transport.PLAINTEXT, o.to(plain));
        assertFalse(o.originatesMtls());
    }

    @Test
    void aClientWithoutSidecarSendsPlaintext() {
        dbService(false);
        MeshPod bare = pod("app", "bare", Map.of(), false, "10.244.0.9");
        Outbound o = model().toService(bare, DB, 80);
        assertEquals(Transport.PLAINTEXT, o.to(meshed));
    }

    @Test
    void autoMtlsHonoursWorkloadAndPortDisableThroughEndpointMetadata() {
        // mtls_checker.go checkMtlsEnabled: the server's composed policy for the endpoint (container) port
        dbService(false);
        peer("data", "db", 0, "selector: {matchLabels: {app: db}}\nportLevelMtls: {\"8080\": {mode: DISABLE}}\n");
        ClientMtls m = model();
        assertEquals(Transport.PLAINTEXT, m.toService(client, DB, 80).to(meshed));
        assertEquals(Transport.ISTIO_MUTUAL, m.toService(client, DB, 90).to(meshed));
    }

    @Test
    void namespaceDisableTurnsAutoMtlsOffForTheWholeService() {
        // push_context.go BestEffortInferServiceMTLSMode reads only namespace/mesh policy
        dbService(false);
        peer("data", "default", 0, "mtls: {mode: DISABLE}\n");
        peer("data", "db", 1, "selector: {matchLabels: {app: db}}\nmtls: {mode: STRICT}\n");
        assertEquals(Transport.PLAINTEXT, model().toService(client, DB, 80).to(meshed));
    }

    @Test
    void istioMutualGoesToEveryEndpointEvenWithoutSidecar() {
        dbService(false);
        rule("data", "db", 0, "host: db\ntrafficPolicy: {tls: {mode: ISTIO_MUTUAL}}\n");
        Outbound o = model().toService(client, DB, 80);
        assertEquals(Transport.ISTIO_MUTUAL, o.to(plain));
        assertTrue(o.originatesMtls());
    }

    @Test
    void aPortEntryReplacesTheTopLevelPolicyButNotForEndpointMetadata() {
        // util.go GetPortLevelTrafficPolicy drops top-level tls; mtls_checker.go keeps it for a port entry without tls
        dbService(false);
        rule("data", "db", 0, "host: db\ntrafficPolicy:\n  tls: {mode: DISABLE}\n  portLevelSettings:\n"
                + "  - port: {number: 80}\n    connectionPool: {tcp: {maxConnections: 5}}\n");
        ClientMtls m = model();
        // cluster: auto-mTLS; endpoint metadata: DISABLE from the top level clears tlsMode: plaintext to all
        assertEquals(Transport.PLAINTEXT, m.toService(client, DB, 80).to(meshed));
        assertEquals(Transport.PLAINTEXT, m.toService(client, DB, 90).to(meshed));
    }

    @Test
    void simpleIsTlsNotIstioMtls() {
        dbService(false);
        rule("data", "db", 0, "host: db\ntrafficPolicy:\n  portLevelSettings:\n  - port: {number: 90}\n    tls: {mode: SIMPLE}\n");
        ClientMtls m = model();
        assertEquals(Transport.TLS, m.toService(client, DB, 90).to(meshed));
        assertEquals(Transport.ISTIO_MUTUAL, m.toService(client, DB, 80).to(meshed));
    }

    @Test
    void theClientsNamespaceRuleWinsOverTheServicesAndTheRoots() {
        dbService(false);
        rule("istio-system", "all", 0, "host: '*.local'\ntrafficPolicy: {tls: {mode: ISTIO_MUTUAL}}\n");
        rule("data", "db", 1, "host: db\ntrafficPolicy: {tls: {mode: SIMPLE}}\n");
        rule("app", "db", 2, "host: db.data.svc.cluster.local\ntrafficPolicy: {tls: {mode: DISABLE}}\n");
        ClientMtls m = model();
        assertEquals("app/db", m.destinationRule(client, DB).orElseThrow().id());
        MeshPod other = pod("other", "c", Map.of(), true, "10.244.0.20");
        assertEquals("data/db", m.destinationRule(other, DB).orElseThrow().id());
    }

    @Test
    void aRuleNotExportedToTheClientIsSkippedForTheRootNamespaces() {
        dbService(false);
        rule("istio-system", "all", 0, "host: '*.cluster.local'\ntrafficPolicy: {tls: {mode: DISABLE}}\n");
        rule("data", "db", 1, "host: db\nexportTo: [\".\"]\ntrafficPolicy: {tls: {mode: SIMPLE}}\n");
        ClientMtls m = model();
        assertEquals("istio-system/all", m.destinationRule(client, DB).orElseThrow().id());
        assertEquals(Transport.PLAINTEXT, m.toService(client, DB, 80).to(meshed));
    }

    @Test
    void theOldestRulesPolicyWinsWithinANamespace() {
        dbService(false);
        rule("data", "b-new", 5, "host: db\ntrafficPolicy: {tls: {mode: SIMPLE}}\n");
        rule("data", "a-old", 1, "host: db\ntrafficPolicy: {tls: {mode: DISABLE}}\n");
        assertEquals(Transport.PLAINTEXT, model().toService(client, DB, 80).to(meshed));
    }

    @Test
    void aWorkloadSelectorRuleActsOnlyForMatchingClientsOfItsNamespace() {
        dbService(false);
        rule("app", "sel", 0, "host: db.data.svc.cluster.local\nworkloadSelector: {matchLabels: {app: client}}\n"
                + "trafficPolicy: {tls: {mode: DISABLE}}\n");
        ClientMtls m = model();
        assertEquals(Transport.PLAINTEXT, m.toService(client, DB, 80).to(meshed));
        MeshPod other = pod("app", "other", Map.of("app", "other"), true, "10.244.0.21");
        assertEquals(Transport.ISTIO_MUTUAL, m.toService(other, DB, 80).to(meshed));
    }

    @Test
    void headlessIsAllOrNothing() {
        // cluster_tls.go: no transport_socket_matches on ORIGINAL_DST; push_context.go: any endpoint without sidecar
        dbService(true);
        Outbound o = model().toService(client, DB, 80);
        assertEquals(Transport.PLAINTEXT, o.transport());
        assertFalse(o.originatesMtls());
    }

    @Test
    void headlessWithOnlySidecarsGetsMtlsAndItsEndpointAddressesToo() {
        services.add(new MeshService("data", "db", true, Map.of("app", "db", "side", "yes"),
                List.of(MeshService.Port.of("tcp-db", 8080, 8080, null), MeshService.Port.of("http-admin", 9090, 9090, null))));
        MeshPod side = pod("data", "db-2", Map.of("app", "db", "side", "yes"), true, "10.244.0.30");
        pods.add(side);
        ClientMtls m = model();
        assertTrue(m.toService(client, DB, 8080).originatesMtls());
        assertTrue(m.toAddress(client, "10.244.0.30", 8080).originatesMtls());
        // an HTTP port of a headless Service: the 0.0.0.0 listener's routes name host names, not IPs
        assertEquals("PassthroughCluster", m.toAddress(client, "10.244.0.30", 9090).cluster());
    }

    /**
     * Two headless Services select one pod on one port (MtlsAgreementIT seed 45583394507486): istiod merges them into
     * the pod's listener in creation order (listener.go buildSidecarOutboundListener): the older one's TCP chain
     * takes plain TCP, the sniffed one's HTTP chain takes HTTP.
     */
    @Test
    void headlessServicesSharingAnEndpointPortSplitTcpAndHttpInCreationOrder() {
        MeshPod side = pod("data", "db-2", Map.of("app", "db"), true, "10.244.0.30");
        pods.add(side);
        services.add(new MeshService("data", "z-tcp", true, Map.of("app", "db"),
                List.of(MeshService.Port.of("tcp-p", 8080, 8080, null)), T0));
        services.add(new MeshService("data", "a-sniffed", true, Map.of("app", "db"),
                List.of(MeshService.Port.of(null, 8080, 8080, null)), T0.plusSeconds(1)));
        ClientMtls m = model();
        assertEquals("outbound|8080||z-tcp.data.svc.cluster.local", m.toAddress(client, side.ip(), 8080, ClientMtls.Call.TCP).cluster());
        assertEquals("outbound|8080||a-sniffed.data.svc.cluster.local", m.toAddress(client, side.ip(), 8080, ClientMtls.Call.HTTP).cluster());

        // created in the same second: the name decides, and the sniffed one, first, takes both
        services.set(0, new MeshService("data", "z-tcp", true, Map.of("app", "db"), List.of(MeshService.Port.of("tcp-p", 8080, 8080, null)),
                T0.plusSeconds(1)));
        m = model();
        assertEquals("outbound|8080||a-sniffed.data.svc.cluster.local", m.toAddress(client, side.ip(), 8080, ClientMtls.Call.TCP).cluster());
        assertEquals("outbound|8080||a-sniffed.data.svc.cluster.local", m.toAddress(client, side.ip(), 8080, ClientMtls.Call.HTTP).cluster());
    }

    @Test
    void aMongoListenerTakesNoHttpChainFromALaterSniffedService() {
        MeshPod side = pod("data", "db-2", Map.of("app", "db"), true, "10.244.0.30");
        pods.add(side);
        services.add(new MeshService("data", "mongo", true, Map.of("app", "db"), List.of(MeshService.Port.of("mongo", 8080, 8080, null)), T0));
        services.add(new MeshService("data", "other", true, Map.of("app", "db"), List.of(MeshService.Port.of(null, 8080, 8080, null)),
                T0.plusSeconds(5)));
        ClientMtls m = model();
        // isConflictWithWellKnownPort: MongoDB shares its listener with no other protocol
        assertEquals("outbound|8080||mongo.data.svc.cluster.local", m.toAddress(client, side.ip(), 8080, ClientMtls.Call.HTTP).cluster());
    }

    @Test
    void aPodIpBehindAClusterIpServiceIsPassthroughPlaintext() {
        dbService(false);
        Outbound o = model().toAddress(client, meshed.ip(), 8080);
        assertEquals("PassthroughCluster", o.cluster());
        assertEquals(Transport.PLAINTEXT, o.transport());
    }

    @Test
    void autoMtlsOffInTheMeshConfigMeansPlaintext() {
        dbService(false);
        mesh = MeshConfigView.of(y("enableAutoMtls: false\n"), "test");
        assertEquals(Transport.PLAINTEXT, model().toService(client, DB, 80).to(meshed));
    }

    @Test
    void serverFirstOnPermissiveStallsUnlessTheClientSendsMtls() {
        dbService(false);
        ClientMtls m = model();
        assertTrue(m.serverFirstStall(meshed, 8080, true, Transport.PLAINTEXT));
        assertFalse(m.serverFirstStall(meshed, 8080, true, Transport.ISTIO_MUTUAL));
        assertFalse(m.serverFirstStall(plain, 8080, true, Transport.PLAINTEXT));
        assertEquals(ServiceProtocol.TCP, ServiceProtocol.of(27017, "mongodb", "TCP", null));
        assertEquals(ServiceProtocol.UNSUPPORTED, ServiceProtocol.of(27018, "mongodb", "TCP", null));
        assertEquals(ServiceProtocol.HTTP, ServiceProtocol.of(80, "tcp-x", "TCP", "http"));
    }

    @Test
    void serverFirstStallsOnSniffingAndOnPermissiveButNotForMtlsClients() {
        services.add(new MeshService("data", "mongo", false, Map.of("app", "db"),
                List.of(MeshService.Port.of("mongo", 27017, 8080, null), MeshService.Port.of(null, 27018, 9090, null))));
        ClientMtls m = model();
        MeshService svc = services.get(0);
        MeshPod bare = pod("app", "bare", Map.of(), false, "10.244.0.9");
        // auto-mTLS reaches the meshed server: no stall; the plaintext client stalls on PERMISSIVE
        assertTrue(m.serverFirstStall(client, svc, svc.port(27017).orElseThrow(), meshed).isEmpty());
        assertTrue(m.serverFirstStall(bare, svc, svc.port(27017).orElseThrow(), meshed).isPresent());
        assertTrue(m.serverFirstStall(bare, svc, svc.port(27017).orElseThrow(), plain).isEmpty());
        // an unnamed port on a port Istio does not know: the client's sidecar sniffs
        assertTrue(m.serverFirstStall(client, svc, svc.port(27018).orElseThrow(), meshed).orElseThrow().contains("sniffs"));
    }
}

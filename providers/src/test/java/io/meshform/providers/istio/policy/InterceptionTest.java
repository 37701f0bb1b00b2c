package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A sidecar pod's traffic redirection (Istio 1.30.3 injection-template.yaml, istio-iptables capture/run.go, istio-cni
 * sidecar_redirect.go) and what it does to the reachability model: a port outside the capture reaches the application
 * directly, an outbound destination outside it leaves as plaintext.
 */
class InterceptionTest {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    /** istio-init's args as the 1.30.3 template renders them for {@code excludeInboundPorts: "27017"}. */
    private static final List<String> INIT_ARGS = List.of("istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m",
            "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020,27017", "--log_output_level=default:info");

    @Test
    void istioInitArgsAreReadAsIstioIptablesAppliesThem() {
        Interception c = Interception.of(Map.of(), INIT_ARGS);
        assertFalse(c.capturesInbound(27017));
        assertTrue(c.capturesInbound(8080));
        for (int own : List.of(15090, 15021, 15020)) {
            assertFalse(c.capturesInbound(own), own + " is always excluded");
        }
        assertEquals("port 27017 is in excludeInboundPorts (istio-init args)", c.inboundBypass(27017));
        assertNull(c.outboundBypass("10.96.0.10", 27017), "outbound: everything captured");
        // an includeInboundPorts list: exactly those ports, the exclusions are not consulted (handleInboundPortsInclude)
        Interception list = Interception.of(Map.of(), List.of("istio-iptables", "-b", "8080,9090", "-d", "15090,15021,15020,8080"));
        assertTrue(list.capturesInbound(8080));
        assertTrue(list.capturesInbound(9090));
        assertFalse(list.capturesInbound(27017));
        assertTrue(list.inboundBypass(27017).contains("not in includeInboundPorts \"8080,9090\""), list.inboundBypass(27017));
        // an empty includeInboundPorts captures no inbound port
        assertTrue(Interception.of(Map.of(), List.of("istio-iptables", "-b", "", "-d", "15090,15021")).capturesNoInbound());
    }

    @Test
    void annotationsOverIstiosDefaults() {
        assertTrue(Interception.of(Map.of(), null).capturesAll(), "no annotation: Istio's defaults");
        assertTrue(Interception.of(Map.of("sidecar.istio.io/inject", "true"), null).capturesInbound(27017));
        Interception c = Interception.of(Map.of(Interception.EXCLUDE_INBOUND, "27017, 9216"), null);
        assertFalse(c.capturesInbound(27017));
        assertFalse(c.capturesInbound(9216));
        assertFalse(c.capturesInbound(15020), "the status port is added (template.go excludeInboundPort, NewRedirect)");
        assertTrue(c.capturesInbound(8080));
        assertFalse(c.capturesAll());
        Interception none = Interception.of(Map.of(Interception.MODE, "NONE"), null);
        assertFalse(none.capturesInbound(8080));
        assertNotNull(none.outboundBypass("10.0.0.1", 443));
        Interception include = Interception.of(Map.of(Interception.INCLUDE_INBOUND, "8080"), null);
        assertTrue(include.capturesInbound(8080));
        assertFalse(include.capturesInbound(27017));
    }

    @Test
    void outboundFollowsIstioIptablesOrder() {
        Interception ports = Interception.of(Map.of(Interception.EXCLUDE_OUTBOUND_PORTS, "6379"), null);
        assertEquals("port 6379 is in the client's excludeOutboundPorts (pod annotations)", ports.outboundBypass("10.96.0.7", 6379));
        assertNull(ports.outboundBypass("10.96.0.7", 8080));
        Interception ranges = Interception.of(Map.of(Interception.EXCLUDE_OUTBOUND_RANGES, "10.96.0.0/12,fd00::/8"), null);
        assertNotNull(ranges.outboundBypass("10.100.3.4", 8080));
        assertNull(ranges.outboundBypass("10.112.0.1", 8080), "10.112/12 is the next block");
        assertNotNull(ranges.outboundBypass("fd00::1", 8080));
        assertNull(ranges.outboundBypass(null, 8080), "no IP known: not matched");
        Interception include = Interception.of(Map.of(Interception.INCLUDE_OUTBOUND_RANGES, "10.0.0.0/8",
                Interception.INCLUDE_OUTBOUND_PORTS, "5432"), null);
        assertNull(include.outboundBypass("10.1.2.3", 8080));
        assertTrue(include.outboundBypass("192.168.1.5", 8080).contains("outside the client's includeOutboundIPRanges"));
        assertNull(include.outboundBypass("192.168.1.5", 5432), "includeOutboundPorts is redirected whatever the IP");
        Interception both = Interception.of(Map.of(Interception.EXCLUDE_OUTBOUND_RANGES, "192.168.0.0/16",
                Interception.INCLUDE_OUTBOUND_PORTS, "5432"), null);
        assertNotNull(both.outboundBypass("192.168.1.5", 5432), "an excluded range returns before included ports");
    }

    private static PeerPolicy peer(String ns, String name, String yaml) {
        return PeerPolicy.of(ns, name, null, YAML.readTree(yaml), "istio.peerAuthentication." + name);
    }

    /** MongoDB with a sidecar whose 27017 is excluded, under mesh-wide STRICT; a client with or without a sidecar. */
    private static Reachability.Outcome toMongo(boolean clientSidecar, List<PeerPolicy> extra, Interception server) {
        ReachPod mongo = new ReachPod("db", "mongo-0", "mongo", Map.of("app", "mongo"), true, false, false,
                List.of(new ReachPod.Port(27017, null)), "10.1.0.5", server);
        ReachPod client = new ReachPod("app", "cli-0", "cli", Map.of("app", "cli"), clientSidecar, false, false, List.of());
        ReachService svc = new ReachService("db", "mongo", Map.of("app", "mongo"), false,
                List.of(new ReachService.Port(27017, "tcp-mongo", null, "27017")), null, "10.96.0.20");
        List<PeerPolicy> peers = new java.util.ArrayList<>(List.of(peer("istio-system", "default", "mtls: {mode: STRICT}")));
        peers.addAll(extra);
        MeshState st = new MeshState("istio-system", true, List.of("*"), MeshState.DEFAULT_DOMAIN, List.of(mongo, client),
                List.of(svc), peers, List.of(), List.of());
        Reachability r = new Reachability(st);
        Reachability.Server s = r.servers().values().iterator().next();
        return r.outcome(r.clients().get("app/cli"), s.entries().get(0));
    }

    @Test
    void anExcludedInboundPortAcceptsPlaintextUnderStrictAndCannotReadAutoMtls() {
        Interception excluded = Interception.of(Map.of(Interception.EXCLUDE_INBOUND, "27017"), null);
        // without the exclusion STRICT refuses the plaintext client
        assertEquals(Reachability.Problem.PLAINTEXT_TO_STRICT, toMongo(false, List.of(), Interception.ALL).problem());
        Reachability.Outcome plain = toMongo(false, List.of(), excluded);
        assertFalse(plain.broken(), "the port bypasses the sidecar: plaintext reaches MongoDB: " + plain.why());
        assertEquals(Reachability.Result.PLAINTEXT, plain.result());
        // a sidecar client: istiod knows nothing of the exclusion and auto-mTLS sends Istio mTLS to the tlsMode=istio endpoint
        Reachability.Outcome meshed = toMongo(true, List.of(), excluded);
        assertEquals(Reachability.Problem.MTLS_TO_UNCAPTURED_PORT, meshed.problem(), meshed.why());
        assertTrue(meshed.why().contains("bypasses the server's sidecar"), meshed.why());
        // the exception Istio documents: portLevelMtls DISABLE for the port, and auto-mTLS sends plaintext
        Reachability.Outcome fixed = toMongo(true, List.of(peer("db", "mongo",
                "selector: {matchLabels: {app: mongo}}\nportLevelMtls: {27017: {mode: DISABLE}}")), excluded);
        assertFalse(fixed.broken(), fixed.why());
        assertEquals(Reachability.Result.PLAINTEXT, fixed.result());
    }

    /** A sidecar client whose redirection leaves the destination out, to a STRICT server with a sidecar. */
    private static Reachability.Outcome fromBypassingClient(Interception client, boolean headless) {
        ReachPod redis = new ReachPod("db", "redis-0", "redis", Map.of("app", "redis"), true, false, false,
                List.of(new ReachPod.Port(6379, null)), "10.1.0.9", Interception.ALL);
        ReachPod cli = new ReachPod("app", "cli-0", "cli", Map.of("app", "cli"), true, false, false, List.of(), "10.1.0.10", client);
        ReachService svc = new ReachService("db", "redis", Map.of("app", "redis"), headless,
                List.of(new ReachService.Port(6379, "tcp-redis", null, "6379")), null, headless ? null : "10.96.0.30");
        MeshState st = new MeshState("istio-system", true, List.of("*"), MeshState.DEFAULT_DOMAIN, List.of(redis, cli),
                List.of(svc), List.of(peer("istio-system", "default", "mtls: {mode: STRICT}")), List.of(), List.of());
        Reachability r = new Reachability(st);
        Reachability.Server s = r.servers().values().iterator().next();
        return r.outcome(r.clients().get("app/cli"), s.entries().get(0));
    }

    @Test
    void anOutboundExclusionMakesASidecarClientSendPlaintext() {
        assertEquals(Reachability.Result.MTLS, fromBypassingClient(Interception.ALL, false).result());
        Reachability.Outcome port = fromBypassingClient(Interception.of(Map.of(Interception.EXCLUDE_OUTBOUND_PORTS, "6379"), null),
                false);
        assertEquals(Reachability.Problem.PLAINTEXT_TO_STRICT, port.problem(), port.why());
        assertTrue(port.why().contains("excludeOutboundPorts"), port.why());
        Reachability.Outcome range = fromBypassingClient(Interception.of(Map.of(Interception.EXCLUDE_OUTBOUND_RANGES,
                "10.96.0.0/16"), null), false);
        assertEquals(Reachability.Problem.PLAINTEXT_TO_STRICT, range.problem(), "the Service's cluster IP is excluded: " + range.why());
        // a headless Service is dialled at the pod IP, which the range does not cover
        assertEquals(Reachability.Result.MTLS, fromBypassingClient(Interception.of(Map.of(Interception.EXCLUDE_OUTBOUND_RANGES,
                "10.96.0.0/16"), null), true).result());
        assertEquals(Reachability.Problem.PLAINTEXT_TO_STRICT, fromBypassingClient(Interception.of(Map.of(Interception.MODE, "NONE"),
                null), false).problem());
    }
}

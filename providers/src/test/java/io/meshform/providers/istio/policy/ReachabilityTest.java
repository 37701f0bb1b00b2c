package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The reachability model on the Cortex guide's layout: MongoDB, Redis, MinIO, the MinIO bucket job, Spark driver and
 * executors, an application, and a plaintext client outside the injected namespaces; the guide's plan (injection on
 * for cortex and cortex-compute, STRICT mesh-wide, PERMISSIVE for mongo, the bucket job and Spark).
 */
class ReachabilityTest {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static ReachPod pod(String ns, String name, Map<String, String> labels, boolean sidecar, int... ports) {
        List<ReachPod.Port> ps = new ArrayList<>();
        for (int p : ports) {
            ps.add(new ReachPod.Port(p, null));
        }
        return new ReachPod(ns, name + "-0", name, labels, sidecar, false, false, ps);
    }

    private static ReachService service(String ns, String name, Map<String, String> selector, boolean headless, int... ports) {
        List<ReachService.Port> ps = new ArrayList<>();
        for (int p : ports) {
            ps.add(new ReachService.Port(p, "tcp-" + p, null, Integer.toString(p)));
        }
        return new ReachService(ns, name, selector, headless, ps);
    }

    private static PeerPolicy peer(String ns, String name, String yaml) {
        return PeerPolicy.of(ns, name, null, YAML.readTree(yaml), "istio.peerAuthentication." + name);
    }

    /** The cluster before meshform: nothing in the mesh yet. */
    private static List<ReachPod> pods(boolean meshed) {
        return List.of(
                pod("cortex", "mongodb", Map.of("app.kubernetes.io/name", "mongodb"), meshed, 27017),
                pod("cortex", "redis", Map.of("app.kubernetes.io/name", "redis"), meshed, 6379),
                pod("cortex", "minio", Map.of("app", "minio"), meshed, 9000),
                pod("cortex", "minio-make-bucket", Map.of("app", "minio-job"), meshed),
                pod("cortex", "api", Map.of("app", "api"), meshed, 8080),
                pod("cortex-compute", "spark-driver", Map.of("spark-role", "driver"), meshed, 7078),
                pod("cortex-compute", "spark-exec", Map.of("spark-role", "executor"), meshed, 7079),
                pod("tools", "plaintext-client", Map.of("app", "curl"), false));
    }

    private static final List<ReachService> SERVICES = List.of(
            service("cortex", "mongodb", Map.of("app.kubernetes.io/name", "mongodb"), false, 27017),
            service("cortex", "redis", Map.of("app.kubernetes.io/name", "redis"), false, 6379),
            service("cortex", "minio", Map.of("app", "minio"), false, 9000),
            service("cortex", "api", Map.of("app", "api"), false, 8080),
            service("cortex-compute", "spark-driver-svc", Map.of("spark-role", "driver"), true, 7078));

    private static List<PeerPolicy> guide(boolean sparkExceptions) {
        List<PeerPolicy> out = new ArrayList<>(List.of(
                peer("istio-system", "default", "mtls: {mode: STRICT}"),
                peer("cortex", "mongo", "selector: {matchLabels: {app.kubernetes.io/name: mongodb}}\nmtls: {mode: PERMISSIVE}"),
                peer("cortex", "minio-make-bucket", "selector: {matchLabels: {app: minio-job}}\nmtls: {mode: PERMISSIVE}")));
        if (sparkExceptions) {
            out.add(peer("cortex-compute", "spark-driver", "selector: {matchLabels: {spark-role: driver}}\nmtls: {mode: PERMISSIVE}"));
            out.add(peer("cortex-compute", "spark-executor", "selector: {matchLabels: {spark-role: executor}}\nmtls: {mode: PERMISSIVE}"));
        }
        return out;
    }

    private static MeshState state(boolean meshed, List<PeerPolicy> peers, List<DestinationPolicy> rules, List<OutsideCaller> callers) {
        return new MeshState("istio-system", true, List.of("*"), MeshState.DEFAULT_DOMAIN, pods(meshed), SERVICES, peers, rules, callers);
    }

    private static ReachDiff diff(MeshState before, MeshState after) {
        return ReachDiff.between(new Reachability(before), new Reachability(after), false);
    }

    private static TreeSet<String> pairs(ReachDiff d, ReachDiff.Kind kind) {
        TreeSet<String> out = new TreeSet<>();
        d.changes().stream().filter(c -> c.kind() == kind).forEach(c -> c.clients().forEach(cl -> out.add(cl + " -> " + c.pair())));
        return out;
    }

    @Test
    void theGuidesPlanBreaksOnlyThePlaintextClientAndIsSilentAboutWhatItsExceptionsProtect() {
        ReachDiff d = diff(state(false, List.of(), List.of(), List.of()), state(true, guide(true), List.of(), List.of()));
        assertEquals(new TreeSet<>(List.of(
                "tools/plaintext-client -> cortex/api:8080 (via api:8080)",
                "tools/plaintext-client -> cortex/minio:9000 (via minio:9000)",
                "tools/plaintext-client -> cortex/mongodb:27017 (via mongodb:27017)",
                "tools/plaintext-client -> cortex/redis:6379 (via redis:6379)")), pairs(d, ReachDiff.Kind.BREAKS));
        ReachDiff.Change mongo = d.changes().stream().filter(c -> c.server().equals("cortex/mongodb")).findFirst().orElseThrow();
        assertEquals(Reachability.Problem.SERVER_FIRST_PERMISSIVE, mongo.problem(), "27017 is server-first: PERMISSIVE stalls plaintext");
        ReachDiff.Change redis = d.changes().stream().filter(c -> c.server().equals("cortex/redis")).findFirst().orElseThrow();
        assertEquals(Reachability.Problem.PLAINTEXT_TO_STRICT, redis.problem());
        assertTrue(redis.fix().contains("selector {matchLabels: {app.kubernetes.io/name: redis}} and portLevelMtls {6379: {mode: PERMISSIVE}}"),
                redis.fix());
        assertEquals(0, d.newlyPlaintext());
    }

    @Test
    void withoutTheSparkExceptionsTheDriverLosesItsExecutorsByPodIp() {
        ReachDiff d = diff(state(false, List.of(), List.of(), List.of()), state(true, guide(false), List.of(), List.of()));
        TreeSet<String> broken = pairs(d, ReachDiff.Kind.BREAKS);
        assertTrue(broken.contains("cortex-compute/spark-driver -> cortex-compute/spark-exec:7079 (pod IP)"), broken.toString());
        assertTrue(broken.contains("tools/plaintext-client -> cortex-compute/spark-driver:7078 (via spark-driver-svc:7078)"), broken.toString());
        // the executors reach the driver through its headless Service: every driver pod has a sidecar, so auto-mTLS
        assertTrue(broken.stream().noneMatch(p -> p.startsWith("cortex-compute/spark-exec -> cortex-compute/spark-driver")), broken.toString());
    }

    @Test
    void removingAnExceptionFromAMeshedClusterBreaksPlaintextCallersOfThatWorkloadOnly() {
        ReachDiff d = diff(state(true, guide(true), List.of(), List.of()), state(true, guide(false), List.of(), List.of()));
        TreeSet<String> broken = pairs(d, ReachDiff.Kind.BREAKS);
        assertTrue(broken.stream().allMatch(p -> p.contains("-> cortex-compute/spark-")), broken.toString());
        assertTrue(broken.contains("cortex-compute/spark-driver -> cortex-compute/spark-exec:7079 (pod IP)"), broken.toString());
    }

    @Test
    void aDestinationRuleDisableMakesMeshedTrafficPlaintextAndUnderStrictBreaksIt() {
        DestinationPolicy disable = DestinationPolicy.of("cortex", "redis-plain", T0, YAML.readTree("host: redis\ntrafficPolicy: {tls: {mode: DISABLE}}"), null);
        List<PeerPolicy> permissive = List.of(peer("istio-system", "default", "mtls: {mode: PERMISSIVE}"));
        ReachDiff plain = diff(state(true, permissive, List.of(), List.of()), state(true, permissive, List.of(disable), List.of()));
        assertTrue(pairs(plain, ReachDiff.Kind.NEWLY_PLAINTEXT).contains("cortex/api -> cortex/redis:6379 (via redis:6379)"),
                pairs(plain, ReachDiff.Kind.NEWLY_PLAINTEXT).toString());
        // the rule lives in cortex: a client in cortex-compute does not see it... unless exported (default "*": it is)
        assertTrue(pairs(plain, ReachDiff.Kind.NEWLY_PLAINTEXT).contains("cortex-compute/spark-driver -> cortex/redis:6379 (via redis:6379)"));
        ReachDiff strict = diff(state(true, guide(true), List.of(), List.of()), state(true, guide(true), List.of(disable), List.of()));
        assertTrue(pairs(strict, ReachDiff.Kind.BREAKS).contains("cortex/api -> cortex/redis:6379 (via redis:6379)"));
    }

    /**
     * A Deployment that declares no container port still serves its Service's numeric targetPort, and istiod builds the
     * sidecar's inbound chain for it from the Service (listener_inbound.go getFilterChainsByServicePort). On the real
     * cluster a DestinationRule DISABLE for such a Service under STRICT broke every call to it, and drift said "No drift".
     */
    @Test
    void aServicesTargetPortThatNoContainerDeclaresIsStillServedAndJudged() {
        ReachPod web = pod("cortex", "web", Map.of("app", "web"), true);
        ReachPod client = pod("cortex", "api", Map.of("app", "api"), true);
        ReachService svc = new ReachService("cortex", "web", Map.of("app", "web"), false,
                List.of(new ReachService.Port(80, "http", null, "8080")));
        DestinationPolicy disable = DestinationPolicy.of("cortex", "web-plain", T0, YAML.readTree("host: web\ntrafficPolicy: {tls: {mode: DISABLE}}"), null);
        List<PeerPolicy> strict = List.of(peer("istio-system", "default", "mtls: {mode: STRICT}"));
        MeshState before = new MeshState("istio-system", true, List.of("*"), MeshState.DEFAULT_DOMAIN, List.of(web, client),
                List.of(svc), strict, List.of(), List.of());
        MeshState after = new MeshState("istio-system", true, List.of("*"), MeshState.DEFAULT_DOMAIN, List.of(web, client),
                List.of(svc), strict, List.of(disable), List.of());
        ReachDiff d = diff(before, after);
        assertEquals(java.util.Set.of("cortex/api -> cortex/web:8080 (via web:80)"), pairs(d, ReachDiff.Kind.BREAKS), d.changes().toString());
    }

    /**
     * A client whose sidecar sends plaintext because its DestinationRule says tls DISABLE (cluster_tls.go
     * buildUpstreamTLSSettings: used as given) already has a sidecar: the fix is the rule's tls mode, not a sidecar.
     */
    @Test
    void aSidecarClientWhoseRuleTurnsTlsOffUnderStrictIsToldToFixTheRuleNotToGetASidecar() {
        DestinationPolicy disable = DestinationPolicy.of("cortex", "redis-plain", T0, YAML.readTree("host: redis\ntrafficPolicy: {tls: {mode: DISABLE}}"),
                "istio.destinationRule.redis-plain");
        ReachDiff strict = diff(state(true, guide(true), List.of(), List.of()), state(true, guide(true), List.of(disable), List.of()));
        ReachDiff.Change redis = strict.changes().stream().filter(c -> c.server().equals("cortex/redis")).findFirst().orElseThrow();
        assertEquals(Reachability.Problem.PLAINTEXT_TO_STRICT, redis.problem());
        assertTrue(redis.clients().contains("cortex/api"), redis.clients().toString());
        assertTrue(redis.fix().contains("set tls mode ISTIO_MUTUAL in DestinationRule cortex/redis-plain (istio.destinationRule.redis-plain)"),
                redis.fix());
        assertTrue(!redis.fix().contains("give the client a sidecar"), redis.fix());
    }

    /**
     * Istio keeps the oldest workload-level PeerAuthentication that selects a pod (ComposePeerAuthentication,
     * pilot/pkg/security/authn/policy_applier.go): a new one with a port-level exception would lose to it, so the
     * exception goes into the policy Istio keeps.
     */
    @Test
    void anExceptionForAPodAnOlderWorkloadPolicySelectsGoesIntoThatPolicy() {
        List<PeerPolicy> peers = new ArrayList<>(guide(true));
        peers.add(PeerPolicy.of("cortex", "redis-strict", T0,
                YAML.readTree("selector: {matchLabels: {app.kubernetes.io/name: redis}}\nmtls: {mode: STRICT}"), null));
        ReachDiff d = diff(state(false, List.of(), List.of(), List.of()), state(true, peers, List.of(), List.of()));
        ReachDiff.Change redis = d.changes().stream().filter(c -> c.server().equals("cortex/redis")).findFirst().orElseThrow();
        assertEquals(Reachability.Problem.PLAINTEXT_TO_STRICT, redis.problem());
        assertTrue(redis.fix().contains("give the client a sidecar"), redis.fix());
        assertTrue(redis.fix().contains("set portLevelMtls {6379: {mode: PERMISSIVE}} in PeerAuthentication cortex/redis-strict"),
                redis.fix());
        assertTrue(!redis.fix().contains("add an istio.peerAuthentication"), redis.fix());
    }

    @Test
    void aPrivateRuleInAnotherNamespaceIsNotSeenAndWorkloadSelectorsApplyOnlyInTheirNamespace() {
        DestinationPolicy priv = DestinationPolicy.of("cortex", "redis-plain", T0,
                YAML.readTree("host: redis\nexportTo: ['.']\ntrafficPolicy: {tls: {mode: DISABLE}}"), null);
        List<PeerPolicy> permissive = List.of(peer("istio-system", "default", "mtls: {mode: PERMISSIVE}"));
        ReachDiff d = diff(state(true, permissive, List.of(), List.of()), state(true, permissive, List.of(priv), List.of()));
        TreeSet<String> plain = pairs(d, ReachDiff.Kind.NEWLY_PLAINTEXT);
        assertTrue(plain.contains("cortex/api -> cortex/redis:6379 (via redis:6379)"), plain.toString());
        assertTrue(plain.stream().noneMatch(p -> p.startsWith("cortex-compute/")), plain.toString());
    }

    @Test
    void anOutsideCallerCountsOnlyForItsTargets() {
        OutsideCaller scraper = new OutsideCaller("scraper", ClientTls.Sends.PLAINTEXT,
                List.of(new OutsideCaller.Target("cortex", Map.of("app", "api"), List.of(8080))), "istio.caller.scraper");
        ReachDiff d = diff(state(false, List.of(), List.of(), List.of(scraper)), state(true, guide(true), List.of(), List.of(scraper)));
        TreeSet<String> broken = pairs(d, ReachDiff.Kind.BREAKS);
        assertTrue(broken.contains("caller scraper -> cortex/api:8080 (via api:8080)"), broken.toString());
        assertTrue(broken.stream().filter(p -> p.startsWith("caller ")).count() == 1, broken.toString());
    }

    @Test
    void aWorkloadPortDisableUnderStrictAcceptsPlaintextAndAutoMtlsSendsPlaintextThere() {
        List<PeerPolicy> peers = new ArrayList<>(guide(true));
        peers.add(peer("cortex", "redis-port", "selector: {matchLabels: {app.kubernetes.io/name: redis}}\nportLevelMtls: {6379: {mode: DISABLE}}"));
        ReachDiff d = diff(state(false, List.of(), List.of(), List.of()), state(true, peers, List.of(), List.of()));
        assertTrue(pairs(d, ReachDiff.Kind.BREAKS).stream().noneMatch(p -> p.contains("cortex/redis")), pairs(d, ReachDiff.Kind.BREAKS).toString());
        Reachability after = new Reachability(state(true, peers, List.of(), List.of()));
        Reachability.Server redis = after.servers().values().stream().filter(s -> s.id().equals("cortex/redis")).findFirst().orElseThrow();
        assertEquals(MtlsMode.DISABLE, redis.mtls().forPort(6379));
    }

    /**
     * A pod IP whose port two headless Services claim (their own port 7078, which targets another container port):
     * istiod's listener for the address sends plain TCP to the older one, HTTP to the sniffed one
     * (ClientMtls#toAddress). A rule that turns TLS off for the sniffed one breaks HTTP under STRICT only, and the
     * model reports the break and says it is HTTP's.
     */
    @Test
    void aPodIpListenerSharedByTwoHeadlessServicesIsJudgedByTheCallThatBreaks() {
        ReachPod driver = new ReachPod("spark", "driver-0", "driver", Map.of("app", "driver"), true, false, false,
                List.of(new ReachPod.Port(7078, null), new ReachPod.Port(7079, null)));
        ReachPod exec = new ReachPod("spark", "exec-0", "exec", Map.of("app", "exec"), true, false, false, List.of());
        ReachService older = new ReachService("spark", "z-tcp", Map.of("app", "driver"), true,
                List.of(new ReachService.Port(7078, "tcp-rpc", null, "7079")), T0);
        ReachService sniffed = new ReachService("spark", "a-sniffed", Map.of("app", "driver"), true,
                List.of(new ReachService.Port(7078, null, null, "7079")), T0.plusSeconds(30));
        DestinationPolicy plain = DestinationPolicy.of("spark", "sniffed-plain", T0,
                YAML.readTree("host: a-sniffed\ntrafficPolicy: {tls: {mode: DISABLE}}"), null);
        MeshState st = new MeshState("istio-system", true, List.of("*"), MeshState.DEFAULT_DOMAIN, List.of(driver, exec),
                List.of(sniffed, older), List.of(peer("istio-system", "default", "mtls: {mode: STRICT}")), List.of(plain), List.of());
        Reachability r = new Reachability(st);
        Reachability.Server server = r.servers().values().stream().filter(s -> s.id().equals("spark/driver")).findFirst().orElseThrow();
        Reachability.Entry byIp = server.entries().stream().filter(e -> e.containerPort() == 7078).findFirst().orElseThrow();
        Reachability.Outcome o = r.outcome(r.clients().get("spark/exec"), byIp);
        assertEquals(Reachability.Problem.PLAINTEXT_TO_STRICT, o.problem(), o.decision().why());
        assertTrue(o.decision().why().startsWith("an HTTP connection goes to outbound|7078||a-sniffed.spark.svc.cluster.local"),
                o.decision().why());
        assertTrue(o.decision().why().endsWith("while plain TCP goes to outbound|7078||z-tcp.spark.svc.cluster.local"), o.decision().why());
    }

    /** One server (sidecar) behind a Service port, one client, a mesh-wide mode: the reachability model's problem. */
    private static Reachability.Problem oneConnection(String portName, int port, boolean clientSidecar, String mode) {
        ReachPod server = new ReachPod("db", "srv-0", "srv", Map.of("app", "srv"), true, false, false,
                List.of(new ReachPod.Port(port, null)));
        ReachPod client = new ReachPod("app", "cli-0", "cli", Map.of("app", "cli"), clientSidecar, false, false, List.of());
        ReachService svc = new ReachService("db", "srv", Map.of("app", "srv"), false,
                List.of(new ReachService.Port(port, portName, null, Integer.toString(port))));
        MeshState st = new MeshState("istio-system", true, List.of("*"), MeshState.DEFAULT_DOMAIN, List.of(server, client),
                List.of(svc), List.of(peer("istio-system", "default", "mtls: {mode: " + mode + "}")), List.of(), List.of());
        Reachability r = new Reachability(st);
        Reachability.Server s = r.servers().values().iterator().next();
        return r.outcome(r.clients().get("app/cli"), s.entries().get(0)).problem();
    }

    /** The same connection asked of ClientMtls's rule, as MtlsAgreementIT's resolver sees it. */
    private static boolean clientMtlsStalls(String portName, int port, boolean clientSidecar, String mode) {
        MeshPod srv = new MeshPod("db", "srv-0", Map.of("app", "srv", MeshPod.TLS_MODE_LABEL, "istio"), true, "10.0.0.1",
                List.of(port));
        MeshPod cli = new MeshPod("app", "cli-0", clientSidecar ? Map.of("app", "cli", MeshPod.TLS_MODE_LABEL, "istio")
                : Map.of("app", "cli"), clientSidecar, "10.0.0.2", List.of());
        MeshService ms = new MeshService("db", "srv", false, Map.of("app", "srv"), List.of(MeshService.Port.of(portName, port, port, null)));
        MeshConfigView mesh = new MeshConfigView("istio-system", List.of(), null, "test", true, true, List.of("*"));
        PeerAuthentications peers = new PeerAuthentications("istio-system",
                List.of(peer("istio-system", "default", "mtls: {mode: " + mode + "}")));
        ClientMtls c = new ClientMtls(mesh, peers, List.of(), List.of(ms), List.of(srv, cli));
        return ServiceProtocol.serverFirst(port, portName, null) && c.serverFirstStall(cli, ms, ms.port(port).orElseThrow(), srv).isPresent();
    }

    @Test
    void theModelsServerFirstStallIsClientMtlsRule() {
        Object[][] ports = {{"tcp-27017", 27017}, {null, 27017}, {"mongo", 27018}, {"mongodb", 27017}, {"http-web", 27017},
                {"redis", 3306}, {null, 3306}, {"mysql-main", 3307}, {null, 25}, {"smtp", 2525}, {"smtp", 25}, {null, 53},
                {"tcp", 8080}, {null, 8080}};
        for (Object[] p : ports) {
            for (boolean clientSidecar : new boolean[] {false, true}) {
                for (String mode : List.of("STRICT", "PERMISSIVE", "DISABLE")) {
                    String name = (String) p[0];
                    int port = (Integer) p[1];
                    Reachability.Problem problem = oneConnection(name, port, clientSidecar, mode);
                    boolean stalled = problem == Reachability.Problem.SERVER_FIRST_PERMISSIVE
                            || problem == Reachability.Problem.SERVER_FIRST_SNIFFED;
                    assertEquals(clientMtlsStalls(name, port, clientSidecar, mode), stalled,
                            name + ":" + port + " client sidecar " + clientSidecar + " " + mode + ": " + problem);
                }
            }
        }
        // MongoDB under a PERMISSIVE exception: 27017 is TCP (wellKnownPorts), the server's sidecar waits for plaintext
        assertEquals(Reachability.Problem.SERVER_FIRST_PERMISSIVE, oneConnection("tcp-27017", 27017, false, "PERMISSIVE"));
        assertEquals(null, oneConnection("tcp-27017", 27017, true, "PERMISSIVE"), "a sidecar client sends Istio mTLS first");
        assertEquals(null, oneConnection("http-web", 27017, false, "PERMISSIVE"), "declared HTTP: the client speaks first");
        assertEquals(null, oneConnection(null, 53, false, "PERMISSIVE"), "DNS: the client sends its query first");
        // SMTP off port 25: Istio parses no smtp protocol and sniffs the port, so even a meshed client stalls under STRICT
        assertEquals(Reachability.Problem.SERVER_FIRST_SNIFFED, oneConnection("smtp", 2525, true, "STRICT"));
        assertEquals(Reachability.Problem.PLAINTEXT_TO_STRICT, oneConnection("tcp-27017", 27017, false, "STRICT"),
                "STRICT refuses, it does not stall");
        assertEquals(null, ClientMtls.stall(true, ServiceProtocol.TCP, true, MtlsMode.PERMISSIVE, Outbound.Transport.TLS),
                "a client originating its own TLS speaks first with its ClientHello");
    }
}

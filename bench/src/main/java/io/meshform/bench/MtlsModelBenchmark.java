package io.meshform.bench;

import io.meshform.providers.istio.policy.ReachPod;
import io.meshform.providers.istio.policy.ReachService;
import io.meshform.providers.istio.policy.MeshState;
import io.meshform.providers.istio.policy.MtlsMode;
import io.meshform.providers.istio.policy.PeerPolicy;
import io.meshform.providers.istio.policy.ReachDiff;
import io.meshform.providers.istio.policy.Reachability;
import io.meshform.providers.istio.policy.DestinationPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The mTLS reachability model of a plan, from inventory to diff: build the model of the live cluster and of the
 * cluster as the plan leaves it, and compare them. The cluster: {@code pods} pods, each its own workload (the worst
 * case: no replicas to share work) with one or two container ports and a Service, in 50 namespaces, half of them
 * injected before the plan and all after; {@code policies} PeerAuthentications (one mesh-wide, one per namespace, the
 * rest workload policies with port-level settings) that the plan turns from PERMISSIVE to STRICT; 50 DestinationRules.
 * Single-threaded, so the time per operation is its CPU time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgs = {"-Xmx512m", "-Xms512m"})
public class MtlsModelBenchmark {
    private static final tools.jackson.dataformat.yaml.YAMLMapper YAML = tools.jackson.dataformat.yaml.YAMLMapper.builder().build();
    @Param({"5000"})
    int pods;

    @Param({"500"})
    int policies;

    private MeshState before;
    private MeshState after;

    @Setup(Level.Trial)
    public void cluster() {
        before = state(false, MtlsMode.PERMISSIVE);
        after = state(true, MtlsMode.STRICT);
    }

    private MeshState state(boolean allInjected, MtlsMode mode) {
        int namespaces = 50;
        List<ReachPod> podList = new ArrayList<>();
        List<ReachService> services = new ArrayList<>();
        for (int i = 0; i < pods; i++) {
            String ns = "ns-" + (i % namespaces);
            Map<String, String> labels = Map.of("app", "app-" + i, "tier", "t" + (i % 7));
            List<ReachPod.Port> ports = i % 2 == 0 ? List.of(new ReachPod.Port(8080, "http"))
                    : List.of(new ReachPod.Port(8080, "http"), new ReachPod.Port(27017, "mongo"));
            boolean sidecar = allInjected || (i % namespaces) % 2 == 0;
            podList.add(new ReachPod(ns, "app-" + i + "-0", "app-" + i, labels, sidecar, false, false, ports));
            List<ReachService.Port> sp = new ArrayList<>();
            ports.forEach(p -> sp.add(new ReachService.Port(p.number(), p.name(), null, p.name())));
            services.add(new ReachService(ns, "app-" + i, Map.of("app", "app-" + i), i % 10 == 0, sp));
        }
        List<PeerPolicy> peers = new ArrayList<>();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        peers.add(new PeerPolicy("istio-system", "default", t0, Map.of(), mode, new TreeMap<>(), null));
        for (int n = 0; n < namespaces; n++) {
            peers.add(new PeerPolicy("ns-" + n, "default", t0, Map.of(), MtlsMode.UNSET, new TreeMap<>(), null));
        }
        for (int p = peers.size(); p < policies; p++) {
            int i = (p * 7) % pods;
            TreeMap<Integer, MtlsMode> port = new TreeMap<>(Map.of(27017, MtlsMode.PERMISSIVE));
            peers.add(new PeerPolicy("ns-" + (i % namespaces), "w-" + p, t0.plusSeconds(p), Map.of("app", "app-" + i),
                    MtlsMode.UNSET, port, null));
        }
        List<DestinationPolicy> rules = new ArrayList<>();
        for (int r = 0; r < 50; r++) {
            int i = r * 13 % pods;
            String tls = r % 2 == 0 ? ", trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}" : "";
            rules.add(DestinationPolicy.of("ns-" + (i % namespaces), "dr-" + r, t0,
                    YAML.readTree("{host: app-" + i + tls + "}"), null));
        }
        return new MeshState("istio-system", true, List.of("*"), MeshState.DEFAULT_DOMAIN, podList, services, peers, rules, List.of());
    }

    /**
     * The CPU time of one model build and diff, apart from what other processes take on a shared machine (JMH's
     * single-shot time is wall time): {@code java -cp bench/target/benchmarks.jar io.meshform.bench.MtlsModelBenchmark
     * [ROUNDS]} prints the thread CPU time of each round, then the median of the second half.
     */
    public static void main(String[] args) {
        MtlsModelBenchmark b = new MtlsModelBenchmark();
        b.pods = 5000;
        b.policies = 500;
        b.cluster();
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] cpu = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            ReachDiff d = b.buildAndDiff();
            cpu[i] = (threads.getCurrentThreadCpuTime() - c0) / 1_000_000;
            System.out.printf("round %d: cpu %d ms, wall %d ms, %d connections compared%n", i + 1, cpu[i],
                    (System.nanoTime() - w0) / 1_000_000, d.pairs());
        }
        long[] warm = java.util.Arrays.copyOfRange(cpu, rounds / 2, rounds);
        java.util.Arrays.sort(warm);
        System.out.printf("median cpu after warm-up: %d ms (%d pods, %d policies)%n", warm[warm.length / 2], b.pods, b.policies);
    }

    @Benchmark
    public ReachDiff buildAndDiff() {
        return ReachDiff.between(new Reachability(before), new Reachability(after), false);
    }
}

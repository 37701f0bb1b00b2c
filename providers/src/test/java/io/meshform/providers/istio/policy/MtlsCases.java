package io.meshform.providers.istio.policy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.meshform.testkit.GenericObjects;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random mesh configurations for {@link MtlsAgreementIT}: PeerAuthentications at every level (mesh, namespace,
 * workload, port; selectors that match and that do not; root-namespace selectors; UNSET and absent modes; several
 * policies per level so that age and name decide), DestinationRules (exact, short, unresolvable and wildcard hosts,
 * exportTo, workload selectors, top-level and port-level tls of every mode but MUTUAL), pods with and without sidecars
 * and several container ports, ClusterIP and headless Services with named, unnamed and well-known ports. Everything it
 * makes is valid for Istio's validation webhook; what decides is left to istiod and compared with the model.
 */
final class MtlsCases {
    static final String LABEL = "meshform.io/mtlsproof";
    static final int[] CONTAINER_PORTS = {8080, 9090, 7070};
    private static final String[] MODES = {null, "UNSET", "DISABLE", "PERMISSIVE", "STRICT"};
    private static final String[] TLS = {null, "DISABLE", "ISTIO_MUTUAL", "SIMPLE"};
    private static final String[] APPS = {"a", "b", "c"};

    private final Random rnd;

    MtlsCases(long seed) {
        this.rnd = new Random(seed);
    }

    boolean chance(double p) {
        return rnd.nextDouble() < p;
    }

    <T> T pick(T[] from) {
        return from[rnd.nextInt(from.length)];
    }

    int index(int size) {
        return rnd.nextInt(size);
    }

    int pickPort(int[] from) {
        return from[rnd.nextInt(from.length)];
    }

    static GenericKubernetesResource object(String apiVersion, String kind, String ns, String name, Map<String, Object> spec) {
        return GenericObjects.of(apiVersion, kind, ns, name, Map.of(LABEL, "true"), spec);
    }

    private Map<String, Object> mtls() {
        String mode = pick(MODES);
        return mode == null ? null : Map.of("mode", mode);
    }

    private Map<String, Object> selector() {
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("app", chance(0.15) ? "nobody" : pick(APPS));
        if (chance(0.3)) {
            labels.put("tier", chance(0.5) ? "x" : "y");
        }
        return Map.of("matchLabels", labels);
    }

    /** Selector-less PeerAuthentications of one namespace (mesh-level in the root): 0 to 2, so one may shadow another. */
    List<GenericKubernetesResource> widePolicies(String ns, double p) {
        List<GenericKubernetesResource> out = new ArrayList<>();
        for (String name : new String[] {"default", "wide-b", "wide-a"}) {
            if (chance(p)) {
                Map<String, Object> spec = new LinkedHashMap<>();
                Map<String, Object> m = mtls();
                if (m != null) {
                    spec.put("mtls", m);
                }
                if (chance(0.15)) {
                    spec.put("selector", Map.of("matchLabels", Map.of())); // empty matchLabels: no selector to Istio
                }
                out.add(object("security.istio.io/v1", "PeerAuthentication", ns, name, spec));
            }
        }
        return out;
    }

    /** Workload-level PeerAuthentications (or, in the root namespace, selectors Istio ignores), some with ports. */
    List<GenericKubernetesResource> workloadPolicies(String ns, int max) {
        List<GenericKubernetesResource> out = new ArrayList<>();
        int n = rnd.nextInt(max + 1);
        for (int i = 0; i < n; i++) {
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("selector", selector());
            Map<String, Object> m = mtls();
            if (m != null) {
                spec.put("mtls", m);
            }
            if (chance(0.5)) {
                Map<String, Object> ports = new LinkedHashMap<>();
                int k = 1 + rnd.nextInt(2);
                for (int j = 0; j < k; j++) {
                    int port = chance(0.15) ? 1234 : pickPort(CONTAINER_PORTS);
                    String mode = pick(MODES);
                    ports.put(Integer.toString(port), mode == null ? Map.of() : Map.of("mode", mode));
                }
                spec.put("portLevelMtls", ports);
            }
            out.add(object("security.istio.io/v1", "PeerAuthentication", ns, "wl-" + (char) ('d' - i), spec));
        }
        return out;
    }

    /** A pod of the round; {@code sidecar} false opts it out of injection. */
    Pod pod(String name, boolean sidecar) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app", pick(APPS));
        if (chance(0.6)) {
            labels.put("tier", chance(0.5) ? "x" : "y");
        }
        if (!sidecar) {
            labels.put("sidecar.istio.io/inject", "false");
        }
        var c = new PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.10");
        boolean any = false;
        for (int p : CONTAINER_PORTS) {
            if (chance(0.6) || !any && p == CONTAINER_PORTS[CONTAINER_PORTS.length - 1]) {
                c = c.addNewPort().withContainerPort(p).endPort();
                any = true;
            }
        }
        return c.endContainer().endSpec().build();
    }

    /** A ClusterIP or headless Service selecting one app, with one or two ports. */
    Service service(String name) {
        boolean headless = chance(0.35);
        List<Object[]> choices = headless
                ? List.of(new Object[] {"tcp-p", 8080, 8080}, new Object[] {"http-p", 9090, 9090}, new Object[] {"redis", 7070, 7070})
                : List.of(new Object[] {"http-web", 80, 8080}, new Object[] {"tcp-metrics", 9090, 9090},
                        new Object[] {"mongo", 27017, 7070}, new Object[] {"grpc", 9091, 9090});
        List<Object[]> ports = new ArrayList<>(choices);
        java.util.Collections.shuffle(ports, rnd);
        int k = 1 + rnd.nextInt(2);
        var spec = new ServiceBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .addToSelector("app", pick(APPS));
        if (headless) {
            spec = spec.withClusterIP("None");
        }
        for (int i = 0; i < k; i++) {
            Object[] p = ports.get(i);
            // a single port may go unnamed: Istio then sniffs the protocol (or, on a well-known port, uses TCP)
            String portName = k == 1 && chance(0.3) ? null : (String) p[0];
            spec = spec.addToPorts(new ServicePortBuilder().withName(portName).withPort((Integer) p[1])
                    .withNewTargetPort((Integer) p[2]).build());
        }
        return spec.endSpec().build();
    }

    /** A DestinationRule in {@code ns} for one of {@code targets} ({@code name.namespace} of a Service). */
    GenericKubernetesResource destinationRule(String ns, String name, List<String[]> targets, List<String> namespaces) {
        String[] t = targets.get(rnd.nextInt(targets.size()));
        String fqdn = t[0] + "." + t[1] + ".svc.cluster.local";
        String host = switch (rnd.nextInt(5)) {
            case 0 -> t[1].equals(ns) ? t[0] : fqdn; // short name, resolved in the rule's namespace
            case 1 -> t[0] + "." + t[1]; // has a dot: Istio takes it as written, so it names no Service
            case 2 -> "*." + t[1] + ".svc.cluster.local";
            default -> fqdn;
        };
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("host", host);
        if (chance(0.2)) {
            spec.put("workloadSelector", Map.of("matchLabels", Map.of("app", pick(APPS))));
        } else {
            String other = namespaces.get(rnd.nextInt(namespaces.size()));
            List<String> export = switch (rnd.nextInt(6)) {
                case 1 -> List.of(".");
                case 2 -> List.of("*");
                case 3 -> List.of(ns);
                case 4 -> other.equals(ns) ? List.of() : List.of(other);
                case 5 -> other.equals(ns) ? List.of(".") : List.of(".", other);
                default -> List.of();
            };
            if (!export.isEmpty()) {
                spec.put("exportTo", export);
            }
        }
        Map<String, Object> policy = new LinkedHashMap<>();
        String tls = pick(TLS);
        if (tls != null) {
            policy.put("tls", Map.of("mode", tls));
        }
        if (chance(0.5)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            // mostly ports the Services have (ClusterIP ports twice as likely: there the cluster and the endpoint
            // metadata read a port entry without tls differently, mtls_checker.go against util.go)
            entry.put("port", Map.of("number", pickPort(new int[] {80, 9090, 27017, 9091, 80, 9090, 27017, 9091, 8080, 7070})));
            String portTls = chance(0.4) ? null : pick(new String[] {"DISABLE", "ISTIO_MUTUAL", "SIMPLE"});
            if (portTls != null) {
                entry.put("tls", Map.of("mode", portTls));
            } else {
                entry.put("connectionPool", Map.of("tcp", Map.of("maxConnections", 10)));
            }
            policy.put("portLevelSettings", List.of(entry));
        }
        if (chance(0.1)) {
            policy.put("loadBalancer", Map.of("simple", "PASSTHROUGH")); // an ORIGINAL_DST cluster for a ClusterIP Service
        }
        if (!policy.isEmpty() || chance(0.5)) {
            spec.put("trafficPolicy", policy.isEmpty() ? Map.of("connectionPool", Map.of("tcp", Map.of("maxConnections", 5))) : policy);
        }
        return object("networking.istio.io/v1", "DestinationRule", ns, name, spec);
    }

    /**
     * A DestinationRule whose top-level tls and port entry without tls istiod reads two ways: the cluster drops the
     * top-level policy for that port ({@code GetPortLevelTrafficPolicy}, util.go), the endpoint metadata keeps its tls
     * mode ({@code trafficPolicyTLSModeForPort}, mtls_checker.go). Random DestinationRules hit it rarely.
     */
    GenericKubernetesResource splitRule(Service s) {
        var port = s.getSpec().getPorts().get(rnd.nextInt(s.getSpec().getPorts().size()));
        Map<String, Object> entry = Map.of("port", Map.of("number", port.getPort()),
                "connectionPool", Map.of("tcp", Map.of("maxConnections", 10)));
        Map<String, Object> policy = Map.of("tls", Map.of("mode", pick(new String[] {"DISABLE", "SIMPLE", "ISTIO_MUTUAL"})),
                "portLevelSettings", List.of(entry));
        String ns = s.getMetadata().getNamespace();
        return object("networking.istio.io/v1", "DestinationRule", ns, "dr-split",
                Map.of("host", s.getMetadata().getName() + "." + ns + ".svc.cluster.local", "trafficPolicy", policy));
    }
}

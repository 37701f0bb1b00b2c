package io.meshform.providers.istio.policy;

import io.meshform.engine.spi.SortedCopies;
import java.util.List;
import java.util.Map;

/**
 * A client that is no pod of the cluster, declared by the stack ({@code istio.caller}): ingress that reaches pods
 * without passing a mesh gateway, a monitoring scraper on the nodes, a service in another cluster. It sends what it
 * is declared to send (plaintext unless it says it holds mesh certificates) to the workloads its targets name.
 *
 * @param name    the caller's name, as messages show it ("caller prometheus-scraper")
 * @param sends   what it sends: PLAINTEXT, ISTIO_MTLS (it holds mesh certificates) or OTHER_TLS
 * @param targets what it calls; a connection counts only for a target that matches
 * @param origin  the stack resource that declares it, for messages
 */
public record OutsideCaller(String name, ClientTls.Sends sends, List<Target> targets, String origin) {
    public OutsideCaller {
        targets = List.copyOf(targets);
    }

    /**
     * Which servers it calls: pods of {@code namespace} (null: every namespace) whose labels contain
     * {@code selector}, on {@code ports} (the Service port it dials or the container port; empty: every port).
     */
    public record Target(String namespace, Map<String, String> selector, List<Integer> ports) {
        public Target {
            // Sorted, not Map.copyOf (randomised per JVM): whatever iterates or prints it sees one order in every run.
            selector = SortedCopies.of(selector);
            ports = List.copyOf(ports);
        }

        boolean matches(ReachPod pod, int containerPort, ReachService.Port via) {
            if (namespace != null && !namespace.equals(pod.namespace())) {
                return false;
            }
            for (Map.Entry<String, String> e : selector.entrySet()) {
                if (!e.getValue().equals(pod.labels().get(e.getKey()))) {
                    return false;
                }
            }
            return ports.isEmpty() || ports.contains(containerPort) || (via != null && ports.contains(via.port()));
        }
    }

    boolean calls(ReachPod pod, int containerPort, ReachService.Port via) {
        return targets.stream().anyMatch(t -> t.matches(pod, containerPort, via));
    }

    public String describe() {
        return "caller " + name;
    }
}

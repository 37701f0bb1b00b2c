package io.meshform.providers.istio.policy;

import io.meshform.engine.spi.SortedCopies;
import java.util.List;
import java.util.Map;

/**
 * One pod as the reachability model sees it: where it runs, its labels (what PeerAuthentication and DestinationRule
 * selectors match), whether a sidecar proxies its traffic, and the container ports it serves on.
 *
 * @param workload      the controller that owns it ("Deployment cortex/api"), or the pod itself; names it in messages
 * @param sidecar       an {@code istio-proxy} container, or a native sidecar (init container with restartPolicy
 *                      Always); a pod without one neither enforces a PeerAuthentication nor originates mTLS
 * @param nativeSidecar the proxy is a native sidecar (same behaviour; kept for the report)
 * @param hostNetwork   the pod shares its node's network: Istio never injects it ({@code injectRequired},
 *                      pkg/kube/inject/inject.go), so it is never in the mesh
 * @param ports         its TCP container ports (UDP is not proxied)
 * @param ip            the pod IP, or null when not known (outbound IP-range exclusions of its clients match it)
 * @param interception  what its sidecar's traffic redirection captures ({@link Interception}): an inbound port it does
 *                      not capture reaches the application directly, whatever the PeerAuthentication says
 * @param gatewayProxy  its {@code istio-proxy} runs as a gateway ({@code router}) or {@code waypoint}, not a sidecar:
 *                      istiod builds its listeners from Gateway servers or as HBONE, and applies a PeerAuthentication's
 *                      mode only to a sidecar's inbound listeners ({@code BuildListeners}, pilot/pkg/networking/core/
 *                      listener.go: only {@code buildSidecarListeners} reaches {@code buildInboundListeners} and its
 *                      {@code authnBuilder.ForPort}, listener_inbound.go). Its templates (gateway-injection-template.yaml,
 *                      kube-gateway.yaml, waypoint.yaml) give it no {@code security.istio.io/tlsMode: istio} label, so
 *                      auto mTLS sends it plaintext. As a client it originates Istio mTLS like a sidecar.
 * @param revision      the revision whose istiod configures its proxy (the injector's, {@code Sidecars.revisionOf}); null
 *                      when not known. That istiod reads only the config objects unlabelled or labelled with it
 *                      ({@link ConfigRevision#readBy}), so they alone decide what this proxy does.
 */
public record ReachPod(String namespace, String name, String workload, Map<String, String> labels, boolean sidecar,
                      boolean nativeSidecar, boolean hostNetwork, List<Port> ports, String ip, Interception interception,
                      boolean gatewayProxy, String revision) {

    public ReachPod {
        // Sorted, not Map.copyOf (randomised per JVM): whatever iterates or prints it sees one order in every run.
        labels = SortedCopies.of(labels);
        ports = List.copyOf(ports);
        interception = interception == null ? Interception.ALL : interception;
    }

    /** A pod whose proxy's revision is not known. */
    public ReachPod(String namespace, String name, String workload, Map<String, String> labels, boolean sidecar,
                    boolean nativeSidecar, boolean hostNetwork, List<Port> ports, String ip, Interception interception,
                    boolean gatewayProxy) {
        this(namespace, name, workload, labels, sidecar, nativeSidecar, hostNetwork, ports, ip, interception, gatewayProxy, null);
    }

    /** A pod with a sidecar or none (no gateway or waypoint proxy). */
    public ReachPod(String namespace, String name, String workload, Map<String, String> labels, boolean sidecar,
                    boolean nativeSidecar, boolean hostNetwork, List<Port> ports, String ip, Interception interception) {
        this(namespace, name, workload, labels, sidecar, nativeSidecar, hostNetwork, ports, ip, interception, false);
    }

    /** A pod whose sidecar (if any) captures everything (Istio's defaults), IP unknown. */
    public ReachPod(String namespace, String name, String workload, Map<String, String> labels, boolean sidecar,
                    boolean nativeSidecar, boolean hostNetwork, List<Port> ports) {
        this(namespace, name, workload, labels, sidecar, nativeSidecar, hostNetwork, ports, null, Interception.ALL);
    }

    /**
     * Whether connections to container port {@code port} reach this pod's sidecar: it has one, and its redirection
     * captures the port. Only then does a PeerAuthentication decide what the port accepts; never on a gateway or
     * waypoint proxy ({@link #gatewayProxy}).
     */
    public boolean sidecarHandles(int port) {
        return sidecar && !gatewayProxy && interception.capturesInbound(port);
    }

    /**
     * Why port {@code port} does not reach a sidecar that a PeerAuthentication governs, or null when the pod has no
     * proxy or its sidecar captures the port.
     */
    public String inboundBypass(int port) {
        if (sidecar && gatewayProxy) {
            return "the pod is a gateway or waypoint proxy: its Gateway's servers decide what it accepts, no PeerAuthentication";
        }
        return sidecar ? interception.inboundBypass(port) : null;
    }

    /** A container port: its number and its name (a Service's {@code targetPort} may name it). */
    public record Port(int number, String name) {
    }

    /** The same pod with or without a sidecar (after injection turns on or off for its namespace and it restarts). */
    public ReachPod withSidecar(boolean on) {
        return on == sidecar ? this : new ReachPod(namespace, name, workload, labels, on, on && nativeSidecar, hostNetwork, ports,
                ip, interception, on && gatewayProxy, revision);
    }

    /** The same pod, its proxy served by the istiod of {@code proxyRevision} (null: not known). */
    public ReachPod withRevision(String proxyRevision) {
        return new ReachPod(namespace, name, workload, labels, sidecar, nativeSidecar, hostNetwork, ports, ip, interception,
                gatewayProxy, proxyRevision);
    }

    /** The same pod serving {@code served} (its container ports and the Services' target ports it has). */
    public ReachPod withPorts(List<Port> served) {
        return new ReachPod(namespace, name, workload, labels, sidecar, nativeSidecar, hostNetwork, served, ip, interception,
                gatewayProxy, revision);
    }

    /** The container port a Service's {@code targetPort} (a number, or a port name) reaches on this pod; -1 for none. */
    public int resolve(String targetPort) {
        for (Port p : ports) {
            if (targetPort.equals(p.name()) || targetPort.equals(Integer.toString(p.number()))) {
                return p.number();
            }
        }
        // A numeric targetPort reaches the pod whether or not the container declares the port.
        return targetPort.chars().allMatch(Character::isDigit) && !targetPort.isEmpty() ? Integer.parseInt(targetPort) : -1;
    }
}

package io.meshform.providers.istio.policy;

import io.meshform.engine.spi.SortedCopies;
import java.util.List;
import java.util.Map;

/**
 * The client side of a connection: what a client sends to one destination (Istio mTLS, plaintext, or TLS of its
 * own). The rules live in one implementation ({@link IstioClientTls}, which asks {@link ClientMtls}); the reachability model asks only this.
 */
public interface ClientTls {

    /** What leaves the client. */
    enum Sends {
        /** Istio mutual TLS with the mesh's certificates (a sidecar's ISTIO_MUTUAL, explicit or auto-detected). */
        ISTIO_MTLS,
        /** Plaintext as far as the server's sidecar can tell. */
        PLAINTEXT,
        /** TLS that is not Istio's (DestinationRule SIMPLE or MUTUAL): a server sidecar sees a foreign TLS client. */
        OTHER_TLS
    }

    /**
     * What the client sends, and the rule that decided it (one clause, for messages).
     *
     * @param rule    the DestinationRule whose tls mode decided, null when none did (auto-mTLS, no sidecar, ...)
     * @param sidecar true when the client's sidecar originated the connection (false: no sidecar, an outside caller,
     *                or a connection its traffic redirection leaves out), so the fix for it is on the client's side
     */
    record Decision(Sends sends, String why, DestinationPolicy rule, boolean sidecar) {
        /** A decision no DestinationRule made. */
        public Decision(Sends sends, String why, boolean sidecar) {
            this(sends, why, null, sidecar);
        }
    }

    /**
     * A client: a group of pods that behave alike (namespace, sidecar, labels), or a caller from outside the mesh.
     *
     * @param labels  the labels DestinationRule workload selectors match (empty for outside callers)
     * @param sidecar true when a sidecar (or a gateway proxy) originates its connections
     * @param outside declared by the stack: it is no pod, and sends what {@code declared} says
     */
    record Client(String namespace, Map<String, String> labels, boolean sidecar, boolean outside, Sends declared) {
        public Client {
            // Sorted, not Map.copyOf (randomised per JVM): whatever iterates or prints it sees one order in every run.
            labels = SortedCopies.of(labels);
        }
    }

    /**
     * Where a connection goes: through a Service port (the host and port the client dials) or straight to a pod's IP
     * ({@code service} null), ending at {@code endpoint}'s container port. {@code endpoints} are every pod the
     * Service selects (headless services are all-or-nothing), {@code serverMode} the endpoint's composed inbound mode
     * for the container port (auto-mTLS consults it per endpoint).
     */
    record Route(ReachService service, ReachService.Port port, ReachPod endpoint, int containerPort, List<ReachPod> endpoints,
                 MtlsMode serverMode) {
    }

    Decision sends(Client client, Route route);
}

package io.meshform.providers.istio.checks;

import io.meshform.providers.istio.injection.LivePod;
import io.meshform.providers.istio.policy.PeerPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the mesh checks read from the live cluster, each at most once per run: one LIST per kind across every
 * namespace (cheaper than one per namespace, and what the effective-policy model needs anyway). A view that cannot
 * read (no cluster, no Istio CRDs yet) answers empty, and the checks say nothing they cannot know. Objects come as
 * JSON trees or small records of the fields the checks use, never fabric8's typed model (see
 * {@link io.meshform.providers.kubernetes.RawReads} for why).
 */
public interface ClusterView {
    /** Every pod of every namespace. */
    List<LivePod> pods();

    /** The labels of every namespace, by name. */
    Map<String, Map<String, String>> namespaces();

    /**
     * The label keys of {@code namespace} that the stack resource {@code address} applied and no other field manager
     * owns: server-side apply removes exactly these when that resource stops declaring them (or is destroyed). Empty
     * when the namespace is absent or the view reads no field owners.
     */
    default java.util.Set<String> labelsOwnedOnlyBy(String namespace, String address) {
        return java.util.Set.of();
    }

    /** Every PeerAuthentication, with its creation time. */
    List<PeerPolicy> peerAuthentications();

    /**
     * The {@code istio.io/rev} label of each live PeerAuthentication that carries one, by "namespace/name": an istiod of
     * another revision ignores the policy ({@link io.meshform.providers.istio.policy.ConfigRevision}).
     */
    default Map<String, String> peerAuthenticationRevisions() {
        return Map.of();
    }

    /** As {@link #peerAuthenticationRevisions}, for the live DestinationRules. */
    default Map<String, String> destinationRuleRevisions() {
        return Map.of();
    }

    /** Every Service of every namespace (one LIST), as objects; empty when the cluster cannot be asked. */
    default List<tools.jackson.databind.JsonNode> services() {
        return List.of();
    }

    /** The TLS settings of every DestinationRule (one LIST), with their creation times. */
    default List<io.meshform.providers.istio.policy.DestinationPolicy> destinationRules() {
        return List.of();
    }

    /**
     * Every AuthorizationPolicy of every namespace, as objects (apiVersion, kind, metadata, spec); empty when none
     * or when the cluster could not be asked.
     */
    default List<tools.jackson.databind.JsonNode> authorizationPolicies() {
        return List.of();
    }

    /**
     * Every EnvoyFilter of every namespace (one LIST), as objects; empty when none or when the cluster could not be
     * asked ({@link #unread} says which).
     */
    default List<tools.jackson.databind.JsonNode> envoyFilters() {
        return List.of();
    }

    /**
     * Every Gateway API Gateway ({@code gateway.networking.k8s.io/v1}) of every namespace (one LIST), as objects: what
     * {@link GatewayPods} labels a Gateway's pods from before they run. Empty when none, when the Gateway API CRDs are
     * not installed, or when the cluster could not be asked ({@link #unread} says which).
     */
    default List<tools.jackson.databind.JsonNode> gateways() {
        return List.of();
    }

    /**
     * The installed injectors (revisions and revision tags) and each revision's injector policy from its
     * istio-sidecar-injector ConfigMap ({@link io.meshform.providers.istio.injection.Injectors#read}: one LIST, one GET
     * per revision); unknown when the cluster cannot be asked.
     */
    default io.meshform.providers.istio.injection.Injectors injectors() {
        return io.meshform.providers.istio.injection.Injectors.UNKNOWN;
    }

    /** The {@code mesh} key of the {@code istio} ConfigMap in the Istio namespace, when there is one. */
    Optional<String> meshConfig();

    /**
     * The {@code mesh} key of the ConfigMap istiod of {@code revision} reads, {@code istio-<revision>} in the Istio
     * namespace ({@link io.meshform.providers.istio.core.Mesh#meshConfigMap}); for the default revision,
     * {@link #meshConfig()}. Absent when there is no such ConfigMap (or key), unknown when it could not be read. A view
     * that reads the cluster asks for another revision's only when a check does (one GET each, once per run), so a run
     * that judges no proxy of another revision sends no request for one.
     */
    default Lookup<String> meshConfig(String revision) {
        return io.meshform.providers.istio.core.Mesh.meshConfigMap(revision).equals(
                io.meshform.providers.istio.core.Mesh.MESH_CONFIG_MAP) ? new Lookup<>(true, meshConfig().orElse(null))
                : Lookup.unknown();
    }

    /** The Service {@code namespace/name} as an object: found, absent, or unknown (the cluster could not be asked). */
    Lookup<tools.jackson.databind.JsonNode> service(String namespace, String name);

    /** The answer to a GET: {@code known} false when the cluster could not be asked; {@code value} null when absent. */
    record Lookup<T>(boolean known, T value) {
        public static <T> Lookup<T> unknown() {
            return new Lookup<>(false, null);
        }

        public boolean absent() {
            return known && value == null;
        }
    }

    /**
     * What this view could not read, once every read has ended: what was asked for ("pods") and why it failed ("forbidden
     * (HTTP 403)"). Its accessors answer empty for these, so what a check says about them is not known
     * ({@link ClusterUnread} says so). Empty when everything was read, and for a view that reads nothing.
     */
    default Map<String, String> unread() {
        return Map.of();
    }

    /** True when an istiod Deployment exists in the Istio namespace (policies act only once a control plane runs). */
    boolean controlPlane();

    /** The istiod Deployments of the Istio namespace (label {@code app=istiod}), as read; empty when none or not read. */
    default List<tools.jackson.databind.JsonNode> istiodDeployments() {
        return List.of();
    }

    /** A cluster with nothing in it: what {@code validate} sees, and a test's starting point. */
    ClusterView EMPTY = new ClusterView() {
        @Override
        public List<LivePod> pods() {
            return List.of();
        }

        @Override
        public Map<String, Map<String, String>> namespaces() {
            return Map.of();
        }

        @Override
        public List<PeerPolicy> peerAuthentications() {
            return List.of();
        }

        @Override
        public Optional<String> meshConfig() {
            return Optional.empty();
        }

        @Override
        public Lookup<tools.jackson.databind.JsonNode> service(String namespace, String name) {
            return Lookup.unknown();
        }

        @Override
        public boolean controlPlane() {
            return false;
        }
    };
}

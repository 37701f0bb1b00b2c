package io.meshform.providers.istio.core;

/**
 * Names every room of the Istio provider shares, in one place: the resource types (so a check never re-spells them),
 * Istio's API groups, and the namespaces Istio itself uses.
 */
public final class Mesh {
    public static final String INSTALL_TYPE = "istio.install";
    public static final String PEER_AUTHENTICATION_TYPE = "istio.peerAuthentication";
    public static final String REQUEST_AUTHENTICATION_TYPE = "istio.requestAuthentication";
    public static final String AUTHORIZATION_POLICY_TYPE = "istio.authorizationPolicy";
    public static final String TELEMETRY_TYPE = "istio.telemetry";

    /** Where istioctl installs the control plane. */
    public static final String ISTIO_NAMESPACE = "istio-system";
    /**
     * The mesh config's rootNamespace as Istio defaults it (pkg/config/mesh/mesh.go DefaultMeshConfig: the system
     * namespace): policies without a selector here apply mesh-wide. A stack that changes rootNamespace is not yet read.
     */
    public static final String ROOT_NAMESPACE = ISTIO_NAMESPACE;

    public static final String SECURITY_GROUP = "security.istio.io";
    public static final String SECURITY_VERSION = "v1";
    public static final String TELEMETRY_GROUP = "telemetry.istio.io";
    public static final String TELEMETRY_VERSION = "v1";

    private Mesh() {
    }
}

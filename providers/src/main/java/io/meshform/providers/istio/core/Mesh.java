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
     * The mesh config's rootNamespace when nothing sets it (pkg/config/mesh/mesh.go DefaultMeshConfig: the system
     * namespace). The checks read the value in force from the mesh config ({@code istio.policy.MeshConfigView}): the
     * stack's istio.install, else the live {@code istio} ConfigMap; this is only their fallback.
     */
    public static final String DEFAULT_ROOT_NAMESPACE = ISTIO_NAMESPACE;
    /** The ConfigMap (in the Istio namespace) and key istiod and {@code istioctl analyze} read the mesh config from. */
    public static final String MESH_CONFIG_MAP = "istio";
    public static final String MESH_CONFIG_KEY = "mesh";
    /** The name of the revision without one: istioctl's {@code revision} unset, {@code istio.io/rev: default}. */
    public static final String DEFAULT_REVISION = "default";

    /**
     * The ConfigMap istiod of {@code revision} reads its mesh config from, in its own namespace: {@code istio} for the
     * default revision ("" or "default"), {@code istio-<revision>} for another ({@code getMeshConfigMapName},
     * pilot/pkg/bootstrap/mesh.go, Istio 1.30.3; the istio-discovery chart names its ConfigMap the same way).
     */
    public static String meshConfigMap(String revision) {
        return revision == null || revision.isEmpty() || DEFAULT_REVISION.equals(revision) ? MESH_CONFIG_MAP
                : MESH_CONFIG_MAP + "-" + revision;
    }

    /** The check that runs {@code istioctl analyze} on the planned cluster ({@code --no-analyze} leaves it out). */
    public static final String ANALYZE_CHECK = "istio-analyze";
    /** The check that runs {@code istioctl validate} on every Istio object the stack will apply. */
    public static final String VALIDATE_CHECK = "istio-validate";
    /** How the validate check's warning that istioctl could not be run begins ({@link #istioctlDidNotRun}). */
    public static final String VALIDATE_NOT_RUN = "Istio's validation did not run";
    /** The detail of validate's warning that an install's istioctl could not be run ({@link #istioctlDidNotRun}). */
    public static final String RENDER_NOT_RUN = "validate could not check the install's istioctl version and render; plan"
            + " will need istioctl";

    public static final String SECURITY_GROUP = "security.istio.io";
    public static final String SECURITY_VERSION = "v1";
    public static final String TELEMETRY_GROUP = "telemetry.istio.io";
    public static final String TELEMETRY_VERSION = "v1";

    private Mesh() {
    }

    /** True for a check's warning that istioctl could not be run, so what it checks went unchecked. */
    public static boolean istioctlDidNotRun(io.meshform.engine.diag.Diagnostic d) {
        return d.summary().startsWith(VALIDATE_NOT_RUN) || RENDER_NOT_RUN.equals(d.detail());
    }
}

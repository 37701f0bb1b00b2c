package io.meshform.providers.istio.policy;

import java.util.Locale;

/**
 * A PeerAuthentication mTLS mode as written ({@code UNSET} included), and as Istio composes it for a workload's
 * port (never {@code UNSET} there). istio/api {@code security/v1beta1/peer_authentication.proto} MutualTLS.Mode;
 * composition in istio/istio {@code pilot/pkg/model/authentication.go} ConvertToMutualTLSMode.
 */
public enum MtlsMode {
    UNSET,
    DISABLE,
    PERMISSIVE,
    STRICT;

    /** The mode a spec value names; {@code null} or an absent {@code mtls} is UNSET, as Istio reads a nil message. */
    public static MtlsMode of(String value) {
        if (value == null || value.isBlank()) {
            return UNSET;
        }
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            // Istio's validation refuses other values (checked before any model is built); treat as inherit.
            return UNSET;
        }
    }

    /** True when this mode accepts a plaintext connection from a client without a sidecar. */
    public boolean acceptsPlaintext() {
        return this != STRICT;
    }

    /** True when this mode accepts Istio mTLS (a sidecar client's default). */
    public boolean acceptsMtls() {
        return this != DISABLE;
    }
}

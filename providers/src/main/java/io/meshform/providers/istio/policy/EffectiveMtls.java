package io.meshform.providers.istio.policy;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The inbound mTLS a workload gets, as istiod composes it ({@code ComposePeerAuthentication} in
 * pilot/pkg/security/authn/policy_applier.go): a workload-wide mode and per-port overrides keyed by container
 * (target) port, with the policies that decided them.
 *
 * @param mode      the workload-wide mode (PERMISSIVE when no policy applies)
 * @param perPort   the chosen workload policy's {@code portLevelMtls}, UNSET entries resolved to {@code mode}
 * @param mesh      the mesh-level policy in force, or null
 * @param namespace the namespace-level policy in force, or null
 * @param workload  the workload-level policy in force (the oldest that selects the workload), or null
 * @param outranked workload-level policies that also select the workload but lose to {@code workload} (younger)
 */
public record EffectiveMtls(MtlsMode mode, SortedMap<Integer, MtlsMode> perPort, PeerPolicy mesh, PeerPolicy namespace,
                            PeerPolicy workload, List<PeerPolicy> outranked) {

    public EffectiveMtls {
        perPort = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(perPort));
        outranked = List.copyOf(outranked);
    }

    /** {@code GetMutualTLSModeForPort}: the port's own entry, else the workload-wide mode. */
    public MtlsMode forPort(int containerPort) {
        return perPort.getOrDefault(containerPort, mode);
    }

    /** The policy whose setting decides {@code containerPort}'s mode, or null when none does (the PERMISSIVE default). */
    public PeerPolicy decidedBy(int containerPort) {
        if (workload != null && workload.portLevel().containsKey(containerPort)
                && workload.portLevel().get(containerPort) != MtlsMode.UNSET) {
            return workload;
        }
        return decidedByWorkloadMode();
    }

    /** The policy whose (non-UNSET) mode decides the workload-wide mode, or null for Istio's PERMISSIVE default. */
    public PeerPolicy decidedByWorkloadMode() {
        for (PeerPolicy p : new PeerPolicy[] {workload, namespace, mesh}) {
            if (p != null && p.mode() != MtlsMode.UNSET) {
                return p;
            }
        }
        return null;
    }

    /** The ports with a mode other than the workload-wide one. */
    public Map<Integer, MtlsMode> exceptions() {
        Map<Integer, MtlsMode> out = new java.util.TreeMap<>();
        perPort.forEach((port, m) -> {
            if (m != mode) {
                out.put(port, m);
            }
        });
        return out;
    }

    /** One line: "STRICT (mesh PeerAuthentication istio-system/default)", with port exceptions. */
    public String describe() {
        PeerPolicy by = decidedByWorkloadMode();
        StringBuilder sb = new StringBuilder(mode.name()).append(" (")
                .append(by == null ? "no PeerAuthentication sets a mode: Istio's default" : by.describe()).append(')');
        exceptions().forEach((port, m) -> sb.append(", port ").append(port).append(' ').append(m));
        return sb.toString();
    }
}

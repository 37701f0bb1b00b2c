package io.meshform.providers.istio.policy;

import java.util.List;

/**
 * Everything the reachability model reads of one mesh at one moment (the live cluster, or the live cluster as a
 * plan leaves it): the pods (clients and servers), the Services that select them, the PeerAuthentications and the
 * DestinationRules' TLS, the mesh config's root namespace and auto-mTLS switch, and the stack's outside callers.
 *
 * @param autoMtls        meshConfig {@code enableAutoMtls}
 * @param defaultExportTo meshConfig {@code defaultDestinationRuleExportTo}
 * @param domain the cluster's DNS domain (Service hosts are {@code name.namespace.svc.<domain>})
 */
public record MeshState(String rootNamespace, boolean autoMtls, List<String> defaultExportTo, String domain,
                        List<ReachPod> pods, List<ReachService> services, List<PeerPolicy> peers,
                        List<DestinationPolicy> rules, List<OutsideCaller> callers) {
    public MeshState {
        defaultExportTo = List.copyOf(defaultExportTo);
        pods = List.copyOf(pods);
        services = List.copyOf(services);
        peers = List.copyOf(peers);
        rules = List.copyOf(rules);
        callers = List.copyOf(callers);
    }

    public static final String DEFAULT_DOMAIN = "cluster.local";
}

package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.providers.istio.policy.PolicyAttachment;
import io.meshform.providers.istio.policy.PolicyTarget;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The EnvoyFilters that may rewrite what a gateway does with a request before or instead of its authorization. The
 * coverage verdict ({@link IngressAuthCoverage}) follows istiod's AuthorizationPolicy translation; an EnvoyFilter that
 * removes {@code envoy.filters.http.ext_authz}, puts a filter before it that answers the request, or turns it off on a
 * route changes the gateway's Envoy config after that translation, and the verdict no longer describes the gateway.
 *
 * <p>Which EnvoyFilters istiod applies to a proxy (Istio 1.30.3): those in the mesh config's root namespace and in the
 * proxy's own namespace ({@code PushContext.EnvoyFilters}, pilot/pkg/model/push_context.go) that
 * {@code ShouldAttachPolicy} attaches ({@link PolicyAttachment}, pilot/pkg/model/policyattachment.go): with no {@code targetRefs}, a missing
 * {@code workloadSelector} or one whose labels are a subset of the pod's; with {@code targetRefs}, nothing on a pod
 * without the label {@code gateway.networking.k8s.io/gateway-name}, and on a Gateway API gateway a target naming its
 * Gateway (selector-based policy on such a gateway is on by default, ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY). Unlike
 * a PeerAuthentication, a root-namespace EnvoyFilter with a selector applies in every namespace. Each patch then acts on
 * a gateway when its {@code match.context} is GATEWAY or ANY (the default; {@code patchContextMatch},
 * pilot/pkg/networking/core/envoyfilter/listener_patch.go). A {@code match.proxy} (version, metadata) is not judged:
 * the patch counts as if it matched.
 *
 * <p>The patches counted ({@link #AUTHORIZING}), from what each applyTo can change (istio/api
 * networking/v1alpha3/envoy_filter.proto, pilot/pkg/networking/core/envoyfilter): LISTENER, LISTENER_FILTER,
 * FILTER_CHAIN, NETWORK_FILTER and HTTP_FILTER change the filters a request passes (listener_patch.go), so the
 * ext_authz and RBAC filters istiod wrote; ROUTE_CONFIGURATION, VIRTUAL_HOST and HTTP_ROUTE (rc_patch.go) can turn
 * ext_authz off per route ({@code typed_per_filter_config}) or rewrite the path the backend sees; CLUSTER
 * (cluster_patch.go) can change where the check request goes, the auth proxy's cluster included; BOOTSTRAP can add
 * listeners and runtime settings. Only EXTENSION_CONFIG is left out: istiod adds such a config only under a name a
 * filter already asks for by discovery (extension_configuration_patch.go {@code InsertedExtensionConfigurations}, ADD
 * only), and istiod's ext_authz filter is written inline, not so asked for; a filter that asks is an HTTP_FILTER patch,
 * which counts.
 */
final class GatewayEnvoyFilters {
    /** What the warning says after the gateways' names when an EnvoyFilter patches them. */
    static final String NOT_KNOWN = " is not known: EnvoyFilter ";

    static final Set<String> AUTHORIZING = Set.of("LISTENER", "LISTENER_FILTER", "FILTER_CHAIN", "NETWORK_FILTER",
            "HTTP_FILTER", "ROUTE_CONFIGURATION", "VIRTUAL_HOST", "HTTP_ROUTE", "CLUSTER", "BOOTSTRAP");

    private GatewayEnvoyFilters() {
    }

    /**
     * An EnvoyFilter that applies to a gateway, and what its patches there do ({@code HTTP_FILTER REMOVE
     * envoy.filters.http.ext_authz}).
     */
    record Patching(String id, List<String> patches) {
        @Override
        public String toString() {
            return "EnvoyFilter " + id + " (" + String.join("; ", patches) + ")";
        }
    }

    /**
     * The EnvoyFilters among {@code filters} that patch a gateway pod in {@code namespace} with {@code labels}, served by
     * the istiod of {@code proxyRevision} (null: not known): that istiod reads the filter
     * ({@link io.meshform.providers.istio.policy.ConfigRevision#readBy}).
     */
    static List<Patching> on(List<JsonNode> filters, String namespace, Map<String, String> labels, String proxyRevision,
                             String root) {
        List<Patching> out = new ArrayList<>();
        for (JsonNode f : filters) {
            JsonNode md = f.path("metadata");
            String ns = Json.text(md, "namespace", "");
            JsonNode spec = f.path("spec");
            if (!PolicyAttachment.attaches(ns, Json.stringMap(spec.path("workloadSelector").get("labels")),
                    PolicyTarget.of(spec), namespace, labels, root)
                    || !io.meshform.providers.istio.policy.ConfigRevision.readBy(io.meshform.providers.istio.policy.ConfigRevision.of(f),
                    proxyRevision)) {
                continue;
            }
            List<String> patches = new ArrayList<>();
            for (JsonNode p : f.path("spec").path("configPatches")) {
                String applyTo = Json.text(p, "applyTo", "INVALID");
                String context = Json.text(p.path("match"), "context", "ANY");
                if (AUTHORIZING.contains(applyTo) && (context.equals("ANY") || context.equals("GATEWAY"))) {
                    patches.add(describe(p, applyTo));
                }
            }
            if (!patches.isEmpty()) {
                out.add(new Patching(ns + "/" + Json.text(md, "name", ""), patches));
            }
        }
        return out;
    }

    /** {@code HTTP_FILTER REMOVE envoy.filters.http.ext_authz}: the applyTo, operation and the name it matches. */
    private static String describe(JsonNode p, String applyTo) {
        JsonNode listener = p.path("match").path("listener");
        String name = Json.text(listener.path("filterChain").path("filter").path("subFilter"), "name", null);
        if (name == null) {
            name = Json.text(listener.path("filterChain").path("filter"), "name", null);
        }
        if (name == null) {
            name = Json.text(p.path("match").path("cluster"), "service", null);
        }
        return applyTo + " " + Json.text(p.path("patch"), "operation", "INVALID") + (name == null ? "" : " " + name);
    }

    /**
     * The warning for the gateways {@code patching} applies to: their coverage verdict is not known, whatever the table
     * says. In drift a warning is a finding (exit 2), in a plan {@code --strict} refuses it.
     */
    static Diagnostic unknown(List<Patching> patching, JudgedGateways gateways) {
        String names = String.join(", ", patching.stream().map(Patching::id).toList());
        return Diagnostic.warning("ingress coverage of " + gateways.names() + NOT_KNOWN + names
                        + " patches the gateway's Envoy config",
                String.join("; ", patching.stream().map(Patching::toString).toList())
                        + (patching.size() == 1 ? " applies to " : " apply to ") + gateways.named()
                        + " (an EnvoyFilter in the gateway's or the root namespace whose workloadSelector or targetRefs"
                        + " select it, patch context GATEWAY or ANY: PushContext.EnvoyFilters, pilot/pkg/model/push_context.go)."
                        + " istiod applies EnvoyFilter patches after it writes the ext_authz and RBAC filters the"
                        + " AuthorizationPolicies ask for, so a patch can remove the call to the auth proxy, answer the"
                        + " request before it, or turn it off on a route; the coverage table judged the AuthorizationPolicies"
                        + " alone. Check what the patches do to the gateway (istioctl proxy-config listener/route on its"
                        + " pod), then remove the EnvoyFilter or narrow it (workloadSelector, match.context) so it does not"
                        + " touch the gateway's listeners, routes or filters", null);
    }
}

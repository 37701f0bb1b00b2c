package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.install.ExtAuthzRules;
import io.meshform.providers.istio.policy.AuthzPolicy;
import io.meshform.providers.istio.policy.MeshConfigView;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The auth proxy a CUSTOM policy of the stack sends requests to must exist: istiod looks the provider's service up
 * by exact host name in its registry ({@code model.LookupCluster}, pilot/pkg/model/telemetry_logging.go, called by
 * {@code buildExtAuthzHTTP/GRPC} in pilot/pkg/security/authz/builder/extauthz.go). A Kubernetes Service is registered
 * as {@code <name>.<namespace>.svc.cluster.local}; without it istiod refuses the provider and the CUSTOM rules become
 * DENY rules (every request they match gets 403). The port is not checked by istiod: a port the Service does not
 * expose makes the ext_authz cluster unknown to Envoy, and each checked request fails with statusOnError (403 unless
 * set), or passes unchecked with failOpen. A Service the stack itself applies (a {@code kubernetes.manifest}) counts;
 * hosts that are not a Service's name (a ServiceEntry, an IP) are not judged. A dry-run CUSTOM policy sends nothing to
 * the auth proxy (its rules deny, {@link io.meshform.providers.istio.policy.GatewayAuthz}) and loses its rules when
 * istiod refuses the provider, so it is not judged either. The provider is read from the mesh config of each revision
 * whose istiod serves a running pod the policy attaches to ({@link ServingRevisions}), as that istiod reads it.
 */
public final class ExtAuthzServiceExists extends MeshCheck {
    private static final Pattern SERVICE_HOST = Pattern.compile("([a-z0-9]([-a-z0-9]*[a-z0-9])?)\\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)"
            + "\\.svc\\.cluster\\.local");

    ExtAuthzServiceExists(Function<CheckContext, PlannedMesh> mesh) {
        super("ext-authz-service", NEEDS_CLUSTER, mesh, ExtAuthzServiceExists::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        List<Diagnostic> out = new ArrayList<>();
        Map<String, PlannedObject> users = new TreeMap<>();
        Map<String, PlannedObject> services = new TreeMap<>();
        for (PlannedObject o : mesh.planned()) {
            JsonNode spec = o.object().path("spec");
            if ("AuthorizationPolicy".equals(o.kind()) && "CUSTOM".equals(Json.text(spec, "action"))
                    && Json.text(spec.path("provider"), "name") != null && !AuthzPolicy.isDryRun(o.object())) {
                users.putIfAbsent(Json.text(spec.path("provider"), "name"), o);
            }
            if ("Service".equals(o.kind()) && "v1".equals(o.apiVersion())) {
                services.put(o.namespace() + "/" + o.name(), o);
            }
        }
        java.util.Set<String> judged = new java.util.HashSet<>();
        users.forEach((name, policy) -> {
            for (ServingRevisions.Served served : ServingRevisions.of(mesh, policy.object())) {
                served.config().provider(name).ifPresent(provider -> {
                    // The same provider in two revisions' mesh configs is one auth proxy: said once, with the first's source.
                    if (judged.add(name + "\n" + ExtAuthzRules.settings(provider))) {
                        judge(mesh, name, policy, provider, served.config(), services, out);
                    }
                });
            }
        });
        return out;
    }

    private static void judge(PlannedMesh mesh, String name, PlannedObject policy, JsonNode provider, MeshConfigView config,
                              Map<String, PlannedObject> services, List<Diagnostic> out) {
        {
            JsonNode s = ExtAuthzRules.settings(provider);
            String host = s == null ? null : Json.text(s, "service");
            if (host == null) {
                return;
            }
            String lookup = host.contains("/") ? host.substring(host.indexOf('/') + 1) : host;
            if (lookup.endsWith(".") && SERVICE_HOST.matcher(lookup.substring(0, lookup.length() - 1)).matches()) {
                // Istio's validation allows a trailing dot (ValidateDNS1123Labels: "unambiguous names like istio.io."),
                // but LookupCluster looks host.Name(service) up as written, and Services are registered without it.
                out.add(Diagnostic.warning("auth proxy `" + name + "`: service `" + host + "` ends with a dot, which no"
                                + " Kubernetes Service's host name does, so istiod finds no service and every request "
                                + policy.decl().address() + " sends to it gets 403",
                        "istiod looks the ext_authz service up by its exact host name (LookupCluster,"
                                + " pilot/pkg/model/telemetry_logging.go, Istio 1.30.3), and a Kubernetes Service is registered as"
                                + " NAME.NAMESPACE.svc.cluster.local; write " + host.substring(0, host.length() - 1)
                                + " (" + config.source() + ")",
                        policy.range("/spec/provider/name")));
                return;
            }
            Matcher m = SERVICE_HOST.matcher(lookup);
            if (!m.matches()) {
                if (!lookup.contains(".") && !lookup.equals("*")) {
                    out.add(Diagnostic.warning("auth proxy `" + name + "`: service `" + host + "` is a short name, which"
                                    + " matches no Kubernetes Service, so every request " + policy.decl().address()
                                    + " sends to it gets 403",
                            "istiod finds an ext_authz service by its full host name (LookupCluster,"
                                    + " pilot/pkg/model/telemetry_logging.go): a Kubernetes Service is registered as"
                                    + " NAME.NAMESPACE.svc.cluster.local, so only a ServiceEntry with this exact host would"
                                    + " match. Write the Service's full name (" + config.source() + ")",
                            policy.range("/spec/provider/name")));
                }
                return;
            }
            String ns = m.group(3);
            String svc = m.group(1);
            String registry = host.contains("/") ? host.substring(0, host.indexOf('/')) : null;
            if (registry != null && !registry.equals(ns)) {
                // LookupCluster takes namespace/host as HostnameAndNamespace[host][namespace]: the namespace the Service
                // is registered in, which for a Kubernetes Service is the one in its host name.
                out.add(Diagnostic.warning("auth proxy `" + name + "`: service `" + host + "` names namespace " + registry
                                + ", but the Service of " + lookup + " is in " + ns + ", so istiod finds no service and every"
                                + " request " + policy.decl().address() + " sends to it gets 403",
                        "istiod looks namespace/host up among the Services registered in that namespace (LookupCluster,"
                                + " pilot/pkg/model/telemetry_logging.go, Istio 1.30.3); write " + ns + "/" + lookup
                                + " or just " + lookup + " (" + config.source() + ")",
                        policy.range("/spec/provider/name")));
                return;
            }
            long port = s.path("port").isIntegralNumber() ? s.get("port").longValue()
                    : s.path("port").isString() && s.get("port").asString().matches("\\d+") ? Long.parseLong(s.get("port").asString()) : -1;
            PlannedObject planned = services.get(ns + "/" + svc);
            List<Long> ports = new ArrayList<>();
            if (planned != null) {
                planned.object().path("spec").path("ports").forEach(p -> ports.add(p.path("port").asLong()));
            } else {
                ClusterView.Lookup<JsonNode> live = mesh.cluster().service(ns, svc);
                if (!live.known()) {
                    return;
                }
                if (live.absent()) {
                    // The stack's own Service, left out by --target or --exclude: say so, not "deploy it".
                    var leftOut = LeftOutOfPlan.service(mesh.context(), ns, svc);
                    out.add(Diagnostic.warning("auth proxy `" + name + "`: Service " + ns + "/" + svc + " does not exist"
                                    + leftOut.map(a -> " (" + a + " declares it, but this plan leaves it out)").orElse("")
                                    + ", so istiod refuses the provider and every request " + policy.decl().address()
                                    + " sends to it gets 403",
                            "istiod finds an ext_authz service by its host name (" + host + ") among the cluster's Services;"
                                    + " without it the CUSTOM policy's rules become DENY rules. " + (leftOut.isPresent()
                                    ? "Until " + leftOut.get() + " is applied: " + LeftOutOfPlan.advice(List.of(leftOut.get()))
                                    : "Deploy the auth proxy's Service (the Cortex installation does) before relying on this"
                                    + " policy, or fix the provider's service (" + config.source() + ")"),
                            policy.range("/spec/provider/name")));
                    return;
                }
                live.value().path("spec").path("ports").forEach(p -> ports.add(p.path("port").asLong()));
            }
            if (port > 0 && !ports.contains(port)) {
                out.add(Diagnostic.warning("auth proxy `" + name + "`: Service " + ns + "/" + svc + " has no port " + port
                                + " (it has " + ports + "), so every request " + policy.decl().address() + " sends to the"
                                + " auth proxy fails",
                        "istiod does not check the port; Envoy's ext_authz filter then finds no such cluster and answers each"
                                + " checked request with statusOnError (403 unless set), or lets it through unchecked with"
                                + " failOpen. Use the Service's port in the provider (" + config.source() + ")",
                        policy.range("/spec/provider/name")));
            }
        }
    }

    /** None: in drift the mesh config it reads is the live one ({@link PlannedMesh#meshConfig}), not the applied install. */
    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of();
    }
}

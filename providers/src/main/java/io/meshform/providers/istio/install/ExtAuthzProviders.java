package io.meshform.providers.istio.install;


import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.SpecChecker;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code istio.install}'s {@code extAuthz}: the auth proxies that CUSTOM AuthorizationPolicies send requests to,
 * registered as {@code envoyExtAuthzHttp} extension providers in meshConfig. The fields keep Istio's names, flattened
 * one level ({@code name, service, port} beside the envoyExtAuthzHttp settings), and are checked before istioctl sees
 * them: istiod accepts a broken provider and then denies every request the policy covers.
 */
public final class ExtAuthzProviders {
    public static final String FIELD = "extAuthz";
    static final List<String> HEADER_LISTS = List.of("includeRequestHeadersInCheck", "headersToUpstreamOnAllow",
            "headersToDownstreamOnAllow", "headersToDownstreamOnDeny");
    static final List<String> FIELDS = List.of("name", "service", "port", "includeRequestHeadersInCheck",
            "includeAdditionalHeadersInCheck", "headersToUpstreamOnAllow", "headersToDownstreamOnAllow",
            "headersToDownstreamOnDeny", "pathPrefix", "timeout", "failOpen", "statusOnError", "includeRequestBodyInCheck");

    private ExtAuthzProviders() {
    }

    /**
     * The structure of {@code extAuthz} and, for it and the ext_authz entries of {@code meshConfig.extensionProviders},
     * the rules istiod applies at every push ({@link ExtAuthzRules}): breaking one is an error here, since istiod would
     * turn the CUSTOM policies that use the provider into DENY rules.
     */
    public static void validate(SpecChecker c, JsonNode spec) {
        JsonNode mesh = spec.path("meshConfig").path("extensionProviders");
        if (mesh.isArray()) {
            List<JsonNode> providers = new java.util.ArrayList<>();
            mesh.forEach(providers::add);
            for (ExtAuthzRules.Problem r : ExtAuthzRules.checkAll(providers)) {
                c.error("/meshConfig/extensionProviders" + r.pointer(), r.message(), REFUSED);
            }
        }
        JsonNode list = spec.get(FIELD);
        if (list == null || list.isNull()) {
            return;
        }
        if (!list.isArray()) {
            c.error("/" + FIELD, "`extAuthz` must be a list of providers", "e.g. extAuthz: [{name: cortex-auth-proxy, service: ..., port: 8080}]");
            return;
        }
        Set<String> names = new HashSet<>();
        for (JsonNode p : spec.path("meshConfig").path("extensionProviders")) {
            if (Json.text(p, "name") != null) {
                names.add(Json.text(p, "name"));
            }
        }
        for (int i = 0; i < list.size(); i++) {
            String at = "/" + FIELD + "/" + i;
            JsonNode p = list.get(i);
            if (!c.object(p, at, "an extAuthz provider")) {
                continue;
            }
            c.knownKeys(p, at, "extAuthz provider", FIELDS);
            String name = c.string(p, at, "name", true);
            if (name != null && !names.add(name)) {
                c.error(at + "/name", "extension provider `" + name + "` is declared twice",
                        "Istio would keep only the later one (its mesh config merges providers by name); names must be unique"
                                + " across extAuthz and meshConfig.extensionProviders");
            }
            String service = c.string(p, at, "service", true);
            if (service != null && service.contains("://")) {
                c.error(at + "/service", "service is a host name, not a URL: found `" + service + "`",
                        "write the Kubernetes service host, e.g. cortex-auth-proxy.cortex.svc.cluster.local; the scheme is always HTTP");
            }
            port(c, p, at);
            for (String h : HEADER_LISTS) {
                stringList(c, p, at, h);
            }
            JsonNode timeout = p.get("timeout");
            if (timeout != null && !timeout.isNull() && !(timeout.isString() && timeout.asString().matches(DURATION))) {
                c.error(at + "/timeout", "timeout must be a duration such as \"500ms\" or \"10s\"", "found "
                        + SpecChecker.describe(timeout) + " (Istio reads it with Go's time.ParseDuration)");
            }
            c.bool(p, at, "failOpen");
            JsonNode status = p.get("statusOnError");
            if (status != null && !status.isNull() && !status.isString()) {
                c.error(at + "/statusOnError", "statusOnError must be an HTTP status code as a string, e.g. \"503\"",
                        "found " + SpecChecker.describe(status));
            }
            c.string(p, at, "pathPrefix", false);
            if (p.has("includeRequestBodyInCheck") && !p.get("includeRequestBodyInCheck").isObject()) {
                c.error(at + "/includeRequestBodyInCheck", "includeRequestBodyInCheck must be a map",
                        "e.g. {maxRequestBytes: 4096, allowPartialMessage: true}");
            }
            if (c.problems().stream().noneMatch(x -> x.path().startsWith(at + "/") && !x.warning())) {
                for (ExtAuthzRules.Problem r : ExtAuthzRules.check(meshForm(p))) {
                    if (!r.pointer().endsWith("/port")) { // checked above, with the stack's own words
                        c.error(at + r.pointer().replaceFirst("^/envoyExtAuthzHttp", ""), r.message(), REFUSED);
                    }
                }
            }
        }
    }

    /** Go's time.ParseDuration syntax, which Istio's mesh config parser (jsonpb) uses for a Duration. */
    static final String DURATION = "0|([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|\u00b5s|ms|s|m|h)(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|\u00b5s|ms|s|m|h))*";

    /** What the error says happens: istiod accepts the mesh config, then refuses the provider at every push. */
    static final String REFUSED = "istiod accepts the mesh config but refuses this provider, and turns every CUSTOM "
            + "AuthorizationPolicy that names it into DENY rules: each request those rules match gets 403";

    /** One extAuthz entry in mesh-config form, for {@link ExtAuthzRules}. */
    private static JsonNode meshForm(JsonNode p) {
        ObjectNode provider = Json.object();
        provider.put("name", Json.text(p, "name"));
        ObjectNode http = provider.putObject("envoyExtAuthzHttp");
        p.properties().forEach(e -> {
            if (!e.getKey().equals("name")) {
                http.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        return provider;
    }

    private static void port(SpecChecker c, JsonNode p, String at) {
        JsonNode port = p.get("port");
        if (port == null || port.isNull()) {
            c.error(at + "/port", "missing required field `port`", "the auth proxy's HTTP port, e.g. port: 8080");
            return;
        }
        long value = -1;
        if (port.isIntegralNumber()) {
            value = port.longValue();
        } else if (port.isString() && port.asString().matches("\\d{1,5}")) {
            value = Long.parseLong(port.asString()); // "${var.port}" interpolates to a string
        }
        if (value < 1 || value > 65535) {
            c.error(at + "/port", "port must be a number from 1 to 65535", "found " + SpecChecker.describe(port));
        }
    }

    private static void stringList(SpecChecker c, JsonNode p, String at, String key) {
        JsonNode v = p.get(key);
        if (v == null || v.isNull()) {
            return;
        }
        if (!v.isArray()) {
            c.error(at + "/" + key, "`" + key + "` must be a list of header names", "e.g. " + key + ": [authorization, cookie]");
            return;
        }
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isString() || v.get(i).asString().isBlank()) {
                c.error(at + "/" + key + "/" + i, "header names are non-empty strings", "found " + SpecChecker.describe(v.get(i)));
            }
        }
    }

    /** A risky auth proxy setting: where it is (a JSON pointer under the spec), what is wrong, what to do. */
    public record Risk(String pointer, String summary, String detail) {
    }

    /**
     * The risky settings of an auth proxy provider in mesh-config form ({@code {name, envoyExtAuthzHttp|Grpc: {...}}}),
     * for the mesh safety check: {@code failOpen} lets requests in while the proxy is down, and a missing {@code timeout}
     * means istiod's 600 s ({@code timeoutOrDefault}, pilot/pkg/security/authz/builder/extauthz.go; istio/api
     * mesh/v1alpha1/config.proto "default timeout: 600s"), so a hanging proxy holds each request for ten minutes.
     * Pointers are under the provider.
     */
    public static List<Risk> risks(JsonNode provider) {
        List<Risk> out = new java.util.ArrayList<>();
        String kind = ExtAuthzRules.kind(provider);
        if (kind == null) {
            return out;
        }
        JsonNode s = provider.get(kind);
        String name = Json.text(provider, "name");
        if (s.path("failOpen").isBoolean() && s.get("failOpen").booleanValue()) {
            out.add(new Risk("/" + kind + "/failOpen", "auth proxy " + name + ": failOpen lets requests through when the proxy"
                    + " cannot be reached or answers with an error",
                    "keep it off for ingress authentication: an outage of the proxy would open every protected path"));
        }
        JsonNode timeout = s.get("timeout");
        if (timeout == null || timeout.isNull() || (timeout.isString() && timeout.asString().isBlank())) {
            out.add(new Risk("/" + kind, "auth proxy " + name + ": no timeout on the ext_authz call, so Istio's default of 600s"
                    + " applies", "istiod sets 600s when the provider sets none (timeoutOrDefault in"
                    + " pilot/pkg/security/authz/builder/extauthz.go): a proxy that hangs holds every checked request for up to"
                    + " ten minutes; set timeout (e.g. timeout: 5s), after which the request gets statusOnError (403 unless set)"));
        }
        return out;
    }

    /** The stack's providers in mesh-config form, with the pointer (under the install spec) each was written at. */
    public static List<java.util.Map.Entry<String, JsonNode>> declared(JsonNode spec) {
        List<java.util.Map.Entry<String, JsonNode>> out = new java.util.ArrayList<>();
        JsonNode list = spec.path(FIELD);
        for (int i = 0; i < list.size(); i++) {
            out.add(java.util.Map.entry("/" + FIELD + "/" + i, meshForm(list.get(i))));
        }
        JsonNode mesh = spec.path("meshConfig").path("extensionProviders");
        for (int i = 0; i < mesh.size(); i++) {
            out.add(java.util.Map.entry("/meshConfig/extensionProviders/" + i, mesh.get(i)));
        }
        return out;
    }

    /** The providers in meshConfig form: {@code {name, envoyExtAuthzHttp: {service, port, ...}}}. */
    public static ArrayNode extensionProviders(JsonNode spec) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (JsonNode p : spec.path(FIELD)) {
            ObjectNode provider = out.addObject();
            provider.put("name", Json.text(p, "name"));
            ObjectNode http = provider.putObject("envoyExtAuthzHttp");
            p.properties().forEach(e -> {
                if (e.getKey().equals("port") && e.getValue().isString()) {
                    http.put("port", Long.parseLong(e.getValue().asString()));
                } else if (!e.getKey().equals("name")) {
                    http.set(e.getKey(), e.getValue().deepCopy());
                }
            });
        }
        return out;
    }

    /** Names of the providers the spec declares, in extAuthz and in meshConfig.extensionProviders. */
    public static Set<String> names(JsonNode spec) {
        Set<String> out = new java.util.TreeSet<>();
        for (JsonNode p : spec.path("meshConfig").path("extensionProviders")) {
            if (Json.text(p, "name") != null) {
                out.add(Json.text(p, "name"));
            }
        }
        for (JsonNode p : spec.path(FIELD)) {
            if (Json.text(p, "name") != null) {
                out.add(Json.text(p, "name"));
            }
        }
        return out;
    }
}

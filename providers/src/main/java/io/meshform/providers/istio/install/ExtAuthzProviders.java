package io.meshform.providers.istio.install;

import io.meshform.providers.istio.checks.MeshChecks;

import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.SpecChecker;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
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

    public static void validate(SpecChecker c, JsonNode spec) {
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
                        "names must be unique across extAuthz and meshConfig.extensionProviders");
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
            if (timeout != null && !timeout.isNull() && !(timeout.isString() && timeout.asString().matches("\\d+(\\.\\d+)?(ms|s|m|h)"))) {
                c.error(at + "/timeout", "timeout must be a duration such as \"600ms\" or \"10s\"", "found " + SpecChecker.describe(timeout));
            }
            c.bool(p, at, "failOpen");
            JsonNode status = p.get("statusOnError");
            if (status != null && !status.isNull() && !(status.isString() && status.asString().matches("[1-5]\\d\\d"))) {
                c.error(at + "/statusOnError", "statusOnError must be an HTTP status code as a string, e.g. \"503\"",
                        "found " + SpecChecker.describe(status));
            }
            c.string(p, at, "pathPrefix", false);
            if (p.has("includeRequestBodyInCheck") && !p.get("includeRequestBodyInCheck").isObject()) {
                c.error(at + "/includeRequestBodyInCheck", "includeRequestBodyInCheck must be a map",
                        "e.g. {maxRequestBytes: 4096, allowPartialMessage: true}");
            }
        }
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
     * The mesh safety check of the auth proxies ({@link MeshChecks}): deny headers that drop {@code location} break
     * the OIDC login redirect, and {@code failOpen} lets requests in while the proxy is down.
     */
    public static List<Risk> risks(JsonNode spec) {
        List<Risk> out = new java.util.ArrayList<>();
        JsonNode list = spec.path(FIELD);
        for (int i = 0; i < list.size(); i++) {
            JsonNode p = list.get(i);
            String name = Json.text(p, "name");
            JsonNode deny = p.get("headersToDownstreamOnDeny");
            if (deny != null && deny.isArray() && !deny.isEmpty() && !containsHeader(deny, "location")) {
                out.add(new Risk("/" + FIELD + "/" + i + "/headersToDownstreamOnDeny",
                        "auth proxy " + name + ": headersToDownstreamOnDeny does not pass `location` on",
                        "the proxy's OIDC redirect then reaches the browser without a Location header, so users are never"
                                + " sent to log in; add location (and set-cookie), or leave the list out to pass all headers"));
            }
            if (p.path("failOpen").isBoolean() && p.get("failOpen").booleanValue()) {
                out.add(new Risk("/" + FIELD + "/" + i + "/failOpen",
                        "auth proxy " + name + ": failOpen lets requests through when the proxy cannot be reached",
                        "keep it off for ingress authentication: an outage of the proxy would open every protected path"));
            }
        }
        return out;
    }

    private static boolean containsHeader(JsonNode list, String header) {
        for (JsonNode h : list) {
            if (h.isString() && h.asString().toLowerCase(Locale.ROOT).equals(header)) {
                return true;
            }
        }
        return false;
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

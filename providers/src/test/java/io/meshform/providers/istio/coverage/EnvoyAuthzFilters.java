package io.meshform.providers.istio.coverage;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Test code standing in for Envoy (which does not run in the test bed): evaluates, on one request, the HTTP RBAC and
 * ext_authz filters istiod sends to a gateway, as the proxy-config probe prints them (Envoy JSON, proto field names).
 * It is deliberately independent of meshform's model so it can disagree with it. Envoy semantics it follows
 * (envoy/config/rbac/v3/rbac.proto and envoy/extensions/filters/http/rbac/v3/rbac.proto comments in go-control-plane):
 * <ul>
 *   <li>a policy matches when any permission and any principal match; {@code rules} enforce (ALLOW: 403 unless a
 *       policy matches; DENY: 403 if one does); {@code shadow_rules} only record the matched policy's name as
 *       dynamic metadata {@code <shadow_rules_stat_prefix>shadow_effective_policy_id} of filter
 *       {@code envoy.filters.http.rbac};</li>
 *   <li>ext_authz with {@code filter_enabled_metadata} runs only when that metadata matches (then: the auth proxy);</li>
 *   <li>permissions: {@code any}, {@code and_rules}, {@code or_rules}, {@code not_rule}, {@code header} (string_match
 *       exact/prefix/suffix/contains/safe_regex with ignore_case, present_match), {@code url_path} (the path without
 *       query), {@code uri_template} ({@code *} one segment, {@code **} the rest), {@code destination_port};
 *       principals: {@code any}, {@code and_ids}, {@code or_ids}, {@code not_id}. Anything else fails the test.</li>
 * </ul>
 */
final class EnvoyAuthzFilters {

    enum Result { AUTH_PROXY, DENIED, LET_THROUGH }

    /** The request after Envoy's path normalization: {@code path} with its query, as {@code :path} holds it. */
    record Request(String method, String authority, String path, int port) {
        String urlPath() {
            int q = path.indexOf('?');
            return q < 0 ? path : path.substring(0, q);
        }
    }

    private EnvoyAuthzFilters() {
    }

    static Result evaluate(JsonNode filters, Request r) {
        Map<String, String> metadata = new HashMap<>();
        for (JsonNode f : filters) {
            JsonNode c = f.get("config");
            switch (f.get("name").asString()) {
                case "envoy.filters.http.rbac" -> {
                    if (c.has("rules")) {
                        boolean matched = firstMatch(c.get("rules").path("policies"), r) != null;
                        String action = c.get("rules").path("action").asString("ALLOW");
                        if (action.equals("ALLOW") && !matched || action.equals("DENY") && matched) {
                            return Result.DENIED;
                        }
                    }
                    if (c.has("shadow_rules")) {
                        String name = firstMatch(c.get("shadow_rules").path("policies"), r);
                        if (name != null) {
                            metadata.put(c.path("shadow_rules_stat_prefix").asString("") + "shadow_effective_policy_id", name);
                        }
                    }
                }
                case "envoy.filters.http.ext_authz" -> {
                    JsonNode m = c.get("filter_enabled_metadata");
                    if (m == null || metadataMatches(m, metadata)) {
                        return Result.AUTH_PROXY;
                    }
                }
                default -> throw new AssertionError("unexpected filter " + f.get("name"));
            }
        }
        return Result.LET_THROUGH;
    }

    private static boolean metadataMatches(JsonNode m, Map<String, String> metadata) {
        if (!m.path("filter").asString().equals("envoy.filters.http.rbac") || m.path("path").size() != 1) {
            throw new AssertionError("unexpected metadata matcher " + m);
        }
        String v = metadata.get(m.path("path").get(0).path("key").asString());
        return v != null && string(m.path("value").path("string_match"), v);
    }

    private static String firstMatch(JsonNode policies, Request r) {
        for (var e : policies.properties()) {
            JsonNode p = e.getValue();
            if (any(p.path("permissions"), x -> permission(x, r)) && any(p.path("principals"), EnvoyAuthzFilters::principal)) {
                return e.getKey();
            }
        }
        return null;
    }

    private static boolean any(JsonNode list, java.util.function.Predicate<JsonNode> test) {
        for (JsonNode n : list) {
            if (test.test(n)) {
                return true;
            }
        }
        return false;
    }

    private static boolean permission(JsonNode p, Request r) {
        if (p.has("any")) {
            return p.get("any").asBoolean();
        }
        if (p.has("and_rules")) {
            for (JsonNode x : p.get("and_rules").path("rules")) {
                if (!permission(x, r)) {
                    return false;
                }
            }
            return true;
        }
        if (p.has("or_rules")) {
            return any(p.get("or_rules").path("rules"), x -> permission(x, r));
        }
        if (p.has("not_rule")) {
            return !permission(p.get("not_rule"), r);
        }
        if (p.has("header")) {
            JsonNode h = p.get("header");
            String value = switch (h.path("name").asString()) {
                case ":authority", "host" -> r.authority();
                case ":method" -> r.method();
                case ":path" -> r.path();
                default -> null;
            };
            boolean m = value != null && (h.path("present_match").asBoolean(false) || h.has("string_match") && string(h.get("string_match"), value));
            return h.path("invert_match").asBoolean(false) != m;
        }
        if (p.has("url_path")) {
            return string(p.get("url_path").path("path"), r.urlPath());
        }
        if (p.has("uri_template")) {
            String t = p.get("uri_template").path("typed_config").path("path_template").asString();
            return template(t).matcher(r.urlPath()).matches();
        }
        if (p.has("destination_port")) {
            return p.get("destination_port").asInt() == r.port();
        }
        throw new AssertionError("unsupported permission " + p);
    }

    private static boolean principal(JsonNode p) {
        if (p.has("any")) {
            return p.get("any").asBoolean();
        }
        if (p.has("and_ids")) {
            for (JsonNode x : p.get("and_ids").path("ids")) {
                if (!principal(x)) {
                    return false;
                }
            }
            return true;
        }
        if (p.has("or_ids")) {
            return any(p.get("or_ids").path("ids"), EnvoyAuthzFilters::principal);
        }
        if (p.has("not_id")) {
            return !principal(p.get("not_id"));
        }
        throw new AssertionError("the test's policies use no sources; unsupported principal " + p);
    }

    static boolean string(JsonNode m, String in) {
        boolean ic = m.path("ignore_case").asBoolean(false);
        String v = ic ? in.toLowerCase(Locale.ROOT) : in;
        java.util.function.Function<String, String> c = s -> ic ? s.toLowerCase(Locale.ROOT) : s;
        if (m.has("exact")) {
            return v.equals(c.apply(m.get("exact").asString()));
        }
        if (m.has("prefix")) {
            return v.startsWith(c.apply(m.get("prefix").asString()));
        }
        if (m.has("suffix")) {
            return v.endsWith(c.apply(m.get("suffix").asString()));
        }
        if (m.has("contains")) {
            return v.contains(c.apply(m.get("contains").asString()));
        }
        if (m.has("safe_regex")) {
            return Pattern.compile(m.get("safe_regex").path("regex").asString(), ic ? Pattern.CASE_INSENSITIVE : 0).matcher(in).matches();
        }
        throw new AssertionError("unsupported string matcher " + m);
    }

    /** Envoy's uri_template: {@code **} any run of path characters and '/', {@code *} one non-empty segment. */
    private static Pattern template(String t) {
        StringBuilder re = new StringBuilder();
        for (String part : t.split("(?=\\*)|(?<=\\*)")) {
            re.append(part.equals("*") ? "\u0000" : Pattern.quote(part));
        }
        return Pattern.compile(re.toString().replace("\u0000\u0000", "[^?#]*").replace("\u0000", "[^/?#]+"));
    }
}

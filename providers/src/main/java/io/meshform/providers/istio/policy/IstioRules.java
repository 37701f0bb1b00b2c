package io.meshform.providers.istio.policy;

import io.meshform.providers.kubernetes.SpecChecker;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Istio's own validation rules for the security policies, so mistakes show at plan time with a file position. */
public final class IstioRules {
    public static final List<String> MTLS_MODES = List.of("UNSET", "DISABLE", "PERMISSIVE", "STRICT");
    public static final List<String> ACTIONS = List.of("ALLOW", "DENY", "AUDIT", "CUSTOM");
    public static final List<String> PEER_FIELDS = List.of("selector", "mtls", "portLevelMtls");
    public static final List<String> REQUEST_FIELDS = List.of("selector", "targetRef", "targetRefs", "jwtRules");
    public static final List<String> AUTHZ_FIELDS = List.of("selector", "targetRef", "targetRefs", "action", "provider", "rules");
    public static final List<String> TELEMETRY_FIELDS = List.of("selector", "targetRef", "targetRefs", "tracing", "accessLogging",
            "metrics");
    public static final List<String> TRACING_FIELDS = List.of("match", "providers", "customTags", "disableSpanReporting",
            "randomSamplingPercentage", "useRequestIdForTraceSampling", "enableIstioTags");
    public static final List<String> ACCESS_LOGGING_FIELDS = List.of("match", "providers", "disabled", "filter");
    public static final List<String> METRICS_FIELDS = List.of("providers", "overrides", "reportingInterval");
    public static final List<String> JWT_RULE_FIELDS = List.of("issuer", "audiences", "jwksUri", "jwks", "fromHeaders", "fromParams",
            "fromCookies", "outputPayloadToHeader", "forwardOriginalToken", "outputClaimToHeaders", "timeout");
    public static final List<String> SOURCE_FIELDS = List.of("principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals",
            "namespaces", "notNamespaces", "ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks",
            "serviceAccounts", "notServiceAccounts");
    public static final List<String> OPERATION_FIELDS = List.of("hosts", "notHosts", "ports", "notPorts", "methods", "notMethods",
            "paths", "notPaths");

    private IstioRules() {
    }

    /** selector: {matchLabels: {..}}; returns true when it has at least one label. */
    static boolean selector(JsonNode spec, SpecChecker c) {
        JsonNode sel = spec.get("selector");
        if (sel == null || sel.isNull()) {
            return false;
        }
        if (!c.object(sel, "/selector", "`selector`")) {
            return false;
        }
        c.knownKeys(sel, "/selector", "selector", List.of("matchLabels"));
        JsonNode ml = sel.get("matchLabels");
        if (ml == null || ml.isNull() || (ml.isObject() && ml.isEmpty())) {
            c.error("/selector/matchLabels", "`selector.matchLabels` must name at least one label",
                    "leave out `selector` to select every workload in the namespace");
            return false;
        }
        c.labelMap(sel, "/selector", "matchLabels", true);
        if (ml.isObject()) {
            for (String k : ml.propertyNames()) {
                if (k.contains("*") || ml.get(k).asString().contains("*")) {
                    c.error("/selector/matchLabels/" + k, "wildcards are not allowed in a workload selector");
                }
            }
        }
        return ml.isObject();
    }

    static void selectorOrTarget(JsonNode spec, SpecChecker c) {
        if (spec.has("selector") && (spec.has("targetRef") || spec.has("targetRefs"))) {
            c.error("/targetRef", "only one of `selector`, `targetRef` or `targetRefs` may be set");
        }
        if (spec.has("targetRef") && spec.has("targetRefs")) {
            c.error("/targetRefs", "only one of `targetRef` or `targetRefs` may be set");
        }
    }

    /** PeerAuthentication: mtls.mode values; portLevelMtls needs a selector, ports 1..65535. */
    public static void peerAuthentication(JsonNode spec, SpecChecker c) {
        boolean hasSelector = selector(spec, c);
        JsonNode mtls = spec.get("mtls");
        if (mtls != null && !mtls.isNull() && c.object(mtls, "/mtls", "`mtls`")) {
            c.knownKeys(mtls, "/mtls", "mtls", List.of("mode"));
            c.oneOf(mtls, "/mtls", "mode", false, MTLS_MODES);
        }
        JsonNode ports = spec.get("portLevelMtls");
        if (ports == null || ports.isNull() || !c.object(ports, "/portLevelMtls", "`portLevelMtls`")) {
            return;
        }
        if (!hasSelector && !ports.isEmpty()) {
            c.error("/portLevelMtls", "portLevelMtls requires a selector",
                    "Istio applies port-level mTLS only to selected workloads; add selector.matchLabels");
        }
        for (Map.Entry<String, JsonNode> e : ports.properties()) {
            String at = "/portLevelMtls/" + e.getKey();
            int port;
            try {
                port = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                c.error(at, "port \"" + e.getKey() + "\" must be a number from 1 to 65535");
            }
            if (c.object(e.getValue(), at, "the mTLS setting of port " + e.getKey())) {
                c.knownKeys(e.getValue(), at, "portLevelMtls", List.of("mode"));
                c.oneOf(e.getValue(), at, "mode", true, MTLS_MODES);
            }
        }
    }

    /** RequestAuthentication: each JWT rule needs an issuer; jwksUri is http(s) and excludes inline jwks. */
    public static void requestAuthentication(JsonNode spec, SpecChecker c) {
        selector(spec, c);
        selectorOrTarget(spec, c);
        JsonNode rules = spec.get("jwtRules");
        if (rules == null || rules.isNull()) {
            return;
        }
        if (!rules.isArray()) {
            c.error("/jwtRules", "`jwtRules` must be a list", "found " + SpecChecker.describe(rules));
            return;
        }
        for (int i = 0; i < rules.size(); i++) {
            String at = "/jwtRules/" + i;
            JsonNode r = rules.get(i);
            if (!c.object(r, at, "a JWT rule")) {
                continue;
            }
            c.knownKeys(r, at, "jwtRules", JWT_RULE_FIELDS);
            c.string(r, at, "issuer", true);
            String uri = c.string(r, at, "jwksUri", false);
            String jwks = c.string(r, at, "jwks", false);
            if (uri != null) {
                jwksUri(uri, at + "/jwksUri", c);
            }
            if (uri != null && jwks != null) {
                c.error(at + "/jwks", "set either `jwksUri` or inline `jwks`, not both");
            }
            c.bool(r, at, "forwardOriginalToken");
            JsonNode headers = r.get("fromHeaders");
            if (headers != null && !headers.isNull()) {
                if (!headers.isArray()) {
                    c.error(at + "/fromHeaders", "`fromHeaders` must be a list of {name, prefix}");
                } else {
                    for (int h = 0; h < headers.size(); h++) {
                        String hp = at + "/fromHeaders/" + h;
                        if (c.object(headers.get(h), hp, "a header location")) {
                            c.knownKeys(headers.get(h), hp, "fromHeaders", List.of("name", "prefix"));
                            c.string(headers.get(h), hp, "name", true);
                            c.string(headers.get(h), hp, "prefix", false);
                        }
                    }
                }
            }
            stringList(r, at, "fromCookies", c);
            stringList(r, at, "fromParams", c);
            stringList(r, at, "audiences", c);
        }
    }

    static void jwksUri(String uri, String path, SpecChecker c) {
        try {
            URI u = new URI(uri);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase();
            if (!scheme.equals("http") && !scheme.equals("https")) {
                c.error(path, "jwksUri must be an http or https URL, not \"" + uri + "\"",
                        "for a key set in the file, use `jwks` instead");
            } else if (u.getHost() == null || u.getHost().isBlank()) {
                c.error(path, "jwksUri \"" + uri + "\" has no host");
            }
        } catch (URISyntaxException e) {
            c.error(path, "jwksUri \"" + uri + "\" is not a valid URL: " + e.getReason());
        }
    }

    static void stringList(JsonNode parent, String at, String key, SpecChecker c) {
        JsonNode v = parent.get(key);
        if (v == null || v.isNull()) {
            return;
        }
        if (!v.isArray()) {
            c.error(at + "/" + key, "`" + key + "` must be a list of strings", "found " + SpecChecker.describe(v));
            return;
        }
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isString() || v.get(i).asString().isEmpty()) {
                c.error(at + "/" + key + "/" + i, "each entry of `" + key + "` must be a non-empty string");
            }
        }
    }

    /**
     * Telemetry: tracing, accessLogging and metrics are lists whose entries name providers ({@code [{name}]}, names
     * non-empty); a tracing entry's randomSamplingPercentage is a number from 0 to 100.
     */
    public static void telemetry(JsonNode spec, SpecChecker c) {
        selector(spec, c);
        selectorOrTarget(spec, c);
        telemetryList(spec, "tracing", TRACING_FIELDS, c);
        telemetryList(spec, "accessLogging", ACCESS_LOGGING_FIELDS, c);
        telemetryList(spec, "metrics", METRICS_FIELDS, c);
    }

    private static void telemetryList(JsonNode spec, String key, List<String> fields, SpecChecker c) {
        JsonNode list = spec.get(key);
        if (list == null || list.isNull()) {
            return;
        }
        if (!list.isArray()) {
            c.error("/" + key, "`" + key + "` must be a list", "found " + SpecChecker.describe(list)
                    + "; e.g. " + key + ": [{providers: [{name: ...}]}]");
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String at = "/" + key + "/" + i;
            JsonNode entry = list.get(i);
            if (!c.object(entry, at, "an entry of `" + key + "`")) {
                continue;
            }
            c.knownKeys(entry, at, key, fields);
            providers(entry, at, c);
            JsonNode pct = entry.get("randomSamplingPercentage");
            if (pct != null && !pct.isNull()) {
                if (!pct.isNumber()) {
                    c.error(at + "/randomSamplingPercentage", "randomSamplingPercentage must be a number from 0 to 100",
                            "found " + SpecChecker.describe(pct));
                } else if (pct.doubleValue() < 0 || pct.doubleValue() > 100) {
                    c.error(at + "/randomSamplingPercentage", "randomSamplingPercentage must be from 0 to 100, not "
                            + pct.asString(), "it is a percentage of requests: 1.0 traces one request in a hundred");
                }
            }
            for (String flag : List.of("disableSpanReporting", "disabled", "useRequestIdForTraceSampling", "enableIstioTags")) {
                if (fields.contains(flag)) {
                    c.bool(entry, at, flag);
                }
            }
        }
    }

    /** providers: [{name}] with non-empty names (they refer to meshConfig.extensionProviders). */
    private static void providers(JsonNode entry, String at, SpecChecker c) {
        JsonNode providers = entry.get("providers");
        if (providers == null || providers.isNull()) {
            return;
        }
        if (!providers.isArray()) {
            c.error(at + "/providers", "`providers` must be a list of {name}", "found " + SpecChecker.describe(providers));
            return;
        }
        for (int p = 0; p < providers.size(); p++) {
            String pp = at + "/providers/" + p;
            if (c.object(providers.get(p), pp, "a provider")) {
                c.knownKeys(providers.get(p), pp, "providers", List.of("name"));
                c.string(providers.get(p), pp, "name", true);
            }
        }
    }

    /** AuthorizationPolicy: action values; CUSTOM needs provider.name and rules; provider only with CUSTOM. */
    public static void authorizationPolicy(JsonNode spec, SpecChecker c) {
        selector(spec, c);
        selectorOrTarget(spec, c);
        String action = c.oneOf(spec, "", "action", false, ACTIONS);
        JsonNode provider = spec.get("provider");
        boolean custom = "CUSTOM".equals(action);
        if (provider != null && !provider.isNull()) {
            if (!custom) {
                c.error("/provider", "`provider` is only allowed with action CUSTOM", "set action: CUSTOM or remove provider");
            }
            if (c.object(provider, "/provider", "`provider`")) {
                c.knownKeys(provider, "/provider", "provider", List.of("name"));
                c.string(provider, "/provider", "name", true);
            }
        } else if (custom) {
            c.error("/action", "action CUSTOM requires `provider: {name: ...}`",
                    "name an extension provider declared in the Istio install's meshConfig.extensionProviders");
        }
        JsonNode rules = spec.get("rules");
        if (custom && (rules == null || rules.isNull() || (rules.isArray() && rules.isEmpty()))) {
            c.error("/rules", "action CUSTOM without `rules` never triggers",
                    "add an empty rule `- {}` to send every request to the provider");
        }
        if (rules == null || rules.isNull()) {
            return;
        }
        if (!rules.isArray()) {
            c.error("/rules", "`rules` must be a list", "found " + SpecChecker.describe(rules));
            return;
        }
        for (int i = 0; i < rules.size(); i++) {
            rule(rules.get(i), "/rules/" + i, c);
        }
    }

    private static void rule(JsonNode rule, String at, SpecChecker c) {
        if (!c.object(rule, at, "a rule")) {
            return;
        }
        c.knownKeys(rule, at, "rules", List.of("from", "to", "when"));
        clauses(rule, at, "from", "source", SOURCE_FIELDS, c);
        clauses(rule, at, "to", "operation", OPERATION_FIELDS, c);
        JsonNode when = rule.get("when");
        if (when == null || when.isNull()) {
            return;
        }
        if (!when.isArray()) {
            c.error(at + "/when", "`when` must be a list of {key, values | notValues}");
            return;
        }
        for (int i = 0; i < when.size(); i++) {
            String wp = at + "/when/" + i;
            JsonNode w = when.get(i);
            if (!c.object(w, wp, "a condition")) {
                continue;
            }
            c.knownKeys(w, wp, "when", List.of("key", "values", "notValues"));
            c.string(w, wp, "key", true);
            stringList(w, wp, "values", c);
            stringList(w, wp, "notValues", c);
            if (!w.has("values") && !w.has("notValues")) {
                c.error(wp, "a condition needs `values` or `notValues`");
            }
        }
    }

    private static void clauses(JsonNode rule, String at, String key, String inner, List<String> fields, SpecChecker c) {
        JsonNode list = rule.get(key);
        if (list == null || list.isNull()) {
            return;
        }
        if (!list.isArray() || list.isEmpty()) {
            c.error(at + "/" + key, "`" + key + "` must be a non-empty list of {" + inner + ": ...}");
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String p = at + "/" + key + "/" + i;
            if (!c.object(list.get(i), p, "an entry of `" + key + "`")) {
                continue;
            }
            c.knownKeys(list.get(i), p, key, List.of(inner));
            JsonNode body = list.get(i).get(inner);
            if (body == null || !body.isObject() || body.isEmpty()) {
                c.error(p + "/" + inner, "`" + key + "." + inner + "` must not be empty");
                continue;
            }
            c.knownKeys(body, p + "/" + inner, inner, fields);
            for (String f : body.propertyNames()) {
                if (f.equals("ports") || f.equals("notPorts")) {
                    continue;
                }
                stringList(body, p + "/" + inner, f, c);
            }
        }
    }
}

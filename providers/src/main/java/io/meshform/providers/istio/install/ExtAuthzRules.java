package io.meshform.providers.istio.install;

import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Istio's rules for an ext_authz extension provider of the mesh config, which neither {@code istioctl validate} nor
 * {@code istioctl install} checks: istiod only logs a warning when it loads the mesh config
 * (pkg/config/validation/agent/validation.go {@code validateExtensionProvider}), then at every push refuses the
 * provider ({@code processExtensionProvider}, pilot/pkg/security/authz/builder/extauthz.go) and turns every CUSTOM
 * policy that names it into DENY rules for the requests it matches ({@code builder.go}, "deny-due-to-bad-CUSTOM-action").
 * Each rule below names the Istio function that applies it:
 * <ul>
 *   <li>name: not empty, a DNS-1123 label of at most 63 lower-case letters, digits and '-', not starting or
 *       ending with '-' ({@code validateProviderName}, extauthz.go);</li>
 *   <li>port 1..65535, service an FQDN or IP or {@code namespace/host}, statusOnError a status code Envoy's
 *       {@code type.v3.StatusCode} enum knows, pathPrefix starting with '/' and accepted by Go's {@code url.Parse}
 *       ({@link GoUrlParse}: no bad %-escape, no control character) ({@code
 *       ValidateExtensionProviderEnvoyExtAuthzHTTP/GRPC}, pkg/config/validation/agent/extensionprovider.go, and again in
 *       {@code buildExtAuthzHTTP});</li>
 *   <li>no bare {@code "*"} in a header list ({@code buildExtAuthzHTTP}, extauthz.go).</li>
 * </ul>
 * Whether the service exists is asked of the cluster ({@code model.LookupCluster}); see the ext-authz-service check.
 */
public final class ExtAuthzRules {
    /** Envoy's {@code type.v3.StatusCode} values (go-control-plane envoy/type/v3/http_status.pb.go, StatusCode_name). */
    static final Set<Integer> ENVOY_STATUS_CODES = Set.of(0, 100, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300,
            301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415,
            416, 417, 421, 422, 423, 424, 426, 428, 429, 431, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511);
    /** The header lists {@code buildExtAuthzHTTP} refuses a bare "*" in. */
    static final List<String> WILDCARD_CHECKED = List.of("includeRequestHeadersInCheck", "includeHeadersInCheck",
            "headersToDownstreamOnDeny", "headersToDownstreamOnAllow", "headersToUpstreamOnAllow");
    /** {@code dns1123LabelFmt} and {@code wildcardPrefix} of pkg/config/labels/instance.go (Istio 1.30.3). */
    private static final Pattern ISTIO_LABEL = Pattern.compile("[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?");
    private static final Pattern WILDCARD_LABEL = Pattern.compile("\\*|(?:\\*|\\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?");

    private ExtAuthzRules() {
    }

    /** One rule a provider breaks: where (a JSON pointer under the provider) and what Istio says. */
    public record Problem(String pointer, String message) {
    }

    /** The ext_authz kinds of extension provider; other kinds (tracing, logging) are not Istio's ext_authz. */
    public static final List<String> KINDS = List.of("envoyExtAuthzHttp", "envoyExtAuthzGrpc");

    /** The ext_authz settings of a provider in mesh-config form, or null when it is another kind. */
    public static JsonNode settings(JsonNode provider) {
        for (String k : KINDS) {
            if (provider.path(k).isObject()) {
                return provider.get(k);
            }
        }
        return null;
    }

    /** The kind key ("envoyExtAuthzHttp"...) of an ext_authz provider, or null. */
    public static String kind(JsonNode provider) {
        return KINDS.stream().filter(k -> provider.path(k).isObject()).findFirst().orElse(null);
    }

    /** The problems of one provider in mesh-config form ({@code {name, envoyExtAuthzHttp: {...}}}). */
    public static List<Problem> check(JsonNode provider) {
        List<Problem> out = new ArrayList<>();
        String name = Json.text(provider, "name");
        if (name == null || name.isEmpty()) {
            out.add(new Problem("/name", "extension provider name must not be empty"));
        } else {
            String bad = nameProblem(name);
            if (bad != null) {
                out.add(new Problem("/name", "invalid provider name \"" + name + "\": " + bad));
            }
        }
        String kind = kind(provider);
        if (kind == null) {
            return out;
        }
        JsonNode s = provider.get(kind);
        String at = "/" + kind;
        JsonNode port = s.get("port");
        long p = port == null ? 0 : port.isIntegralNumber() ? port.longValue()
                : port.isString() && port.asString().matches("\\d{1,10}") ? Long.parseLong(port.asString()) : -1;
        if (p < 1 || p > 65535) {
            out.add(new Problem(at + "/port", "port must be in the range [1, 65535], found: "
                    + (port == null ? 0 : port.isString() ? port.asString() : port.toString())));
        }
        String service = Json.text(s, "service");
        String svcProblem = serviceProblem(service);
        if (svcProblem != null) {
            out.add(new Problem(at + "/service", svcProblem));
        }
        JsonNode status = s.get("statusOnError");
        if (status != null && !status.isNull() && !(status.isString() && status.asString().isEmpty())) {
            String v = status.isString() ? status.asString() : status.toString();
            Integer code = null;
            try {
                code = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                out.add(new Problem(at + "/statusOnError", "invalid statusOnError value " + v + ": not a number"));
            }
            if (code != null && !ENVOY_STATUS_CODES.contains(code)) {
                out.add(new Problem(at + "/statusOnError", "unsupported statusOnError value " + v
                        + ": Envoy's StatusCode has no such code (e.g. 403, 500, 503)"));
            }
        }
        if (kind.equals("envoyExtAuthzHttp")) {
            String prefix = Json.text(s, "pathPrefix");
            String unparsable = prefix == null || prefix.isEmpty() ? null : GoUrlParse.problem(prefix);
            if (unparsable != null) {
                out.add(new Problem(at + "/pathPrefix", "invalid pathPrefix \"" + prefix + "\": " + unparsable
                        + (unparsable.contains("escape") ? " (istiod parses it as a URL: write a literal '%' as %25)"
                        : " (istiod parses it as a URL)")));
            }
            if (prefix != null && !prefix.isEmpty() && !prefix.startsWith("/")) {
                out.add(new Problem(at + "/pathPrefix", "pathPrefix must begin with `/`, found: \"" + prefix + "\""));
            }
            for (String list : WILDCARD_CHECKED) {
                JsonNode values = s.path(list);
                for (int i = 0; i < values.size(); i++) {
                    if ("*".equals(values.get(i).asString())) {
                        out.add(new Problem(at + "/" + list + "/" + i, "a single wildcard (\"*\") is not supported in "
                                + list + ": change it to a prefix or suffix match such as \"x-*\""));
                    }
                }
            }
        }
        return out;
    }

    /** {@code validateProviderName}: null when the name is a DNS-1123 label Istio accepts. */
    static String nameProblem(String name) {
        if (name.length() > 63) {
            return "provider name too long (max 63 characters): " + name.length();
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return "uppercase letters not allowed (use lowercase): character '" + c + "' at position " + i;
            }
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return "invalid character '" + c + "' at position " + i + " (only lowercase letters, digits, and hyphens allowed)";
            }
        }
        if (name.startsWith("-") || name.endsWith("-")) {
            return "provider name cannot start or end with hyphen";
        }
        return null;
    }

    /**
     * {@code validateExtensionProviderService} (pkg/config/validation/agent/extensionprovider.go, Istio 1.30.3): null
     * when istiod accepts the form (whether it exists is another matter). istiod runs it at every push
     * (pilot/pkg/security/authz/builder/extauthz.go) and turns a CUSTOM policy naming a provider it refuses into deny
     * rules, so every request the policy matches gets 403 while the proxy is never asked.
     */
    static String serviceProblem(String service) {
        if (service == null || service.isEmpty()) {
            return "service must not be empty";
        }
        if (!service.contains("/")) {
            return fqdn(service) || ip(service) ? null : "invalid service fmt " + service
                    + ": neither a fully qualified host name nor an IP address";
        }
        // ValidateNamespaceSlashWildcardHostname(service, false, false) (pkg/config/validation/agent/validation.go)
        String namespace = service.substring(0, service.indexOf('/'));
        String host = service.substring(service.indexOf('/') + 1);
        if (namespace.isEmpty() || host.isEmpty()) {
            return "invalid service " + service + ": config namespace and dnsName in host entry cannot be empty";
        }
        if (!namespace.equals("*") && !namespace.equals(".") && !namespace.equals("~") && !label(namespace)) {
            return "invalid namespace value \"" + namespace + "\" in service " + service;
        }
        // validateSidecarOrGatewayHostnamePart(host, false), same file
        if (!host.equals("*") && !host.contains(".")) {
            String ns = label(namespace) ? namespace : "NAMESPACE";
            return "invalid service " + service + ": short names (non FQDN) are not allowed; write " + namespace + "/"
                    + host + "." + ns + ".svc.cluster.local";
        }
        if (!wildcardDomain(host)) {
            return "invalid service " + service + ": domain name \"" + host + "\" invalid";
        }
        if (host.contains("*") && host.length() != 1 && !host.startsWith("*.")) {
            return "invalid service " + service + ": partial wildcard \"" + host + "\" not allowed";
        }
        return null;
    }

    /** {@code labels.IsDNS1123Label} (pkg/config/labels/instance.go): Istio's label allows upper case. */
    private static boolean label(String value) {
        return value.length() <= 63 && ISTIO_LABEL.matcher(value).matches();
    }

    /** {@code ValidateWildcardDomain}: a wildcard only in the first label, the rest DNS-1123 labels. */
    private static boolean wildcardDomain(String domain) {
        if (domain.length() > 255) {
            return false;
        }
        int dot = domain.indexOf('.');
        String first = dot < 0 ? domain : domain.substring(0, dot);
        if (first.length() > 63 || !WILDCARD_LABEL.matcher(first).matches()) {
            return false;
        }
        return dot < 0 || dns1123Labels(domain.substring(dot + 1));
    }

    /** {@code ValidateFQDN}: at most 255 characters of DNS-1123 labels. */
    private static boolean fqdn(String host) {
        return host.length() <= 255 && dns1123Labels(host);
    }

    /** {@code ValidateDNS1123Labels}: each label a DNS-1123 label, the last not all digits, a trailing dot allowed. */
    private static boolean dns1123Labels(String domain) {
        String[] labels = domain.split("\\.", -1);
        if (labels[labels.length - 1].matches("\\d+")) {
            return false;
        }
        for (int i = 0; i < labels.length; i++) {
            if (i == labels.length - 1 && labels[i].isEmpty()) {
                return true;
            }
            if (!label(labels[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code ValidateIPAddress} ({@code netip.ParseAddr}): four decimal octets of at most 255 without leading zeros, or
     * an IPv6 literal. Parsed here rather than by {@code InetAddress}, which looks a name up in DNS.
     */
    private static boolean ip(String host) {
        if (host.matches("(0|[1-9]\\d{0,2})(\\.(0|[1-9]\\d{0,2})){3}")) {
            for (String octet : host.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return false;
                }
            }
            return true;
        }
        return host.contains(":") && host.matches("[0-9a-fA-F:.]+(%[^%]+)?");
    }

    /**
     * The problems of every ext_authz provider of a list. (Two providers of one name are not refused: istiod keeps the
     * later one, {@code ApplyMeshConfig} in pkg/config/mesh/mesh.go merging the list by name.)
     */
    public static List<Problem> checkAll(List<JsonNode> providers) {
        List<Problem> out = new ArrayList<>();
        for (int i = 0; i < providers.size(); i++) {
            JsonNode p = providers.get(i);
            if (kind(p) == null) {
                continue;
            }
            for (Problem problem : check(p)) {
                out.add(new Problem("/" + i + problem.pointer(), problem.message()));
            }
        }
        return out;
    }
}

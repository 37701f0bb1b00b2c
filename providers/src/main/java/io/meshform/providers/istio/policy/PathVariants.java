package io.meshform.providers.istio.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The requests an attacker tries against a protected path: the ways one resource can be named that a backend may
 * treat as the same path while Envoy's matchers see another (the bypasses Istio's security best practices describe
 * for AuthorizationPolicy paths, ops/best-practices/security). Which of them Envoy rewrites is
 * {@link PathNormalization}'s business; this class only writes them.
 */
public final class PathVariants {

    private PathVariants() {
    }

    /**
     * A concrete path a policy value names, and its bare prefix: {@code /api/*} gives {@code /api/x} and {@code /api};
     * {@code /api/{**}} the same; {@code *} gives {@code /x}; {@code *.js} gives {@code /x.js}; an exact path itself.
     */
    public record Sample(String path, String bare) {
    }

    public static Sample sample(String value) {
        if (value.contains("{*}") || value.contains("{**}")) {
            String bare = value.endsWith("/{**}") ? value.substring(0, value.length() - "/{**}".length()) : null;
            return new Sample(value.replace("{**}", "x").replace("{*}", "x"), bare == null || bare.isEmpty()
                    || bare.contains("{") ? null : bare);
        }
        if (value.equals("*")) {
            return new Sample("/x", null);
        }
        if (value.startsWith("*")) {
            String suffix = value.substring(1);
            return new Sample(suffix.startsWith("/") ? "/x" + suffix : "/x" + suffix, null);
        }
        if (value.endsWith("*")) {
            String prefix = value.substring(0, value.length() - 1);
            String bare = prefix.endsWith("/") && prefix.length() > 1 ? prefix.substring(0, prefix.length() - 1) : null;
            return new Sample(prefix.endsWith("/") ? prefix + "x" : prefix + "x", bare);
        }
        return new Sample(value, null);
    }

    /**
     * The variants of a sample path, by label ("as written", "trailing slash", ...), each once. {@code publicPrefixes}
     * (paths that end in '/', exempt with everything under them) add a climb out of each ({@code /public/../api/x}, and
     * {@code /public/..;/api/x}: {@link #PARAMETER_CLIMB});
     * {@code publicSuffixes} ({@code .css}) a path parameter ({@code /api/x;.css}), which Envoy keeps and many backends
     * strip.
     */
    public static Map<String, String> of(Sample s, List<String> publicPrefixes, List<String> publicSuffixes) {
        Map<String, String> out = new LinkedHashMap<>();
        String p = s.path();
        put(out, p, "as written");
        if (!p.equals("/")) {
            put(out, p.endsWith("/") ? p.substring(0, p.length() - 1) : p + "/", p.endsWith("/") ? "without the trailing slash"
                    : "with a trailing slash");
        }
        if (s.bare() != null) {
            put(out, s.bare(), "the bare prefix");
        }
        put(out, "/" + p, "doubled slash");
        int last = p.lastIndexOf('/', p.endsWith("/") ? p.length() - 2 : p.length() - 1);
        if (last > 0) {
            put(out, p.substring(0, last) + "%2F" + p.substring(last + 1), "encoded slash");
            put(out, p.substring(0, last) + "%5C" + p.substring(last + 1), "encoded backslash");
            int first = p.indexOf('/', 1);
            put(out, p.substring(0, first) + "/." + p.substring(first), "dot segment");
        }
        if (p.length() > 1) {
            put(out, "/x/.." + p, "dot-dot segment");
            put(out, "/x/%2e%2e" + p, "encoded dot-dot segment");
        }
        for (String pre : publicPrefixes) {
            if (p.length() > 1 && !p.startsWith(pre)) {
                put(out, pre + ".." + p, "climbing out of public " + pre);
                put(out, pre + "..;" + p, "climbing out of public " + pre + PARAMETER_CLIMB);
            }
        }
        for (String suf : publicSuffixes) {
            put(out, p + ";" + suf, "path parameter ending in public " + suf);
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c < 128 && Character.isLetter(c)) {
                put(out, p.substring(0, i) + String.format("%%%02x", (int) c) + p.substring(i + 1), "encoded character");
                break;
            }
        }
        int end = p.indexOf('/', 1) < 0 ? p.length() : p.indexOf('/', 1);
        put(out, p.substring(0, end).toUpperCase(Locale.ROOT) + p.substring(end), "upper case");
        put(out, p + "?x=1", "query string");
        return out;
    }

    /**
     * The label of a climb out of a public prefix through a {@code ..;} segment ({@code /public/..;/api/x}), which no
     * pathNormalization resolves: Envoy's {@code normalize_path} canonicalizes with googleurl's {@code
     * url::CanonicalizePath} (source/common/http/path_utility.cc), whose {@code ClassifyAfterDot}
     * (url/url_canon_path.cc) takes two dots for a parent segment only before a slash or the end, and passes ';'
     * unchanged ({@code kPathCharLookup}: PASS) and an escaped ';' ({@code %3B}) as written; merging slashes and
     * unescaping {@code %2F}/{@code %5C} do not touch it either. The RBAC filters see the path under the public prefix
     * (their {@code url_path} matcher cuts only the query and fragment: path_utility.cc {@code removeQueryAndFragment},
     * {@code find_first_of("?#")}), so the exemption matches and the auth proxy is not called, while Tomcat strips each
     * segment's path parameter before it decodes and normalizes (org/apache/catalina/connector/CoyoteAdapter.java
     * {@code postParseRequest}: {@code parsePathParameters}, then {@code normalize}) and serves {@code /api/x}, unless
     * its connector sets {@code rejectSuspiciousURIs} (off by default). Jetty 10 and later refuse it by default
     * (jetty-http UriCompliance.DEFAULT does not allow AMBIGUOUS_PATH_PARAMETER), Spring Security's StrictHttpFirewall
     * refuses any ';'; other backends were not read. The {@code %3B} form is no variant: Tomcat decodes it after taking
     * the parameters off, so its segment stays {@code ..;}, not a parent. Versions: Istio 1.30.3 pins istio/proxy
     * 81864a1c (istio.deps), which pins Envoy 4f1e006e2db1 (WORKSPACE); that Envoy commit and its googleurl were not
     * readable here, so path_utility.cc and url_canon_path.cc were read at stored versions (Envoy has canonicalized
     * with googleurl's CanonicalizePath in each one read). Istio's security best practices (istio.io
     * content/en/docs/ops/best-practices/security) list no mode for ';' and say applications "may interpret a URL in
     * any way it chooses", pointing to positive matching and a Wasm filter or WAF.
     */
    static final String PARAMETER_CLIMB = " by a ..; segment (Tomcat reads it as ..)";

    /**
     * True when {@code path} (its query left out) carries a {@code ;} path parameter: Envoy keeps it under every
     * pathNormalization (see {@link #PARAMETER_CLIMB}), and Tomcat strips it before mapping the request.
     */
    public static boolean hasPathParameter(String path) {
        return PathNormalization.withoutQuery(path).indexOf(';') >= 0;
    }

    /** True when {@code path} climbs by a {@code ..;} segment ({@link #PARAMETER_CLIMB}), which no pathNormalization resolves. */
    public static boolean climbsByParameter(String path) {
        return PathNormalization.withoutQuery(path).contains("/..;/");
    }

    private static void put(Map<String, String> out, String path, String label) {
        out.putIfAbsent(path, label);
    }

    /** The methods tried when a policy on the workload names methods. */
    public static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    /** Host spellings a client may send for {@code host}: other case, with the port (Istio strips none). */
    public static List<String> hosts(String host, int port) {
        List<String> out = new ArrayList<>();
        out.add(host.toUpperCase(Locale.ROOT));
        out.add(host + ":" + (port == 8443 ? 443 : 80));
        return out;
    }

    /** A host a {@code hosts} value names: {@code *.example.com} gives {@code x.example.com}. */
    public static String concreteHost(String value) {
        if (value.equals("*")) {
            return "example.com";
        }
        return value.startsWith("*") ? "x" + value.substring(1) : value.endsWith("*") ? value.substring(0, value.length() - 1) + "x" : value;
    }
}

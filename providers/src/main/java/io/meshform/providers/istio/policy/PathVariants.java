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
     * (paths that end in '/', exempt with everything under them) add a climb out of each ({@code /public/../api/x});
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

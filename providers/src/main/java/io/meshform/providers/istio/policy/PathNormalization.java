package io.meshform.providers.istio.policy;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Optional;

/**
 * What Envoy does to a request's {@code :path} before any filter (RBAC, ext_authz, routing) or the upstream sees it,
 * for each {@code meshConfig.pathNormalization.normalization} mode. istiod turns the mode into three fields of every
 * HTTP connection manager it builds, sidecar and gateway alike (pilot/pkg/networking/core/listener_builder.go,
 * "Setup normalization"): NONE sets {@code normalize_path} false; DEFAULT (what an unset field is) and BASE set it
 * true; MERGE_SLASHES adds {@code merge_slashes}; DECODE_AND_MERGE_SLASHES adds {@code path_with_escaped_slashes_action:
 * UNESCAPE_AND_FORWARD}. The modes are described in istio/api mesh/v1alpha1/config.proto
 * ({@code ProxyPathNormalization}).
 *
 * <p>Envoy's part. Istio 1.30.3 pins istio/proxy 81864a1c (istio.deps, PROXY_REPO_SHA), whose WORKSPACE pins Envoy
 * 4f1e006e2db1; that Envoy commit could not be read here, so the Envoy sources below are stored versions near it.
 * What each says:
 * <ul>
 * <li>Order and refusals: source/common/http/conn_manager_impl.cc answers 404 to a path that does not start with '/'
 * ("Currently we only support relative paths at the application layer"), before any normalization;
 * conn_manager_utility.cc {@code maybeNormalizePath} then unescapes slashes ({@code path_with_escaped_slashes_action}),
 * normalizes ({@code normalize_path}; a failure is a Reject, which conn_manager_impl.cc answers with 400,
 * PathNormalizationFailed), and merges slashes last ("Merge slashes after path normalization"). The HttpConnectionManager
 * field comments (go-control-plane envoy/extensions/filters/network/http_connection_manager/v3/
 * http_connection_manager.pb.go; Istio pins v1.37.1-0.20260409083702-98966259b99a, read at v1.38.0) say the same
 * order ("This operation occurs before URL normalization and the merge slashes transformations") and "Envoy will
 * respond with 400 to paths that are malformed".
 * <li>{@code normalize_path}: "normalized according to RFC 3986", "Envoy does not perform case normalization" (field
 * comment). source/common/http/path_utility.cc {@code canonicalPath} canonicalizes the part before '?' and appends the
 * query unchanged. Envoy's test/common/http/path_utility_test.cc states the cases followed here: dot segments go
 * ("/a/b/../c" to "/a/c", "/../a/b" to "/a/b"), {@code %2E}/{@code %2e} count as a dot, "/a/..\c" becomes "/c",
 * {@code %2F%2f} and {@code %5c%25} stay as written, case stays, and "/xyz/.%00../abc", "/xyz/%00.%00./abc" and
 * "/xyz/AAAAA%%0000/abc" are refused.
 * <li>{@code merge_slashes}: path_utility.cc {@code mergeSlashes} works on the part before '?'; a path without "//"
 * stays, else its non-empty segments are joined by single slashes, keeping the leading slash and a trailing one (so
 * "//" stays "//"); the test: "/a//b?a=///c" to "/a/b?a=///c".
 * <li>{@code UNESCAPE_AND_FORWARD}: "Unescape %2F and %5C sequences" (field comment), either case (the test:
 * "%2f%2F" to "//", "%5c%5C" to two backslashes).
 * </ul>
 * Assumptions no source read here states: every backslash is a separator, not only one after ".." (older googleurl
 * converts every backslash in a path, newer only in special URLs; which googleurl Envoy pins was not read); every
 * {@code %00} is refused, not only the three forms the test lists; the other percent-encoded unreserved characters
 * ({@code %61}, {@code %7E}, ...) are decoded as RFC 3986 section 6.2.2.2 says, though the test shows only
 * {@code %2E}. A path with '#' is not modelled (Envoy refuses it or strips the fragment, by runtime flag); no variant
 * carries one. The query string is never part of what RBAC's {@code url_path} matches ("the query and fragment string
 * (if present) are removed", envoy/type/matcher/v3/path.pb.go).
 */
public enum PathNormalization {
    NONE(false, false, false),
    BASE(true, false, false),
    MERGE_SLASHES(true, true, false),
    DECODE_AND_MERGE_SLASHES(true, true, true);

    private final boolean normalizePath;
    private final boolean mergeSlashes;
    private final boolean unescapeSlashes;

    PathNormalization(boolean normalizePath, boolean mergeSlashes, boolean unescapeSlashes) {
        this.normalizePath = normalizePath;
        this.mergeSlashes = mergeSlashes;
        this.unescapeSlashes = unescapeSlashes;
    }

    /** The mode a mesh config value means: unset and DEFAULT are BASE (an unset enum is 0, DEFAULT). */
    public static PathNormalization of(String meshValue) {
        if (meshValue == null || meshValue.isBlank() || meshValue.equals("DEFAULT")) {
            return BASE;
        }
        return valueOf(meshValue.toUpperCase(Locale.ROOT));
    }

    /** True for the names the mesh config accepts. */
    public static boolean known(String meshValue) {
        return meshValue == null || meshValue.equals("DEFAULT") || java.util.Arrays.stream(values())
                .anyMatch(v -> v.name().equals(meshValue));
    }

    public boolean normalizePath() {
        return normalizePath;
    }

    public boolean mergeSlashes() {
        return mergeSlashes;
    }

    /** The HCM's {@code path_with_escaped_slashes_action}. */
    public String escapedSlashesAction() {
        return unescapeSlashes ? "UNESCAPE_AND_FORWARD" : "KEEP_UNCHANGED";
    }

    /** The mode for the three HCM fields as istiod sets them, if some mode sets exactly those. */
    public static Optional<PathNormalization> ofHcm(boolean normalizePath, boolean mergeSlashes, String escapedSlashesAction) {
        for (PathNormalization m : values()) {
            if (m.normalizePath == normalizePath && m.mergeSlashes == mergeSlashes
                    && m.escapedSlashesAction().equals(escapedSlashesAction == null ? "KEEP_UNCHANGED" : escapedSlashesAction)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /**
     * The {@code :path} (with its query) the filters and the upstream see, or empty when Envoy answers before any
     * filter: 404 for a path that does not start with '/' ({@link #refusal}), 400 when normalization fails (a
     * {@code %00}).
     */
    public Optional<String> apply(String rawPath) {
        int q = rawPath.indexOf('?');
        String path = q < 0 ? rawPath : rawPath.substring(0, q);
        String query = q < 0 ? "" : rawPath.substring(q);
        if (!path.startsWith("/")) {
            return Optional.empty();
        }
        if (unescapeSlashes) {
            path = path.replace("%2F", "/").replace("%2f", "/").replace("%5C", "\\").replace("%5c", "\\");
        }
        if (normalizePath) {
            String decoded = decodeUnreserved(path);
            if (decoded == null) {
                return Optional.empty();
            }
            path = removeDotSegments(decoded.replace('\\', '/'));
        }
        if (mergeSlashes) {
            path = merged(path);
        }
        return Optional.of(path + query);
    }

    /** The status Envoy answers a path {@link #apply} refuses with, and why. */
    public static String refusal(String rawPath) {
        return rawPath.startsWith("/")
                ? "400: path normalization refuses it (conn_manager_impl.cc, PathNormalizationFailed)"
                : "404: the HTTP connection manager takes only paths that start with '/' (conn_manager_impl.cc)";
    }

    /**
     * Envoy's {@code PathUtil::mergeSlashes} on a path that starts with '/': unchanged without "//", else the non-empty
     * segments joined by one slash, with the leading slash and a trailing one kept; so a path of slashes only is "//".
     */
    private static String merged(String path) {
        if (!path.contains("//")) {
            return path;
        }
        String inner = String.join("/", java.util.Arrays.stream(path.split("/")).filter(x -> !x.isEmpty()).toList());
        return "/" + inner + (path.endsWith("/") ? "/" : "");
    }

    /** The path without its query, as RBAC's {@code url_path} and the URI template matcher see it. */
    public static String withoutQuery(String path) {
        int q = path.indexOf('?');
        int f = path.indexOf('#');
        int end = q < 0 ? f : f < 0 ? q : Math.min(q, f);
        return end < 0 ? path : path.substring(0, end);
    }

    /** Decodes %XX of unreserved characters (ALPHA, DIGIT, "-", ".", "_", "~"); null for %00. */
    private static String decodeUnreserved(String path) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%' && i + 2 < path.length() && hex(path.charAt(i + 1)) && hex(path.charAt(i + 2))) {
                int v = Integer.parseInt(path.substring(i + 1, i + 3), 16);
                if (v == 0) {
                    return null;
                }
                char d = (char) v;
                if (Character.isLetterOrDigit(d) && d < 128 || d == '-' || d == '.' || d == '_' || d == '~') {
                    out.append(d);
                } else {
                    out.append(path, i, i + 3);
                }
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean hex(char c) {
        return Character.digit(c, 16) >= 0 && c < 128;
    }

    /** RFC 3986 section 5.2.4, on a path that starts with '/'. */
    private static String removeDotSegments(String path) {
        Deque<String> out = new ArrayDeque<>();
        String[] segments = path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            boolean last = i == segments.length - 1;
            if (s.equals(".")) {
                if (last) {
                    out.addLast("");
                }
            } else if (s.equals("..")) {
                out.pollLast();
                if (last) {
                    out.addLast("");
                }
            } else {
                out.addLast(s);
            }
        }
        return "/" + String.join("/", out);
    }
}

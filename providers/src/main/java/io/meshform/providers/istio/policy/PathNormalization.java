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
 * <p>Envoy's part, from the field comments of HttpConnectionManager (go-control-plane envoy/extensions/filters/network/
 * http_connection_manager/v3/http_connection_manager.pb.go, the version istiod is built with): the escaped-slash action
 * runs first ("before URL normalization and the merge slashes transformations"); {@code normalize_path} normalizes
 * per RFC 3986 ("Envoy does not perform case normalization"): dot segments are removed, a backslash is a separator,
 * percent-encoded unreserved characters ({@code %2E}, {@code %61}, ...) are decoded, {@code %2F}/{@code %5C} are kept,
 * {@code %00} is refused with 400; {@code merge_slashes} merges repeated slashes in the path, not the query. The query
 * string survives, but is never part of what RBAC's {@code url_path} matches (envoy/type/matcher/v3/path.pb.go).
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
     * The {@code :path} (with its query) the filters and the upstream see, or empty when Envoy answers 400 (a
     * {@code %00}, or a path that does not start with '/').
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
            path = path.replaceAll("/{2,}", "/");
        }
        return Optional.of(path + query);
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

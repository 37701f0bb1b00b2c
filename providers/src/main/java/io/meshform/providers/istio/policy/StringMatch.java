package io.meshform.providers.istio.policy;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One Envoy matcher as istiod builds it from an AuthorizationPolicy value, and how Envoy evaluates it. The forms are
 * Envoy's StringMatcher ({@code exact}, {@code prefix}, {@code suffix}, {@code safe_regex}, with {@code ignore_case}),
 * the header {@code present_match} and the {@code uri_template} path matcher.
 *
 * @param kind       the matcher's form
 * @param value      the exact/prefix/suffix text, the regex, or the URI template
 * @param ignoreCase Envoy's {@code ignore_case} (true only for hosts)
 */
public record StringMatch(Kind kind, String value, boolean ignoreCase) {

    public enum Kind { EXACT, PREFIX, SUFFIX, REGEX, PRESENT, TEMPLATE }

    /**
     * A {@code paths}/{@code notPaths} value (pilot/pkg/security/authz/model/generator.go {@code pathGenerator}):
     * a value with {@code {*}} or {@code {**}} becomes a URI template (matcher/template.go, {@code {*}} as {@code *},
     * {@code {**}} as {@code **}); otherwise {@code StringMatcherWithPrefix(v, "")} (matcher/string.go): {@code "*"} is
     * the regex {@code .+}, {@code "*x"} a suffix, {@code "x*"} a prefix, anything else exact; all case-sensitive. A
     * {@code *} in the middle is a literal {@code *}.
     */
    public static StringMatch path(String v) {
        if (v.contains("{*}") || v.contains("{**}")) {
            return new StringMatch(Kind.TEMPLATE, v.replace("{**}", "**").replace("{*}", "*"), false);
        }
        return string(v, false);
    }

    /**
     * A {@code hosts}/{@code notHosts} value, matched against {@code :authority} ignoring case
     * (matcher/header.go {@code HostMatcher}): {@code "*"} is present, {@code "*x"} a suffix, {@code "x*"} a prefix,
     * anything else exact. Istio strips no port, so {@code example.com:443} is not {@code example.com}.
     */
    public static StringMatch host(String v) {
        if (v.equals("*")) {
            return new StringMatch(Kind.PRESENT, "", true);
        }
        if (v.startsWith("*")) {
            return new StringMatch(Kind.SUFFIX, v.substring(1), true);
        }
        if (v.endsWith("*")) {
            return new StringMatch(Kind.PREFIX, v.substring(0, v.length() - 1), true);
        }
        return new StringMatch(Kind.EXACT, v, true);
    }

    /**
     * A {@code methods}/{@code notMethods} value, a {@code :method} header matcher (matcher/header.go
     * {@code HeaderMatcher}), case-sensitive: {@code "*"} is present, else as {@link #string}.
     */
    public static StringMatch method(String v) {
        return v.equals("*") ? new StringMatch(Kind.PRESENT, "", false) : string(v, false);
    }

    private static StringMatch string(String v, boolean ignoreCase) {
        if (v.equals("*")) {
            return new StringMatch(Kind.REGEX, ".+", ignoreCase);
        }
        if (v.startsWith("*")) {
            return new StringMatch(Kind.SUFFIX, v.substring(1), ignoreCase);
        }
        if (v.endsWith("*")) {
            return new StringMatch(Kind.PREFIX, v.substring(0, v.length() - 1), ignoreCase);
        }
        return new StringMatch(Kind.EXACT, v, ignoreCase);
    }

    /** Envoy's evaluation; {@code input} null means the header is absent (matches nothing). */
    public boolean matches(String input) {
        if (input == null) {
            return false;
        }
        String in = ignoreCase ? input.toLowerCase(Locale.ROOT) : input;
        String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
        return switch (kind) {
            case EXACT -> in.equals(v);
            case PREFIX -> in.startsWith(v);
            case SUFFIX -> in.endsWith(v);
            case REGEX -> Pattern.compile(value, ignoreCase ? Pattern.CASE_INSENSITIVE : 0).matcher(input).matches();
            case PRESENT -> true;
            case TEMPLATE -> templateRegex(value).matcher(input).matches();
        };
    }

    /**
     * Envoy's URI template (envoy/extensions/path/match/uri_template/v3 comment): {@code *} matches one path segment
     * up to the next '/', {@code **} zero or more segments (the last operator); literals match themselves. A segment
     * holds RFC 3986 pchars (Envoy's {@code kPathGlob}).
     */
    static Pattern templateRegex(String template) {
        String pchar = "[a-zA-Z0-9\\-._~%!$&'()+,;:@=]";
        StringBuilder re = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            if (template.startsWith("**", i)) {
                re.append("(").append(pchar.substring(0, pchar.length() - 1)).append("/]*)");
                i += 2;
            } else if (template.charAt(i) == '*') {
                re.append(pchar).append("+");
                i++;
            } else {
                re.append(Pattern.quote(String.valueOf(template.charAt(i))));
                i++;
            }
        }
        return Pattern.compile(re.toString());
    }

    /** How the matcher reads in a report: "prefix /api/". */
    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + (value.isEmpty() ? "" : " " + value) + (ignoreCase ? " (any case)" : "");
    }
}

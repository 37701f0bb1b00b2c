package io.meshform.providers.istio.install;

import java.nio.charset.StandardCharsets;

/**
 * Whether Go's {@code url.Parse} refuses a text, and in its words: istiod runs it on an ext_authz provider's
 * {@code pathPrefix} ({@code ValidateExtensionProviderEnvoyExtAuthzHTTP}, pkg/config/validation/agent/extensionprovider.go,
 * and {@code buildExtAuthzHTTP}, pilot/pkg/security/authz/builder/extauthz.go, Istio 1.30.3) and refuses the provider
 * when it fails, so a pathPrefix that starts with '/' can still be refused ({@code /check%zz}). Follows
 * {@code Parse}, {@code parse}, {@code getScheme}, {@code parseAuthority}, {@code parseHost} and {@code unescape} of
 * net/url/url.go (read at Go 1.26.8, the test bed's; the rules below are unchanged in the Go releases Istio 1.30 is
 * built with): a control byte anywhere; a '%' not followed by two hex digits in the path or the fragment (the query is
 * kept raw, never checked); a text starting with ':'; a relative text whose first segment holds ':'; and, after
 * {@code //} (not {@code ///}), an authority whose host has a character a host may not hold, a %-escape of an ASCII
 * byte other than {@code %25}, a '[' not first, a missing ']', a port that is not digits, or userinfo with a character
 * it may not hold. Not modelled: whether the address inside {@code [...]} is an IPv6 address ({@code netip.ParseAddr}),
 * taken as valid.
 */
final class GoUrlParse {
    private GoUrlParse() {
    }

    /** Go's error for {@code raw} (without the {@code parse "..."} prefix), or null when {@code url.Parse} accepts it. */
    static String problem(String raw) {
        int hash = raw.indexOf('#');
        String u = hash < 0 ? raw : raw.substring(0, hash);
        String err = parse(u);
        if (err != null || hash < 0 || hash == raw.length() - 1) {
            return err;
        }
        return unescapeProblem(raw.substring(hash + 1), false);
    }

    private static String parse(String raw) {
        for (byte b : raw.getBytes(StandardCharsets.UTF_8)) {
            if ((b & 0xff) < ' ' || b == 0x7f) {
                return "net/url: invalid control character in URL";
            }
        }
        if (raw.equals("*")) {
            return null;
        }
        String scheme = "";
        String rest = raw;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
                continue;
            }
            if (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
                if (i == 0) {
                    break;
                }
                continue;
            }
            if (c == ':') {
                if (i == 0) {
                    return "missing protocol scheme";
                }
                scheme = raw.substring(0, i);
                rest = raw.substring(i + 1);
            }
            break;
        }
        if (rest.endsWith("?") && rest.indexOf('?') == rest.length() - 1) {
            rest = rest.substring(0, rest.length() - 1);
        } else if (rest.indexOf('?') >= 0) {
            rest = rest.substring(0, rest.indexOf('?'));
        }
        if (!rest.startsWith("/")) {
            if (!scheme.isEmpty()) {
                return null; // opaque: not checked
            }
            int slash = rest.indexOf('/');
            if ((slash < 0 ? rest : rest.substring(0, slash)).contains(":")) {
                return "first path segment in URL cannot contain colon";
            }
        }
        if ((!scheme.isEmpty() || !rest.startsWith("///")) && rest.startsWith("//")) {
            String authority = rest.substring(2);
            int slash = authority.indexOf('/');
            rest = slash < 0 ? "" : authority.substring(slash);
            String err = authorityProblem(slash < 0 ? authority : authority.substring(0, slash));
            if (err != null) {
                return err;
            }
        }
        return unescapeProblem(rest, false);
    }

    private static String authorityProblem(String authority) {
        int at = authority.lastIndexOf('@');
        String err = hostProblem(at < 0 ? authority : authority.substring(at + 1));
        if (err != null || at < 0) {
            return err;
        }
        String userinfo = authority.substring(0, at);
        for (int i = 0; i < userinfo.length(); i++) {
            char c = userinfo.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && "-._:~!$&'()*+,;=%@".indexOf(c) < 0) {
                return "net/url: invalid userinfo";
            }
        }
        for (String part : userinfo.split(":", 2)) {
            err = unescapeProblem(part, false);
            if (err != null) {
                return err;
            }
        }
        return null;
    }

    private static String hostProblem(String host) {
        int open = host.lastIndexOf('[');
        if (open > 0) {
            return "invalid IP-literal";
        }
        if (open == 0) {
            int close = host.lastIndexOf(']');
            if (close < 0) {
                return "missing ']' in host";
            }
            String colonPort = host.substring(close + 1);
            return validOptionalPort(colonPort) ? null : "invalid port \"" + colonPort + "\" after host";
        }
        int colon = host.lastIndexOf(':');
        if (colon >= 0 && !validOptionalPort(host.substring(colon))) {
            return "invalid port \"" + host.substring(colon) + "\" after host";
        }
        return unescapeProblem(host, true);
    }

    private static boolean validOptionalPort(String port) {
        return port.isEmpty() || port.charAt(0) == ':' && port.substring(1).chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** {@code unescape}: every '%' takes two hex digits; in a host an escaped ASCII byte (but %25) and some characters are refused. */
    private static String unescapeProblem(String s, boolean host) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || !hex(s.charAt(i + 1)) || !hex(s.charAt(i + 2))) {
                    return "invalid URL escape \"" + s.substring(i, Math.min(i + 3, s.length())) + "\"";
                }
                if (host && Character.digit(s.charAt(i + 1), 16) < 8 && !s.startsWith("%25", i)) {
                    return "invalid URL escape \"" + s.substring(i, i + 3) + "\"";
                }
                i += 2;
            } else if (host && c < 128 && !(Character.isLetterOrDigit(c) || "-_.~!$&'()*+,;=:[]<>\"".indexOf(c) >= 0)) {
                return "invalid character \"" + c + "\" in host name";
            }
        }
        return null;
    }

    private static boolean hex(char c) {
        return c < 128 && Character.digit(c, 16) >= 0;
    }
}

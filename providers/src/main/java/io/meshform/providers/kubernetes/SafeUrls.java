package io.meshform.providers.kubernetes;

import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * URLs as meshform prints them. A kubeconfig's server URL may carry credentials ({@code https://admin:pw@host/},
 * {@code ?access_token=...}), and the client copies them into every request and into its error messages; none of
 * that is printed: the userinfo goes, and so do the query and fragment of a server URL, and in a request or a message
 * every query parameter that is not one of the Kubernetes API's own keeps its name but not its value.
 */
public final class SafeUrls {
    /** Where a message names a URL: a scheme, then anything up to white space or a quote. */
    private static final Pattern URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^\\s\"'<>]+");
    private static final Pattern USERINFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\\s]*@");
    /** The query parameters of the Kubernetes API (and of its webhooks' {@code timeout}): no credentials among them. */
    private static final Set<String> API_PARAMETERS = Set.of("allowWatchBookmarks", "continue", "dryRun", "fieldManager",
            "fieldSelector", "fieldValidation", "force", "gracePeriodSeconds", "labelSelector", "limit", "orphanDependents",
            "pretty", "propagationPolicy", "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeout",
            "timeoutSeconds", "watch", "follow", "container", "tailLines");
    static final String HIDDEN = "(hidden)";

    private SafeUrls() {
    }

    /** A server URL without its userinfo, query and fragment: {@code https://host:6443/prefix}. */
    public static String server(String url) {
        if (url == null) {
            return null;
        }
        String s = USERINFO.matcher(url).replaceFirst("$1");
        int q = s.indexOf('?');
        int h = s.indexOf('#');
        int cut = q < 0 ? h : h < 0 ? q : Math.min(q, h);
        return cut < 0 ? s : s.substring(0, cut);
    }

    /**
     * A raw query with the value of every parameter that is not the Kubernetes API's own shown as {@value #HIDDEN}
     * ({@code access_token=(hidden)}); null for null.
     */
    public static String query(String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        StringJoiner out = new StringJoiner("&");
        for (String p : rawQuery.split("&", -1)) {
            int eq = p.indexOf('=');
            String name = eq < 0 ? p : p.substring(0, eq);
            out.add(API_PARAMETERS.contains(name) ? p : eq < 0 ? HIDDEN : name + "=" + HIDDEN);
        }
        return out.toString();
    }

    /** A request or message URL without its userinfo and fragment, its query as {@link #query} shows it. */
    public static String request(String url) {
        if (url == null) {
            return null;
        }
        String s = USERINFO.matcher(url).replaceFirst("$1");
        int hash = s.indexOf('#');
        if (hash >= 0) {
            s = s.substring(0, hash);
        }
        int q = s.indexOf('?');
        return q < 0 ? s : s.substring(0, q) + "?" + query(s.substring(q + 1));
    }

    /** {@code text} (a client's or server's message) with every URL in it shown as {@link #request} shows it. */
    public static String scrub(String text) {
        if (text == null || !text.contains("://")) {
            return text;
        }
        Matcher m = URL.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(request(m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }
}

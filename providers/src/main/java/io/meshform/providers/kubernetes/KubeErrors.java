package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.state.ServerCertificateRefused;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns API errors into messages that say what was done to which object and what the server said. */
public final class KubeErrors {
    private static final Pattern CONFLICT_MANAGER = Pattern.compile("conflicts? with \"([^\"]+)\"");

    private KubeErrors() {
    }

    public static boolean notFound(KubernetesClientException e) {
        return code(e) == 404;
    }

    /** The HTTP status, from the exception or the one fabric8 wrapped ("Operation: [patch] ... failed."). */
    public static int code(KubernetesClientException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k && k.getCode() > 0) {
                return k.getCode();
            }
        }
        return e.getCode();
    }

    private static Status status(KubernetesClientException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null
                    && !k.getStatus().getMessage().isBlank()) {
                return k.getStatus();
            }
        }
        return null;
    }

    /** False for connection and TLS failures (an IOException underneath and no HTTP status). */
    public static boolean answered(KubernetesClientException e) {
        if (status(e) != null || code(e) > 0) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException) {
                return false;
            }
        }
        return true;
    }

    /**
     * The connection and TLS worked, then the server sent GOAWAY and JDK 17's HTTP client failed the request with an
     * IOException ("/127.0.0.1:PORT: GOAWAY received", jdk.internal.net.http.Http2Connection) instead of reading the
     * answer on that stream. kube-apiserver does this after answering a client it did not authenticate (k8s.io/apiserver
     * pkg/endpoints/filters/authentication.go, UnauthenticatedHTTP2DOSMitigation), and when it shuts down; fabric8 has
     * retried the request by then. "Is the cluster reachable, does the CA match" would send the user the wrong way.
     */
    static boolean goAway(KubernetesClientException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException && t.getMessage() != null && t.getMessage().endsWith("GOAWAY received")) {
                return true;
            }
        }
        return false;
    }

    private static final String GOAWAY_HINT = "\n(hint: the server was reached and its certificate accepted; Kubernetes"
            + " closes the connection of a client whose credentials it does not accept: check the token or client"
            + " certificate of this kubeconfig context's user (`kubectl get --raw /version` with the same context shows the"
            + " server's answer), or whether the API server is restarting)";

    /**
     * A plan's warning for a server-side apply the server refused with a conflict (409) in its dry-run: another field
     * manager owns a field the apply sets. The same words for every type whose plan asks (manifests, Istio policies).
     */
    public static String conflictWarning(KubernetesClientException e) {
        return "the server reports a conflict: " + serverSays(e) + "; apply will fail unless the stack sets force: true";
    }

    /**
     * The server's own words: Status.message (and reason); for a failed connection, the root cause. URLs in it are
     * shown without credentials ({@link SafeUrls#scrub}): the client's messages name the request's URL, and with it
     * the kubeconfig's {@code user:password@} or {@code ?access_token=}.
     */
    public static String serverSays(KubernetesClientException e) {
        return SafeUrls.scrub(said(e));
    }

    private static String said(KubernetesClientException e) {
        Status s = status(e);
        if (s != null) {
            return s.getMessage() + (s.getReason() != null ? " (reason: " + s.getReason() + ")" : "");
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.getMessage() : e.getMessage() + " (cause: " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }

    /** Field managers named in an SSA conflict message ("conflict with \"kubectl-label\" using v1: ..."). */
    public static Set<String> conflictManagers(String message) {
        Set<String> out = new LinkedHashSet<>();
        if (message != null) {
            Matcher m = CONFLICT_MANAGER.matcher(message);
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /**
     * An error for {@code verb} ("apply", "dry-run apply", "delete") on {@code what} ("Namespace cortex").
     * A 409 apply conflict names the other field managers and the way out ({@code force: true}).
     */
    public static DiagnosticsException explain(String address, String verb, String what, KubernetesClientException e) {
        String said = serverSays(e);
        int code = code(e);
        if (!answered(e)) {
            if (goAway(e)) {
                return new DiagnosticsException(Diagnostic.error(address + ": " + verb + " " + what
                        + ": the API server closed the connection without an answer (HTTP/2 GOAWAY)", said + GOAWAY_HINT, null));
            }
            java.util.Optional<String> refused = ServerCertificateRefused.why(e);
            if (refused.isPresent()) {
                return new DiagnosticsException(Diagnostic.error(address + ": " + verb + " " + what + ": "
                        + refused.get(), said + "\n(hint: " + ServerCertificateRefused.ADVICE + ")", null));
            }
            return new DiagnosticsException(Diagnostic.error(address + ": " + verb + " " + what + ": no answer from the API server",
                    said + "\n(hint: is the cluster reachable, and does the kubeconfig's CA match it?)", null));
        }
        if (code == 409 && verb.contains("apply")) {
            Set<String> managers = conflictManagers(said);
            String who = managers.isEmpty() ? "another field manager" : "field manager(s) " + String.join(", ", managers);
            return new DiagnosticsException(Diagnostic.error(
                    address + ": cannot " + verb + " " + what + ": " + who + " own(s) fields meshform wants to set",
                    "API server says: " + said + "\n(hint: change the value back, remove it from the stack, or set"
                            + " `force: true` on " + address + " to take the fields over)", null));
        }
        if (said.contains("field not declared in schema")) {
            return new DiagnosticsException(Diagnostic.error(address + ": " + verb + " " + what + " failed: unknown field",
                    "API server says: " + said + "\n(hint: the object sets a field its kind does not define; check the spelling"
                            + " and the apiVersion)", null));
        }
        String hint = switch (code) {
            case 401, 403 -> "\n(hint: the credentials of this kubeconfig context may not allow it)";
            case 404 -> "\n(hint: the API or its namespace does not exist on this cluster; is the CRD installed?)";
            case 422 -> "\n(hint: fix the field the server names)";
            default -> "";
        };
        String http = code > 0 ? " (HTTP " + code + ")" : "";
        // No status and no HTTP code: the words are the client's own (fabric8's "namespace not specified ..."), not an
        // answer of the API server, which "API server says" claimed.
        String who = status(e) == null && code <= 0 ? "Kubernetes client says: " : "API server says: ";
        return new DiagnosticsException(Diagnostic.error(address + ": " + verb + " " + what + " failed" + http,
                who + said + hint, null));
    }

    /**
     * A client error that reached the command line without a resource around it: what the API server said (or that
     * it did not answer) and what to check, never only the exception's class.
     */
    public static String describe(KubernetesClientException e) {
        String said = serverSays(e);
        if (!answered(e)) {
            if (goAway(e)) {
                return "the Kubernetes API server closed the connection without an answer (HTTP/2 GOAWAY): " + said + GOAWAY_HINT;
            }
            java.util.Optional<String> refused = ServerCertificateRefused.why(e);
            if (refused.isPresent()) {
                return refused.get() + ": " + said + "\n(hint: " + ServerCertificateRefused.ADVICE + ")";
            }
            return "no answer from the Kubernetes API server: " + said
                    + "\n(hint: is the cluster reachable, and does the kubeconfig's CA match it?)";
        }
        int code = code(e);
        return "the Kubernetes API server refused the request" + (code > 0 ? " (HTTP " + code + ")" : "") + ": " + said
                + switch (code) {
                    case 401 -> "\n(hint: the credentials of this kubeconfig context were not accepted; log in again)";
                    case 403 -> "\n(hint: the credentials of this kubeconfig context may not allow it; ask for the RBAC grant named above)";
                    case 404 -> "\n(hint: the API or its namespace does not exist on this cluster; is the CRD installed?)";
                    case 409 -> "\n(hint: someone else changed the object at the same time; run the command again)";
                    case 422 -> "\n(hint: fix the field the server names)";
                    default -> code >= 500 ? "\n(hint: the API server failed; check its health and run the command again)" : "";
                };
    }

    public static DiagnosticsException error(String summary, String detail) {
        return new DiagnosticsException(Diagnostic.error(summary, detail, null));
    }
}

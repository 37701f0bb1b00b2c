package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Whose credentials the API server refused, and what the user can do about it. kube-apiserver closes the HTTP/2
 * connection of a client it did not authenticate (GOAWAY; {@code UnauthenticatedHTTP2DOSMitigation} in k8s.io/apiserver
 * pkg/endpoints/filters/authentication.go), and JDK 17's HTTP/2 client then fails the request with "GOAWAY received"
 * before the 401 reaches fabric8. {@link #probe} asks once more over HTTP/1.1, where the server answers the status and
 * then closes the connection, so the 401 is read. It runs only on that failure path: a healthy run never sends it.
 */
final class RefusedCredentials {
    /** How long the one HTTP/1.1 request may take: it is on the way to an error message. */
    static final long PROBE_SECONDS = 10;

    private RefusedCredentials() {
    }

    /** What {@link #probe} was answered: the status (-1: none) and the message of the Status the server sent, or "". */
    record Answer(int code, String message) {
        static final Answer NONE = new Answer(-1, "");
    }

    /**
     * The answer to {@code GET /api} sent over HTTP/1.1 by {@code http11} (a client with this connection's
     * credentials and trust), or {@link Answer#NONE}. /api, not /version: kube-apiserver lets anyone read the
     * version (system:public-info-viewer), but answers /api 401 for credentials it refuses and 403 for an anonymous
     * client, as it does for the request that failed.
     */
    static Answer probe(Supplier<KubernetesClient> http11) {
        try (KubernetesClient client = http11.get()) {
            HttpClient http = client.getHttpClient();
            String base = client.getConfiguration().getMasterUrl();
            var request = http.newHttpRequestBuilder()
                    .uri(base.endsWith("/") ? base + "api" : base + "/api").build();
            HttpResponse<byte[]> answer = http.sendAsync(request, byte[].class).get(PROBE_SECONDS, TimeUnit.SECONDS);
            return new Answer(answer.code(), message(answer.body()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.NONE;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return Answer.NONE;  // no better answer than the one being explained
        }
    }

    /** The {@code message} of a Status body, or "". */
    private static String message(byte[] body) {
        try {
            return body == null ? "" : Json.MAPPER.readTree(body).path("message").asString("");
        } catch (tools.jackson.core.JacksonException e) {
            return "";
        }
    }

    /**
     * "kubeconfig user `dev` (/home/me/.kube/config)" and what to do about its refused credential: an exec plugin's
     * token (log in again; "expired at T" when the plugin said so), a static token (replace it), a client certificate
     * (not trusted by this cluster, or expired: its notAfter is read). Never the credential itself.
     */
    static String advice(Config config, ExecCredentialRuns execRuns, Instant now) {
        String user = user(config);
        String who = who(config);
        Optional<String> plugin = execRuns.commandOf(user);
        if (plugin.isPresent()) {
            Instant expires = execRuns.credentialOf(user).map(ExecCredentialPlugin.Credential::expiresAt).orElse(null);
            String expired = expires != null && expires.isBefore(now)
                    ? " (it expired at " + expires + ", as the plugin said in status.expirationTimestamp)" : "";
            return who + ": the credential its exec plugin " + plugin.get() + " gave was refused" + expired
                    + "; log in again with the plugin's own login command, then run meshform again";
        }
        if (config.getAutoOAuthToken() != null || config.getOauthToken() != null) {
            return who + ": its token is not accepted by this cluster (wrong, revoked, expired, or another cluster's);"
                    + " replace users[].user.token (or tokenFile) with a valid one, or pick another context with --context";
        }
        Instant notAfter = certificateNotAfter(config);
        if (hasClientCertificate(config)) {
            // The server verifies it against its --client-ca-file (k8s.io/apiserver 0.36,
            // pkg/authentication/request/x509/x509.go, Authenticator.AuthenticateRequest): expired, or signed by a CA
            // it trusts no more, is refused with 401.
            String field = certificateField(config);
            if (notAfter != null && notAfter.isBefore(now)) {
                return who + ": its client certificate expired at " + notAfter + "; renew it (" + field
                        + " and its key), or pick another context with --context";
            }
            return who + ": its client certificate is not accepted by this cluster (not signed by the CA the API"
                    + " server trusts for clients, or that CA was replaced); get one the cluster's client CA signed ("
                    + field + " and its key), or pick another context with --context";
        }
        return who + ": its credentials are not accepted; log in again, or pick another context with --context";
    }

    /**
     * The advice for a 403 the API server answered {@code system:anonymous} while the kubeconfig user has a client
     * certificate (and no token): the certificate was never offered. kube-apiserver names the CAs it accepts for
     * clients in its TLS CertificateRequest (k8s.io/apiserver 0.36, pkg/server/dynamiccertificates/tlsconfig.go sets
     * {@code ClientCAs}; Go's crypto/tls sends their subjects), and the JDK's key manager offers only a certificate
     * one of them issued, so a certificate of another CA leaves the request anonymous. kube-apiserver closes an
     * anonymous HTTP/2 connection too (GOAWAY, as for a 401), so the user read that, or RBAC's refusal of
     * system:anonymous, and no word about their certificate. {@code forbidden}: the message of the 403 (the request's,
     * or {@link #probe}'s after a GOAWAY), or null. A user with no credentials at all is said as such
     * ({@link #noCredentials}). A certificate an exec plugin gave ({@code execRuns}) is said as the plugin's: the
     * kubeconfig has no certificate field to replace. Empty otherwise.
     */
    static Optional<DiagnosticsException> anonymousRequest(Config config, ExecCredentialRuns execRuns, String failed,
                                                               String described, String forbidden) {
        String said = SafeUrls.scrub(forbidden == null ? "" : forbidden);
        if (!said.contains("\"system:anonymous\"") || hasToken(config)) {
            return Optional.empty();
        }
        if (!hasClientCertificate(config)) {
            return noCredentials(config, failed, described, said);
        }
        Optional<String> plugin = execRuns.commandOf(user(config));
        String remedy = plugin.isPresent()
                ? "Have the plugin give one the cluster's client CA signed (its ExecCredential's"
                        + " status.clientCertificateData: log in again with the plugin's own login command, for this"
                        + " cluster), or pick another context with --context"
                : "Get one the cluster's client CA signed (" + certificateField(config)
                        + " and its key), or pick another context with --context";
        return Optional.of(new DiagnosticsException(Diagnostic.error(failed + ": the API server took the request as"
                        + " anonymous (HTTP 403 for system:anonymous), without the client certificate of " + described,
                "(hint: " + who(config) + ": " + plugin.map(c -> "the client certificate its exec plugin " + c + " gave")
                        .orElse("its client certificate") + " was not sent: the API server accepts only"
                        + " certificates of the CA it trusts for clients, and this one's issuer is not that CA (a"
                        + " certificate of another cluster, or of a CA since replaced). " + remedy + ". The server said: "
                        + said + ")", null)));
    }

    /**
     * A kubeconfig user with nothing to authenticate with (no token, certificate, exec plugin, auth provider or basic
     * auth, e.g. a {@code user: {}} left after a copy): every request is anonymous, which kube-apiserver answers 403
     * for {@code system:anonymous}, over HTTP/2 as a GOAWAY (the user read that). Said as the missing credentials.
     */
    private static Optional<DiagnosticsException> noCredentials(Config config, String failed, String described, String said) {
        if (config.getAuthProvider() != null || config.getOauthTokenProvider() != null || config.getUsername() != null) {
            return Optional.empty();
        }
        return Optional.of(new DiagnosticsException(Diagnostic.error(failed + ": the API server took the request as"
                        + " anonymous (HTTP 403 for system:anonymous): " + described + " gives no credentials",
                "(hint: " + who(config) + " has no token, client certificate, exec plugin or auth provider; add the"
                        + " user's credentials to users[].user in the kubeconfig (`kubectl config set-credentials`), or"
                        + " pick another context with --context. The server said: " + said + ")", null)));
    }

    private static boolean hasToken(Config config) {
        return config.getAutoOAuthToken() != null || config.getOauthToken() != null;
    }

    private static boolean hasClientCertificate(Config config) {
        return config.getClientCertData() != null || config.getClientCertFile() != null;
    }

    /** The kubeconfig field that holds the user's client certificate, as the user would edit it. */
    private static String certificateField(Config config) {
        return "users[].user." + (config.getClientCertData() != null ? "client-certificate-data" : "client-certificate");
    }

    private static String user(Config config) {
        return config.getCurrentContext() == null || config.getCurrentContext().getContext() == null
                ? null : config.getCurrentContext().getContext().getUser();
    }

    /** "kubeconfig user `dev` (/home/me/.kube/config)". */
    private static String who(Config config) {
        String user = user(config);
        return "kubeconfig user `" + (user == null ? "(none)" : user) + "`"
                + (config.getFile() == null ? "" : " (" + config.getFile() + ")");
    }

    /** The notAfter of the client certificate given inline, or null (a file, none, or not readable). */
    private static Instant certificateNotAfter(Config config) {
        if (config.getClientCertData() == null) {
            return null;
        }
        try {
            byte[] pem = Base64.getMimeDecoder().decode(config.getClientCertData());
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem));
            return cert.getNotAfter().toInstant();
        } catch (CertificateException | IllegalArgumentException e) {
            return null;
        }
    }
}

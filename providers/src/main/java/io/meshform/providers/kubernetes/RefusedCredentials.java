package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
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

    /**
     * The status of {@code GET /api} sent over HTTP/1.1 by {@code http11} (a client with this connection's
     * credentials and trust), or -1 when it got no answer. /api, not /version: kube-apiserver lets anyone read the
     * version (system:public-info-viewer), but answers /api 401 for credentials it refuses and 403 for an anonymous
     * client, as it does for the request that failed.
     */
    static int probe(Supplier<KubernetesClient> http11) {
        try (KubernetesClient client = http11.get()) {
            HttpClient http = client.getHttpClient();
            String base = client.getConfiguration().getMasterUrl();
            var request = http.newHttpRequestBuilder()
                    .uri(base.endsWith("/") ? base + "api" : base + "/api").build();
            HttpResponse<byte[]> answer = http.sendAsync(request, byte[].class).get(PROBE_SECONDS, TimeUnit.SECONDS);
            return answer.code();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return -1;  // no better answer than the one being explained
        }
    }

    /**
     * "kubeconfig user `dev` (/home/me/.kube/config)" and what to do about its refused credential: an exec plugin's
     * token (log in again; "expired at T" when the plugin said so), a static token (replace it), a client certificate
     * (not trusted by this cluster, or expired: its notAfter is read). Never the credential itself.
     */
    static String advice(Config config, ExecCredentialRuns execRuns, Instant now) {
        String user = config.getCurrentContext() == null || config.getCurrentContext().getContext() == null
                ? null : config.getCurrentContext().getContext().getUser();
        String who = "kubeconfig user `" + (user == null ? "(none)" : user) + "`"
                + (config.getFile() == null ? "" : " (" + config.getFile() + ")");
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
        if (notAfter != null || config.getClientCertFile() != null) {
            String expired = notAfter != null && notAfter.isBefore(now) ? " It expired at " + notAfter + "." : "";
            return who + ": its client certificate is not trusted by this cluster's client CA, or has expired."
                    + expired + " Renew it (users[].user.client-certificate-data), or pick another context with --context";
        }
        return who + ": its credentials are not accepted; log in again, or pick another context with --context";
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

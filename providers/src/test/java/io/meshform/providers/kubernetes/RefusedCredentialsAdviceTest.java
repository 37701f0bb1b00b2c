package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import java.io.InputStream;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * What a refused client certificate is said as: what to do for a certificate (get one the cluster's client CA signed,
 * renew an expired one, naming the field the kubeconfig uses), never "replace the token". RefusedCredentialsIT shows
 * the real API server's answers these are chosen for.
 */
class RefusedCredentialsAdviceTest {
    private static String leafPem() throws Exception {
        try (InputStream in = RefusedCredentialsAdviceTest.class.getResourceAsStream("/tls/leaf.pem")) {
            return Base64.getEncoder().encodeToString(in.readAllBytes());
        }
    }

    private static Config config(String user) {
        return Config.fromKubeconfig("dev", """
                apiVersion: v1
                kind: Config
                current-context: dev
                clusters:
                - {name: c, cluster: {server: https://127.0.0.1:1111}}
                contexts:
                - {name: dev, context: {cluster: c, user: u}}
                users:
                - name: u
                  user:
                %s""".formatted(user), null);
    }

    private static String forbidden(String user) {
        return "forbidden: User \"" + user + "\" cannot get path \"/api\"";
    }

    @Test
    void aRefusedInlineCertificateIsToBeReplacedByOneTheClusterSigned() throws Exception {
        String m = RefusedCredentials.advice(config("    client-certificate-data: " + leafPem() + "\n    client-key-data: eA==\n"),
                new ExecCredentialRuns(), Instant.now());
        assertTrue(m.contains("kubeconfig user `u`: its client certificate is not accepted by this cluster")
                && m.contains("get one the cluster's client CA signed (users[].user.client-certificate-data and its key)"), m);
        assertFalse(m.contains("token") || m.contains("expired at"), m);
    }

    @Test
    void aCertificateFileIsNamedAsTheFieldItIs() {
        String m = RefusedCredentials.advice(config("    client-certificate: /etc/k/user.crt\n    client-key: /etc/k/user.key\n"),
                new ExecCredentialRuns(), Instant.now());
        assertTrue(m.contains("(users[].user.client-certificate and its key)"), m);
    }

    @Test
    void anInlineCertificatePastItsNotAfterIsSaidExpired() throws Exception {
        // leaf.pem is valid for 100 years from 2026: judged two centuries later
        String m = RefusedCredentials.advice(config("    client-certificate-data: " + leafPem() + "\n    client-key-data: eA==\n"),
                new ExecCredentialRuns(), Instant.parse("2226-01-01T00:00:00Z"));
        assertTrue(m.contains("its client certificate expired at ") && m.contains("renew it (users[].user.client-certificate-data"), m);
    }

    @Test
    void aForbiddenAnonymousRequestOfACertificateUserSaysTheCertificateWasNotSent() throws Exception {
        Config config = config("    client-certificate-data: " + leafPem() + "\n    client-key-data: eA==\n");
        var d = RefusedCredentials.anonymousRequest(config, new ExecCredentialRuns(), "x: list ConfigMaps", "context dev",
                forbidden("system:anonymous")).orElseThrow().diagnostics().get(0);
        String m = d.summary() + "\n" + d.detail();
        assertTrue(m.contains("took the request as anonymous (HTTP 403 for system:anonymous), without the client certificate of context dev")
                && m.contains("its client certificate was not sent") && m.contains("users[].user.client-certificate-data"), m);
        assertFalse(m.contains("RBAC") || m.contains("token"), m);
    }

    /**
     * A certificate an exec plugin gave (KubeconfigReader puts it in the config as client-certificate-data) is the
     * plugin's to replace: the kubeconfig has no certificate field to name.
     */
    @Test
    void aForbiddenAnonymousRequestOfAnExecPluginsCertificateNamesThePlugin() throws Exception {
        Config config = config("    client-certificate-data: " + leafPem() + "\n    client-key-data: eA==\n");
        io.fabric8.kubernetes.api.model.ExecConfig exec = new io.fabric8.kubernetes.api.model.ExecConfig();
        exec.setApiVersion("client.authentication.k8s.io/v1");
        exec.setCommand("cert-plugin");
        ExecCredentialRuns runs = new ExecCredentialRuns();
        runs.get(new ExecCredentialPlugin(exec, null, "u", 1_000),
                () -> new ExecCredentialPlugin.Credential(null, "Y2VydA==", "a2V5"));
        var d = RefusedCredentials.anonymousRequest(config, runs, "x: list ConfigMaps", "context dev",
                forbidden("system:anonymous")).orElseThrow().diagnostics().get(0);
        String m = d.summary() + "\n" + d.detail();
        assertTrue(m.contains("the client certificate its exec plugin cert-plugin gave was not sent")
                && m.contains("status.clientCertificateData") && m.contains("plugin's own login command"), m);
        assertFalse(m.contains("users[].user.client-certificate"), m);
    }

    @Test
    void aForbiddenAnonymousRequestOfAUserWithoutCredentialsSaysSo() {
        var d = RefusedCredentials.anonymousRequest(config("    {}\n"), new ExecCredentialRuns(), "x: list ConfigMaps",
                "context dev", forbidden("system:anonymous")).orElseThrow().diagnostics().get(0);
        String m = d.summary() + "\n" + d.detail();
        assertTrue(m.contains("took the request as anonymous (HTTP 403 for system:anonymous): context dev gives no credentials")
                && m.contains("kubeconfig user `u`") && m.contains("has no token, client certificate, exec plugin or auth provider")
                && m.contains("users[].user"), m);
        // basic auth is a credential (the server may refuse it, which is another answer)
        assertTrue(RefusedCredentials.anonymousRequest(config("    {username: a, password: b}\n"), new ExecCredentialRuns(),
                "x", "c", forbidden("system:anonymous")).isEmpty());
    }

    @Test
    void otherForbiddenAnswersAreLeftToRbacsWording() throws Exception {
        Config cert = config("    client-certificate-data: " + leafPem() + "\n    client-key-data: eA==\n");
        assertTrue(RefusedCredentials.anonymousRequest(cert, new ExecCredentialRuns(), "x", "c", forbidden("admin")).isEmpty());
        Config token = config("    token: abc\n");
        assertTrue(RefusedCredentials.anonymousRequest(token, new ExecCredentialRuns(), "x", "c", forbidden("system:anonymous"))
                .isEmpty());
    }
}

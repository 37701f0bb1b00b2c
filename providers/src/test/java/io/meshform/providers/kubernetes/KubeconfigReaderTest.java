package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kubeconfig feature gives the same client {@link Config} through {@link KubeconfigReader} as through fabric8's
 * own {@code Config.fromKubeconfig} and {@code Config.autoConfigure}, which parse through the model-class scan.
 */
class KubeconfigReaderTest {
    private static final String CA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==";

    /** The client settings a kubeconfig decides, by name, so a failure shows which one differs. */
    private static Map<String, Object> view(Config c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("masterUrl", c.getMasterUrl());
        m.put("namespace", c.getNamespace());
        m.put("currentContext", c.getCurrentContext() == null ? null : c.getCurrentContext().getName());
        m.put("contexts", c.getContexts() == null ? null
                : c.getContexts().stream().map(n -> n.getName()).sorted().toList());
        m.put("trustCerts", c.isTrustCerts());
        m.put("disableHostnameVerification", c.isDisableHostnameVerification());
        m.put("caCertFile", c.getCaCertFile());
        m.put("caCertData", c.getCaCertData());
        m.put("clientCertFile", c.getClientCertFile());
        m.put("clientCertData", c.getClientCertData());
        m.put("clientKeyFile", c.getClientKeyFile());
        m.put("clientKeyData", c.getClientKeyData());
        m.put("clientKeyAlgo", c.getClientKeyAlgo());
        m.put("autoOAuthToken", c.getAutoOAuthToken());
        m.put("oauthToken", c.getOauthToken());
        m.put("username", c.getUsername());
        m.put("password", c.getPassword());
        m.put("authProvider", c.getAuthProvider() == null ? null
                : c.getAuthProvider().getName() + " " + c.getAuthProvider().getConfig());
        m.put("httpProxy", c.getHttpProxy());
        m.put("httpsProxy", c.getHttpsProxy());
        m.put("tlsServerName", c.getTlsServerName());
        m.put("file", c.getFile());
        m.put("fileWithCluster", c.getFileWithCluster());
        m.put("fileWithAuthInfo", c.getFileWithAuthInfo());
        m.put("autoConfigure", c.getAutoConfigure());
        return m;
    }

    private static void sameAsFabric8(Path file, String context) {
        sameAsFabric8(file, context, Map.of());
    }

    /** As fabric8's, but for {@code ours}: the settings where meshform follows kubectl instead ({@link ClusterTransport}). */
    private static void sameAsFabric8(Path file, String context, Map<String, Object> ours) {
        Map<String, Object> fabric8 = view(context == null ? Config.fromKubeconfig(file.toFile())
                : Config.fromKubeconfig(context, file.toFile()));
        fabric8.putAll(ours);
        assertEquals(fabric8, view(new KubeconfigReader().fromFile(context, file.toFile())));
    }

    private static final String TWO_CONTEXTS = """
            apiVersion: v1
            kind: Config
            current-context: a
            clusters:
            - name: a
              cluster:
                server: https://127.0.0.1:1111
                certificate-authority-data: %s
                tls-server-name: api.internal
            - name: b
              cluster:
                server: https://127.0.0.1:2222
                certificate-authority: pki/ca.crt
                proxy-url: http://proxy.example:3128
            contexts:
            - name: a
              context: {cluster: a, user: certs, namespace: cortex}
            - name: b
              context: {cluster: b, user: files}
            users:
            - name: certs
              user: {client-certificate-data: Y2VydA==, client-key-data: a2V5}
            - name: files
              user: {client-certificate: pki/admin.crt, client-key: pki/admin.key}
            """.formatted(CA);

    @Test
    void currentContextNamespaceCaDataAndClientCertDataAsFabric8(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("config"), TWO_CONTEXTS);
        sameAsFabric8(f, null);
        Config c = new KubeconfigReader().fromFile(null, f.toFile());
        assertEquals("cortex", c.getNamespace());
        assertEquals("api.internal", c.getTlsServerName());
    }

    @Test
    void pickedContextWithRelativeFilesAndProxyAsFabric8(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("config"), TWO_CONTEXTS);
        // an http:// proxy-url is the proxy of the https:// server too, as in kubectl (fabric8 leaves it to http:// servers)
        sameAsFabric8(f, "b", Map.of("httpsProxy", "http://proxy.example:3128"));
        Config c = new KubeconfigReader().fromFile("b", f.toFile());
        // relative paths are relative to the kubeconfig's directory, not to the working directory
        assertEquals(dir.resolve("pki/ca.crt").toString(), c.getCaCertFile());
        assertEquals(dir.resolve("pki/admin.key").toString(), c.getClientKeyFile());
        assertEquals("http://proxy.example:3128", c.getHttpProxy());
        assertEquals(f.toFile(), c.getFile());
    }

    @Test
    void fileKeysAreTheOnesFabric8Reads(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("config"), TWO_CONTEXTS);
        var parsed = new KubeconfigReader().parse(f.toFile());
        var context = parsed.getContexts().get(0);
        assertEquals(f.toFile(), KubeConfigUtils.getFileWithNamedContext(context));
        KubeConfigUtils.merge(Config.empty(), "a", parsed);
        assertEquals(f.toFile(), KubeConfigUtils.getFileWithNamedCluster(context));
        assertEquals(f.toFile(), KubeConfigUtils.getFileWithNamedAuthInfo(context));
    }

    @Test
    void tokenTokenFileBasicAuthAndInsecureAsFabric8(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("config"), """
                apiVersion: v1
                kind: Config
                current-context: token
                clusters:
                - name: c
                  cluster: {server: https://127.0.0.1:1111, insecure-skip-tls-verify: true}
                contexts:
                - {name: token, context: {cluster: c, user: token}}
                - {name: tokenfile, context: {cluster: c, user: tokenfile}}
                - {name: basic, context: {cluster: c, user: basic}}
                users:
                - {name: token, user: {token: abc}}
                - {name: tokenfile, user: {tokenFile: token.txt}}
                - {name: basic, user: {username: admin, password: secret}}
                """);
        Files.writeString(dir.resolve("token.txt"), "from-file");
        for (String context : List.of("token", "tokenfile", "basic")) {
            sameAsFabric8(f, context);
        }
        Config basic = new KubeconfigReader().fromFile("basic", f.toFile());
        assertEquals("admin", basic.getUsername());
        assertEquals(true, basic.isTrustCerts());
    }

    @Test
    void execCredentialPluginRunsRelativeToTheKubeconfigAsFabric8(@TempDir Path dir) throws Exception {
        Path plugin = Files.writeString(dir.resolve("cred.sh"), """
                #!/bin/sh
                echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-'"$PLUGIN_SUFFIX"'"}}'
                """);
        Files.setPosixFilePermissions(plugin, PosixFilePermissions.fromString("rwx------"));
        Path f = Files.writeString(dir.resolve("config"), """
                apiVersion: v1
                kind: Config
                current-context: exec
                clusters:
                - {name: c, cluster: {server: https://127.0.0.1:1111}}
                contexts:
                - {name: exec, context: {cluster: c, user: exec}}
                - {name: oidc, context: {cluster: c, user: oidc}}
                users:
                - name: exec
                  user:
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: ./cred.sh
                      env: [{name: PLUGIN_SUFFIX, value: ok}]
                - name: oidc
                  user:
                    auth-provider: {name: oidc, config: {id-token: idt, client-id: meshform}}
                """);
        sameAsFabric8(f, "exec");
        assertEquals("exec-ok", new KubeconfigReader().fromFile(null, f.toFile()).getAutoOAuthToken());
        sameAsFabric8(f, "oidc");
        assertEquals("idt", new KubeconfigReader().fromFile("oidc", f.toFile()).getAutoOAuthToken());
    }

    @Test
    void severalFilesMergeFirstFileFirstAsFabric8AutoConfigure(@TempDir Path dir) throws Exception {
        Path first = Files.writeString(dir.resolve("first"), """
                apiVersion: v1
                kind: Config
                current-context: one
                clusters: [{name: c, cluster: {server: https://127.0.0.1:1111}}]
                contexts: [{name: one, context: {cluster: c, user: u}}]
                users: [{name: u, user: {token: first}}]
                """);
        Path second = Files.writeString(dir.resolve("second"), """
                apiVersion: v1
                kind: Config
                current-context: two
                clusters: [{name: c, cluster: {server: https://127.0.0.1:2222}}, {name: d, cluster: {server: https://127.0.0.1:3333}}]
                contexts: [{name: two, context: {cluster: d, user: u, namespace: two}}]
                users: [{name: u, user: {token: second}}]
                """);
        Path empty = Files.writeString(dir.resolve("empty"), "");
        String paths = String.join(File.pathSeparator, empty.toString(), first.toString(),
                dir.resolve("missing").toString(), second.toString());
        for (String context : java.util.Arrays.asList(null, "two", "nope")) {
            withKubeconfigProperty(paths, () -> {
                assertEquals(view(Config.autoConfigure(context)), view(new KubeconfigReader().autoConfigure(context)));
                return null;
            });
        }
        Config two = withKubeconfigProperty(paths, () -> new KubeconfigReader().autoConfigure("two"));
        assertEquals("https://127.0.0.1:3333/", two.getMasterUrl());
        assertEquals("first", two.getAutoOAuthToken());
    }

    @Test
    void noKubeconfigFileLeavesItToFabric8(@TempDir Path dir) {
        String missing = dir.resolve("missing").toString();
        assertEquals(List.of(), withKubeconfigProperty(missing, KubeconfigReader::kubeconfigFiles));
        assertEquals(withKubeconfigProperty(missing, () -> view(Config.autoConfigure(null))),
                withKubeconfigProperty(missing, () -> view(new KubeconfigReader().autoConfigure(null))));
    }

    @Test
    void aFileThatIsNoKubeconfigFailsAtItsLineWithoutQuotingIt(@TempDir Path dir) throws Exception {
        // fabric8's own errors quote the offending line or value: in a kubeconfig, a token or a key (KubeconfigProblem)
        String secret = "S3CRET-token-value";
        Map<String, String> cases = Map.of(
                "users:\n- name: u\n  user:\n    token: " + secret + " : x\n", "config:4:",
                "users:\n- name: u\n  user:\n    token: [" + secret + "\nclusters: []\n", "config:5:9: error: the kubeconfig is not valid"
                        + " YAML: expected ',' or ']', but got : (while parsing a flow sequence from line 4, column 12)",
                "users:\n- name: u\n  user:\n    token: {x: " + secret + "}\n", "`users[0].user.token` has the wrong type: expected a string",
                secret + "\n", "the file is not a kubeconfig",
                "clusters: 3\n", "`clusters` has the wrong type: expected a list");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path f = Files.writeString(dir.resolve("config"), c.getKey());
            var e = assertThrows(io.meshform.engine.diag.DiagnosticsException.class,
                    () -> new KubeconfigReader().fromFile(null, f.toFile()), c.getKey());
            String shown = e.getMessage() + e.diagnostics();
            assertFalse(shown.contains("S3CRET"), shown);
            assertTrue(shown.contains(c.getValue()), c.getKey() + " -> " + shown);
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertFalse(String.valueOf(t.getMessage()).contains("S3CRET"), "a debug stack trace would print " + t);
            }
        }
    }

    @Test
    void aFileWithoutADocumentIsNamed(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("config"), "# nothing yet\n---\n");
        var e = assertThrows(RuntimeException.class, () -> new KubeconfigReader().fromFile(null, f.toFile()));
        assertEquals(f + " (File) is not a parseable Kubernetes Config: it holds no YAML document", e.getMessage());
    }

    @Test
    void anExtensionStillParses(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("config"), """
                apiVersion: v1
                kind: Config
                current-context: a
                clusters:
                - name: a
                  cluster:
                    server: https://127.0.0.1:1111
                    extensions: [{name: client.authentication.k8s.io/exec, extension: {audience: x}}]
                contexts: [{name: a, context: {cluster: a, user: u}}]
                users: [{name: u, user: {token: t}}]
                """);
        sameAsFabric8(f, null);
        assertFalse(new KubeconfigReader().parse(f.toFile()).getClusters().get(0).getCluster().getExtensions().isEmpty());
    }

    /** fabric8 reads the list of kubeconfig files from the {@code kubeconfig} system property before KUBECONFIG. */
    private static <T> T withKubeconfigProperty(String value, Supplier<T> body) {
        String before = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE);
        System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, value);
        try {
            return body.get();
        } finally {
            if (before == null) {
                System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
            } else {
                System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, before);
            }
        }
    }
}

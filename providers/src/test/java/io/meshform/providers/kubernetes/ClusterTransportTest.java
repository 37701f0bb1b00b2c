package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A kubeconfig cluster's TLS and proxy settings as kubectl (client-go) takes them, where fabric8 takes them otherwise. */
class ClusterTransportTest {
    private static final String CA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==";

    private static Path kubeconfig(Path dir, String cluster) throws Exception {
        return Files.writeString(dir.resolve("config"), """
                apiVersion: v1
                kind: Config
                current-context: c
                clusters:
                - name: prod
                  cluster: {server: https://127.0.0.1:6443, %s}
                contexts:
                - name: c
                  context: {cluster: prod, user: u}
                users:
                - name: u
                  user: {token: abcd}
                """.formatted(cluster));
    }

    @Test
    void insecureSkipTlsVerifyBesideCaDataIsRefusedAsKubectlRefusesIt(@TempDir Path dir) throws Exception {
        Path f = kubeconfig(dir, "insecure-skip-tls-verify: true, certificate-authority-data: " + CA);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KubeconfigReader().fromFile(null, f.toFile()));
        assertTrue(e.getMessage().startsWith("cluster `prod` (in " + f + ") sets insecure-skip-tls-verify: true and names a"
                + " CA (certificate-authority-data); kubectl refuses such a cluster"), e.getMessage());
        assertTrue(e.getMessage().contains("Remove insecure-skip-tls-verify"), e.getMessage());
        // fabric8 alone took it, and checked no certificate
        assertTrue(Config.fromKubeconfig(f.toFile()).isTrustCerts());
    }

    @Test
    void insecureSkipTlsVerifyBesideACaFileIsRefusedToo(@TempDir Path dir) throws Exception {
        Path f = kubeconfig(dir, "insecure-skip-tls-verify: true, certificate-authority: ca.crt");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new KubeconfigReader().fromFile(null, f.toFile()))
                .getMessage().contains("names a CA (certificate-authority)"));
    }

    @Test
    void insecureSkipTlsVerifyAloneOrFalseBesideACaIsTaken(@TempDir Path dir) throws Exception {
        assertTrue(new KubeconfigReader().fromFile(null, kubeconfig(dir, "insecure-skip-tls-verify: true").toFile()).isTrustCerts());
        Config c = new KubeconfigReader().fromFile(null,
                kubeconfig(dir, "insecure-skip-tls-verify: false, certificate-authority-data: " + CA).toFile());
        assertFalse(c.isTrustCerts());
    }

    @Test
    void anHttpProxyUrlIsTheProxyOfAnHttpsServer(@TempDir Path dir) throws Exception {
        Path f = kubeconfig(dir, "proxy-url: 'http://u:p@proxy.example:3128'");
        Config c = new KubeconfigReader().fromFile(null, f.toFile());
        assertEquals("http://u:p@proxy.example:3128", c.getHttpsProxy());
        assertEquals("http://u:p@proxy.example:3128", c.getHttpProxy());
        assertNull(Config.fromKubeconfig(f.toFile()).getHttpsProxy(), "fabric8 alone sent the https server's requests past it");
    }

    /**
     * --all-contexts lists the contexts first: a refused current cluster (and its user's exec plugin) belong to a run
     * against that context, not to the listing, which failed for every context before.
     */
    @Test
    void listingTheContextsChecksNoClusterAndRunsNoPlugin(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("plugin-ran");
        Path plugin = Files.writeString(dir.resolve("plugin.sh"), "#!/bin/sh\ntouch " + marker + "\nexit 1\n");
        plugin.toFile().setExecutable(true);
        Path f = Files.writeString(dir.resolve("config"), """
                apiVersion: v1
                kind: Config
                current-context: refused
                clusters:
                - name: bad
                  cluster: {server: 'https://127.0.0.1:6443', insecure-skip-tls-verify: true, certificate-authority-data: %s}
                - name: good
                  cluster: {server: 'https://127.0.0.1:6444', certificate-authority-data: %s}
                contexts:
                - name: refused
                  context: {cluster: bad, user: plugin}
                - name: fine
                  context: {cluster: good, user: plugin}
                users:
                - name: plugin
                  user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: %s}}
                """.formatted(CA, CA, plugin));
        var settings = new io.meshform.engine.spi.ProviderSettings(java.util.Map.of("kubeconfig", f.toString(),
                KubeConnection.HOME_SETTING, dir.toString()));
        assertEquals(List.of("fine", "refused"), KubeConnection.contextNames(settings));
        assertFalse(Files.exists(marker), "no exec plugin runs to list the contexts");
    }

    @Test
    void aProxyUrlWithoutAPortIsDialledAtEighty(@TempDir Path dir) throws Exception {
        Config c = new KubeconfigReader().fromFile(null, kubeconfig(dir, "proxy-url: 'http://proxy.example'").toFile());
        assertEquals("http://proxy.example:80", c.getHttpsProxy());
    }

    @Test
    void aClustersProxyUrlWinsOverTheEnvironmentsAndItsNoProxy(@TempDir Path dir) throws Exception {
        Path f = kubeconfig(dir, "proxy-url: 'http://proxy.example:3128'");
        java.util.Map<String, String> before = new java.util.HashMap<>();
        for (String p : List.of("no.proxy", "https.proxy")) {
            before.put(p, System.getProperty(p));
        }
        System.setProperty("no.proxy", "127.0.0.1");
        System.setProperty("https.proxy", "http://other.example:8080");
        try {
            Config c = new KubeconfigReader().autoConfigure(null, List.of(f.toFile()));
            assertEquals("http://proxy.example:3128", c.getHttpsProxy());
            assertNull(c.getNoProxy());
        } finally {
            before.forEach((p, v) -> {
                if (v == null) {
                    System.clearProperty(p);
                } else {
                    System.setProperty(p, v);
                }
            });
        }
    }

    @Test
    void httpsAndSocks5ProxiesAreRefusedWithWhatToDo(@TempDir Path dir) throws Exception {
        for (String proxy : List.of("https://u:secretpw@proxy.example:3128", "socks5://proxy.example:1080")) {
            Path f = kubeconfig(dir, "proxy-url: '" + proxy + "'");
            String m = assertThrows(IllegalArgumentException.class, () -> new KubeconfigReader().fromFile(null, f.toFile()))
                    .getMessage();
            assertTrue(m.startsWith("cluster `prod` (in " + f + "): proxy-url "), m);
            assertTrue(m.contains("which kubectl supports and meshform does not"), m);
            assertTrue(m.contains("give the cluster an http:// proxy-url"), m);
            assertFalse(m.contains("secretpw"), "the proxy's credentials are not printed: " + m);
        }
        Path f = kubeconfig(dir, "proxy-url: 'ftp://proxy.example:21'");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new KubeconfigReader().fromFile(null, f.toFile()))
                .getMessage().contains("not an http, https or socks5 URL, which kubectl refuses too"));
    }

    @Test
    void aRefusedClusterIsRefusedBeforeItsUsersExecPluginRuns(@TempDir Path dir) throws Exception {
        Path ran = dir.resolve("ran");
        Path f = Files.writeString(dir.resolve("config"), """
                apiVersion: v1
                kind: Config
                current-context: c
                clusters:
                - name: prod
                  cluster: {server: https://127.0.0.1:6443, insecure-skip-tls-verify: true, certificate-authority-data: %s}
                contexts:
                - name: c
                  context: {cluster: prod, user: u}
                users:
                - name: u
                  user:
                    exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh, args: ["-c", "touch %s"]}
                """.formatted(CA, ran));
        assertThrows(IllegalArgumentException.class, () -> new KubeconfigReader().fromFile(null, f.toFile()));
        assertFalse(Files.exists(ran));
    }

    @Test
    void aProxyNothingListensOnIsSaidAsTheProxyBeforeAnyRequest(@TempDir Path dir) throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Config c = new KubeconfigReader().fromFile(null, kubeconfig(dir, "proxy-url: 'http://u:pw1234@127.0.0.1:" + port + "'").toFile());
        String m = assertThrows(io.meshform.engine.diag.DiagnosticsException.class,
                () -> KubeConnection.reachable(c, "context c at https://127.0.0.1:6443/")).getMessage();
        assertTrue(m.contains("cannot reach the proxy http://127.0.0.1:" + port + " that requests to the Kubernetes API"
                + " server go through (context c at https://127.0.0.1:6443/): Connection refused"), m);
        assertFalse(m.contains("pw1234"), m);
    }
}

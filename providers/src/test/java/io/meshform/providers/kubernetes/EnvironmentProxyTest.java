package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.spi.ProviderSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment's proxy for the API server as Go's httpproxy (kubectl's client-go) chooses it. */
class EnvironmentProxyTest {
    private static EnvironmentProxy env(Map<String, String> vars) {
        return EnvironmentProxy.of(vars::get);
    }

    private static final EnvironmentProxy PROXY = env(Map.of("HTTPS_PROXY", "http://proxy.corp:3128",
            "HTTP_PROXY", "http://plain.corp:8080"));

    @Test
    void anHttpsServerGoesThroughHttpsProxyAndAnHttpOneThroughHttpProxy() {
        assertEquals("http://proxy.corp:3128", PROXY.forServer("https://api.prod.example:6443").toString());
        assertEquals("http://plain.corp:8080", PROXY.forServer("http://api.prod.example:8080").toString());
        // Go's proxyForURL: an https server never falls back to HTTP_PROXY
        assertNull(env(Map.of("HTTP_PROXY", "http://plain.corp:8080")).forServer("https://api.prod.example:6443"));
        assertEquals("http://lower:1", env(Map.of("https_proxy", "http://lower:1")).forServer("https://a.example").toString());
        assertEquals("http://upper:1", env(Map.of("HTTPS_PROXY", "http://upper:1", "https_proxy", "http://lower:1"))
                .forServer("https://a.example").toString());
    }

    @Test
    void aProxyWithoutAPortIsDialledAtEightyAsGoDialsIt() {
        assertEquals("http://proxy.corp:80", env(Map.of("HTTPS_PROXY", "http://proxy.corp")).forServer("https://a.example").toString());
        assertEquals("http://proxy.corp:80", env(Map.of("HTTPS_PROXY", "proxy.corp")).forServer("https://a.example").toString());
    }

    @Test
    void anAddressThatIsNoLiteralIsANameAndNeverLookedUp() {
        EnvironmentProxy p = env(Map.of("HTTPS_PROXY", "http://p:1", "NO_PROXY", "300.1.1.1"));
        assertFalse(p.useProxy("300.1.1.1", "443"), "matched as the name it is (a domain entry)");
        assertTrue(p.useProxy("10.0.0.1", "443"));
        assertNull(IpLiterals.parse("300.1.1.1"));
        assertEquals("10.0.0.1", IpLiterals.parse("10.0.0.1").getHostAddress());
    }

    @Test
    void loopbackAndLocalhostNeverGoThroughAProxy() {
        assertNull(PROXY.forServer("https://127.0.0.1:16443"));
        assertNull(PROXY.forServer("https://127.0.0.2:16443"));
        assertNull(PROXY.forServer("https://localhost:6443"));
        assertNull(PROXY.forServer("https://[::1]:6443"));
        assertTrue(PROXY.useProxy("10.0.0.1", "443"));
    }

    @Test
    void noProxyNamesDomainsIpsBlocksAndPorts() {
        EnvironmentProxy p = env(Map.of("HTTPS_PROXY", "proxy.corp:3128",
                "NO_PROXY", " example.com, .internal,*.svc,10.1.2.3, 192.168.0.0/16 ,api.other:8443,[fd00::1]:443"));
        assertFalse(p.useProxy("example.com", "443"), "a domain matches itself");
        assertFalse(p.useProxy("api.example.com", "443"), "and its subdomains");
        assertTrue(p.useProxy("notexample.com", "443"), "not a longer name ending alike");
        assertTrue(p.useProxy("internal", "443"), ".internal matches subdomains only");
        assertFalse(p.useProxy("a.internal", "443"));
        assertFalse(p.useProxy("kubernetes.default.svc", "443"));
        assertTrue(p.useProxy("svc", "443"));
        assertFalse(p.useProxy("10.1.2.3", "6443"));
        assertFalse(p.useProxy("192.168.44.5", "443"));
        assertTrue(p.useProxy("192.169.0.1", "443"));
        assertFalse(p.useProxy("api.other", "8443"));
        assertTrue(p.useProxy("api.other", "443"), "an entry with a port matches that port only");
        assertFalse(p.useProxy("[fd00::1]", "443"));
        assertTrue(p.useProxy("10.1.2.4", "443"));
        assertTrue(p.useProxy("example.com.evil", "443"));
        assertEquals("http://proxy.corp:3128", p.forServer("https://10.9.9.9:6443").toString(), "a value without a scheme is http://");
        assertNull(env(Map.of("HTTPS_PROXY", "http://p:1", "NO_PROXY", "*")).forServer("https://api.example"));
        assertNull(env(Map.of("HTTPS_PROXY", "http://p:1", "no_proxy", "api.example")).forServer("https://api.example"));
    }

    @Test
    void aProxyMeshformsClientCannotSpeakToIsRefusedOnlyWhenTheServerWouldUseIt() {
        EnvironmentProxy socks = env(Map.of("HTTPS_PROXY", "socks5://127.0.0.1:1080"));
        DiagnosticsException e = assertThrows(DiagnosticsException.class, () -> socks.forServer("https://api.example:6443"));
        assertTrue(e.getMessage().contains("HTTPS_PROXY socks5://127.0.0.1:1080 is not an http://HOST:PORT proxy"), e.getMessage());
        assertNull(socks.forServer("https://127.0.0.1:6443"));
    }

    private static Path kubeconfig(Path dir, String cluster) throws Exception {
        return Files.writeString(dir.resolve("config"), """
                apiVersion: v1
                kind: Config
                current-context: c
                clusters:
                - name: prod
                  cluster: {server: 'https://api.prod.example:6443', %s}
                contexts:
                - name: c
                  context: {cluster: prod, user: u}
                users:
                - name: u
                  user: {token: abcd}
                """.formatted(cluster));
    }

    /** fabric8 read no proxy for --kubeconfig's file (kubectl reads the variables whichever kubeconfig it is given). */
    @Test
    void aKubeconfigFileGetsTheEnvironmentsProxyAndItsProxyUrlWins(@TempDir Path dir) throws Exception {
        Path f = kubeconfig(dir, "insecure-skip-tls-verify: true");
        Config c = new KubeconfigReader(new ExecCredentialRuns(), PROXY).fromFile(null, f.toFile());
        assertEquals("http://proxy.corp:3128", c.getHttpsProxy());
        assertNull(c.getNoProxy());
        assertNull(new KubeconfigReader().fromFile(null, f.toFile()).getHttpsProxy(), "fabric8's reading: none");

        Path own = kubeconfig(dir, "insecure-skip-tls-verify: true, proxy-url: 'http://cluster-proxy:3128'");
        assertEquals("http://cluster-proxy:3128",
                new KubeconfigReader(new ExecCredentialRuns(), PROXY).fromFile(null, own.toFile()).getHttpsProxy());
    }

    /** The CLI hands its environment's variables over as settings; a caller without $HOME uses the JVM's own. */
    @Test
    void theCallersVariablesComeAsSettings() {
        ProviderSettings given = new ProviderSettings(Map.of(KubeConnection.HOME_SETTING, "/home/u",
                KubeConnection.PROXY_SETTING_PREFIX + "HTTPS_PROXY", "http://given:1"));
        assertEquals("http://given:1", KubeconfigSource.proxy(given).forServer("https://api.example").toString());
        ProviderSettings none = new ProviderSettings(Map.of(KubeConnection.HOME_SETTING, "/home/u"));
        assertNull(KubeconfigSource.proxy(none).forServer("https://api.example"));
    }
}

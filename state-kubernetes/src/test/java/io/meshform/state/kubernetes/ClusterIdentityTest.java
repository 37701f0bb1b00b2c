package io.meshform.state.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Test CAs: {@code openssl req -x509 -newkey ec} (P-256), made for this test, nothing else. */
class ClusterIdentityTest {
    @TempDir
    Path dir;

    @Test
    void theSameCaNamesTheSameClusterWhateverTheAddressOrForm() throws IOException {
        byte[] a = pem("ca-a.pem");
        Path file = Files.write(dir.resolve("ca.crt"), a);
        String asData = ClusterIdentity.of(config("https://10.0.0.1:6443").withCaCertData(base64(a)).build());
        String asFile = ClusterIdentity.of(config("https://api.example.com").withCaCertFile(file.toString()).build());
        assertEquals(asData, asFile);
        assertTrue(asData.matches("the cluster whose CA certificate is sha256:[0-9a-f]{16}"), asData);
    }

    @Test
    void anotherCaNamesAnotherCluster() throws IOException {
        String a = ClusterIdentity.of(config("https://10.0.0.1:6443").withCaCertData(base64(pem("ca-a.pem"))).build());
        String b = ClusterIdentity.of(config("https://10.0.0.1:6443").withCaCertData(base64(pem("ca-b.pem"))).build());
        assertNotEquals(a, b);
    }

    @Test
    void withoutACaTheServerNamesItWithoutCredentials() throws IOException {
        assertEquals("the cluster at https://10.0.0.1:6443",
                ClusterIdentity.of(config("https://user:secret@10.0.0.1:6443/?token=t").build()));
        // A CA that is not checked does not name the cluster the client reaches.
        String unchecked = ClusterIdentity.of(config("https://10.0.0.2").withCaCertData(base64(pem("ca-a.pem")))
                .withTrustCerts(true).build());
        assertEquals("the cluster at https://10.0.0.2", unchecked);
        String unreadable = ClusterIdentity.of(config("https://10.0.0.3").withCaCertFile(dir.resolve("gone.crt").toString()).build());
        assertEquals("the cluster at https://10.0.0.3", unreadable);
        assertFalse(unreadable.contains("gone.crt"));
    }

    private static ConfigBuilder config(String server) {
        return new ConfigBuilder(Config.empty()).withMasterUrl(server);
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] pem(String name) throws IOException {
        try (InputStream in = ClusterIdentityTest.class.getResourceAsStream("/cluster-identity/" + name)) {
            return in.readAllBytes();
        }
    }
}

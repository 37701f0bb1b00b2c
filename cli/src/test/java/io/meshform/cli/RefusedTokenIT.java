package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A token the real API server refuses: kube-apiserver closes the HTTP/2 connection (GOAWAY) and JDK 17's client
 * fails the request before the 401 reaches meshform; the plan still says plainly that the credentials were refused,
 * whose, and what to do, exits 1, and never prints the token.
 */
@LiveClusterTest
class RefusedTokenIT {
    private static final String TOKEN = "bogus-token-5521";

    @Test
    void aPlanWithARefusedTokenSaysHttp401AndTheKubeconfigUser(ClusterContext cluster, @TempDir Path dir) throws Exception {
        String kubeconfig = Files.readString(cluster.kubeconfigPath())
                .replaceAll("client-certificate-data: *\\S+", "token: " + TOKEN)
                .replaceAll("\\n *client-key-data: *\\S+", "");
        Path config = Files.writeString(dir.resolve("bad.kubeconfig"), kubeconfig);
        Path stack = Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: refused}
                resources:
                  - type: kubernetes.manifest
                    name: cm
                    spec:
                      manifest:
                        apiVersion: v1
                        kind: ConfigMap
                        metadata: {name: refused-token-it, namespace: default}
                        data: {a: b}
                """);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false),
                "plan", "-f", stack.toString(), "--kubeconfig", config.toString());
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, out);
        assertTrue(out.contains("the API server refused the credentials of context") && out.contains("(HTTP 401 Unauthorized)"), out);
        assertTrue(out.contains("kubeconfig user `") && out.contains("(" + config + ")") && out.contains("replace users[].user.token"), out);
        assertFalse(out.contains("GOAWAY"), out);
        assertFalse(out.contains(TOKEN), out);
    }
}

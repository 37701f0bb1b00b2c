package io.meshform.providers.istio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.spi.ProgressSink;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.kubernetes.KubeConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * istioctl talks to the cluster meshform talks to: --kubeconfig's one file is passed as --kubeconfig, and the list of
 * $KUBECONFIG (which --kubeconfig cannot take) as KUBECONFIG, which client-go merges as kubectl does.
 */
class IstioctlKubeconfigTest {
    @TempDir
    Path dir;

    private Istioctl istioctl(Map<String, String> settings) throws IOException {
        Path script = dir.resolve("istioctl");
        Files.writeString(script, "#!/bin/sh\necho \"KUBECONFIG=$KUBECONFIG\"\necho \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.put("istioctl", script.toString());
        return Istioctl.fromSettings(new ProviderSettings(all), Map.of());
    }

    @Test
    void aKubeconfigListGoesToIstioctlAsKubeconfigVariable() throws IOException {
        String list = dir.resolve("a") + ":" + dir.resolve("b");
        Istioctl.Result r = istioctl(Map.of("kubeconfig", list, KubeConnection.KUBECONFIG_FROM_ENVIRONMENT, "true",
                "context", "c")).run(List.of("analyze"), Duration.ofSeconds(30), ProgressSink.NONE, true);
        assertEquals(List.of("KUBECONFIG=" + list, "analyze --context c"), r.stdout());
    }

    @Test
    void oneFileGivenWithKubeconfigIsPassedAsTheFlag() throws IOException {
        String file = dir.resolve("a").toString();
        Istioctl.Result r = istioctl(Map.of("kubeconfig", file)).run(List.of("analyze"), Duration.ofSeconds(30), ProgressSink.NONE, true);
        assertEquals("analyze --kubeconfig " + file, r.stdout().get(1));
    }
}

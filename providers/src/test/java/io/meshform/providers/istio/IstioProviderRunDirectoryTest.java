package io.meshform.providers.istio;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.spi.Provider;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.MeshformProviderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CLI asks the factory for providers once per command and closes them when the command ends: each command gets
 * its own directory for the files it hands istioctl, and ending one command (one {@code Main.run} of an integration
 * test) removes its files only, never those of another command running in the same JVM.
 */
class IstioProviderRunDirectoryTest {

    private static List<Provider> run() {
        return new MeshformProviderFactory().create(new ProviderSettings(Map.of("kubeconfig", "/nonexistent",
                "istioctl", "/nonexistent/istioctl")));
    }

    private static IstioProvider istio(List<Provider> providers) {
        return providers.stream().filter(IstioProvider.class::isInstance).map(IstioProvider.class::cast).findFirst().orElseThrow();
    }

    @Test
    void eachCommandHasItsOwnFilesAndClosingOneLeavesTheOthers() throws Exception {
        List<Provider> first = run();
        List<Provider> second = run();
        try {
            Path firstFile = istio(first).runDirectory().newFile("iop-", ".yaml");
            Path secondFile = istio(second).runDirectory().newFile("iop-", ".yaml");
            assertNotEquals(firstFile.getParent(), secondFile.getParent(), "two commands never share a directory");

            first.forEach(Provider::close);
            assertFalse(Files.exists(firstFile.getParent()), "the ended command's files are removed with its providers");
            assertTrue(Files.exists(secondFile), "the command still running keeps its files");
        } finally {
            first.forEach(Provider::close);
            second.forEach(Provider::close);
        }
    }
}

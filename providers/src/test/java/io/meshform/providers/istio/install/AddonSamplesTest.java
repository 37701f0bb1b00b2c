package io.meshform.providers.istio.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.providers.istio.core.IstioRelease;
import io.meshform.providers.istio.install.IstioAddons.Addon;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The committed digests cover what meshform supports, in the form {@link AddonSamplesFile} writes. */
class AddonSamplesTest {
    @Test
    void everySupportedMinorReleaseHasDigestsOfItsFourFiles() {
        AddonSamples samples = AddonSamples.builtIn();
        Set<String> minors = samples.releases().keySet().stream()
                .map(r -> IstioRelease.parse(r).orElseThrow().minorName()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(KubernetesSupport.NEWEST_LISTED.keySet()), minors,
                "a release added to KubernetesSupport needs its addon digests: providers/src/test/sh/addon-samples");
        Set<String> files = Arrays.stream(Addon.values()).map(a -> a.file).collect(Collectors.toSet());
        samples.releases().forEach((release, byFile) -> {
            assertEquals(files, byFile.keySet(), release);
            byFile.values().forEach(objects -> objects.values().forEach(d -> assertTrue(d.sha256().matches("[0-9a-f]{64}"), release)));
        });
        assertTrue(samples.release("1.30.3").isPresent(), "the pinned release");
    }

    @Test
    void theWrittenFormReadsBack() throws Exception {
        var document = (tools.jackson.databind.node.ObjectNode) tools.jackson.databind.json.JsonMapper.builder().build().readTree("""
                {"about": "x", "objects": {"aa": {"/rules": "0123456789ab"}},
                 "releases": {"1.30.3": {"kiali.yaml": {"rbac.authorization.k8s.io/v1/ClusterRole//kiali": "aa"}}}}
                """);
        String text = AddonSamplesFile.write(document);
        assertTrue(text.contains("\n    \"aa\": {\"/rules\":\"0123456789ab\"}"), text);
        AddonSamples back = AddonSamples.read(new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(new SampleDigest("aa", java.util.Map.of("/rules", "0123456789ab")),
                back.release("1.30.3").orElseThrow().get("kiali.yaml").get("rbac.authorization.k8s.io/v1/ClusterRole//kiali"));
    }
}

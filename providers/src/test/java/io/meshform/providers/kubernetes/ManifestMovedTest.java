package io.meshform.providers.kubernetes;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.state.ResourceState;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A manifest whose name or namespace changes in the file is read where the file now puts it, and found absent there. On
 * the real cluster, renaming ConfigMap default/cfg-a to cfg-b was planned as "will be created (recorded in state but
 * deleted outside meshform)": untrue, and apply left cfg-a in the cluster, marked by this state but managed by nothing.
 * The rename is a replacement that creates the new object first and deletes the old one after.
 */
@EnableKubernetesMockClient
class ManifestMovedTest {
    KubernetesMockServer server;
    KubernetesClient client;

    private final ResourceAddress cfg = ResourceAddress.parse("kubernetes.manifest.cfg");

    private static JsonNode spec(String ns, String name) {
        return yaml("manifest:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: " + name + ", namespace: " + ns
                + "}\n  data: {a: b}\n");
    }

    private PlannedChange plan(JsonNode desired, JsonNode applied) {
        ManifestType type = new ManifestType(new KubeConnection(client, "meshform"));
        return type.plan(new PlanRequest(cfg, desired, new ResourceState(cfg.toString(), cfg.type(), (tools.jackson.databind.node.ObjectNode) applied, Map.of()), null));
    }

    @Test
    void aChangedNamespaceReplacesTheAppliedObjectCreatingFirst() {
        PlannedChange c = plan(spec("cortx", "cfg"), spec("cortex", "cfg"));
        assertEquals(Action.REPLACE, c.action());
        assertEquals("kind, namespace or name changed: apply creates ConfigMap cortx/cfg, then deletes ConfigMap cortex/cfg",
                c.reason());
        assertEquals("true", c.privateData().get(PlannedChange.CREATE_FIRST));
    }

    @Test
    void anObjectAlreadyWhereTheManifestPutsItDoesNotHideTheMove() {
        // Made by hand (the engine then refuses it as not managed), or by an earlier move whose delete failed (the
        // engine finds this state's mark): either way the applied cortex/cfg is another object, still to delete.
        ManifestType type = new ManifestType(new KubeConnection(client, "meshform"));
        tools.jackson.databind.node.ObjectNode value = tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        value.set("manifest", spec("cortx", "cfg").get("manifest"));
        PlannedChange c = type.plan(new PlanRequest(cfg, spec("cortx", "cfg"), new ResourceState(cfg.toString(), cfg.type(),
                (tools.jackson.databind.node.ObjectNode) spec("cortex", "cfg"), Map.of()), new LiveObject(value, "7")));
        assertEquals(Action.REPLACE, c.action());
        assertEquals("kind, namespace or name changed: apply creates ConfigMap cortx/cfg, then deletes ConfigMap cortex/cfg",
                c.reason());
        assertEquals("true", c.privateData().get(PlannedChange.CREATE_FIRST));
    }

    @Test
    void anObjectDeletedOutsideMeshformWhereItWasAppliedIsCreatedAgain() {
        assertEquals(Action.CREATE, plan(spec("cortx", "cfg"), spec("cortx", "cfg")).action());
    }
}

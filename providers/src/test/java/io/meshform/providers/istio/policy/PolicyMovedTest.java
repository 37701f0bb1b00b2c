package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.state.ResourceState;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A policy whose namespace or name changes in the file is read where the file now puts it, and found absent there. On
 * the real cluster a typo in the mongo exception's namespace (cortex to cortx) was planned as "will be created (recorded
 * in state but deleted outside meshform)": untrue, and apply would have left cortex/mongo PERMISSIVE in force, marked by
 * this state but managed by nothing. The move is a replacement, whose delete half removes the object applied,
 * after its create half made the new one: a create refused leaves the old policy in force.
 */
class PolicyMovedTest {
    private final IstioPolicyType type = new IstioPolicyType(new KubeConnection(new ProviderSettings(Map.of())),
            PolicyKind.PEER_AUTHENTICATION, Set.of());
    private final ResourceAddress mongo = ResourceAddress.parse("istio.peerAuthentication.mongo");

    private static ObjectNode spec(String namespace, String name) {
        ObjectNode spec = JsonNodeFactory.instance.objectNode().put("namespace", namespace).put("name", name);
        spec.putObject("mtls").put("mode", "PERMISSIVE");
        return spec;
    }

    private ResourceState applied(ObjectNode spec) {
        return new ResourceState(mongo.toString(), mongo.type(), spec, Map.of());
    }

    @Test
    void aChangedNamespaceReplacesTheAppliedObject() {
        PlannedChange c = type.plan(new PlanRequest(mongo, spec("cortx", "mongo"), applied(spec("cortex", "mongo")), null));
        assertEquals(Action.REPLACE, c.action());
        assertEquals("namespace or name changed: apply creates PeerAuthentication cortx/mongo, then deletes cortex/mongo",
                c.reason());
        assertEquals("cortex", c.before().path("namespace").asString());
        assertEquals("true", c.privateData().get(PlannedChange.CREATE_FIRST), "the new policy exists before the old goes");
    }

    @Test
    void aChangedNameReplacesTheAppliedObject() {
        PlannedChange c = type.plan(new PlanRequest(mongo, spec("cortex", "mongodb"), applied(spec("cortex", "mongo")), null));
        assertEquals(Action.REPLACE, c.action());
        assertEquals("namespace or name changed: apply creates PeerAuthentication cortex/mongodb, then deletes cortex/mongo",
                c.reason());
    }

    @Test
    void aPolicyAlreadyWhereTheFilePutsItDoesNotHideTheMove() {
        // Made by hand (the engine then refuses it as not managed), or by an earlier move whose delete failed (the
        // engine finds this state's mark): either way the applied cortex/mongo is another object, still to delete.
        LiveObject there = new LiveObject(spec("cortex", "other"), "7");
        PlannedChange c = type.plan(new PlanRequest(mongo, spec("cortex", "other"), applied(spec("cortex", "mongo")), there));
        assertEquals(Action.REPLACE, c.action());
        assertEquals("namespace or name changed: apply creates PeerAuthentication cortex/other, then deletes cortex/mongo",
                c.reason());
        assertEquals("true", c.privateData().get(PlannedChange.CREATE_FIRST));
        assertEquals("mongo", c.before().path("name").asString(), "the before side is the object the state records");
    }

    @Test
    void anObjectDeletedOutsideMeshformWhereItWasAppliedIsCreatedAgain() {
        ObjectNode spec = spec("cortex", "mongo");
        assertEquals(Action.CREATE, type.plan(new PlanRequest(mongo, spec, applied(spec), null)).action());
        assertEquals(Action.CREATE, type.plan(new PlanRequest(mongo, spec, null, null)).action());
        LiveObject live = new LiveObject(spec, "1");
        assertEquals(Action.NOOP, type.plan(new PlanRequest(mongo, spec, applied(spec), live)).action());
    }
}

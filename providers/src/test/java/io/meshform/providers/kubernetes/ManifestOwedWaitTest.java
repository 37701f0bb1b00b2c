package io.meshform.providers.kubernetes;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.state.ResourceState;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * A manifest whose object is as declared while its wait was never seen to hold by an apply: the apply that wrote it was
 * interrupted while it waited (or the wait timed out), so the state does not record it. The plan recorded the object
 * ("nothing changes in the cluster") and the resources depending on it started before it was ready. Now the wait
 * still owed is an update whose apply waits, marked as one that only waits ("will be waited for"): nothing in it changes.
 */
@EnableKubernetesMockClient(crud = true)
class ManifestOwedWaitTest {
    KubernetesClient client;

    private final ResourceAddress gate = ResourceAddress.parse("kubernetes.manifest.gate");

    private static ObjectNode spec(String data, String wait) {
        return yaml("manifest:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: gate, namespace: ns}\n  data: {"
                + data + "}\n" + (wait == null ? "" : "wait: " + wait + "\n"));
    }

    private static final String WAIT = "{field: data.ready, value: \"yes\", timeoutSeconds: 60}";

    private PlannedChange plan(ObjectNode desired, ObjectNode recorded, Object seen) {
        ManifestType type = new ManifestType(new KubeConnection(client, "meshform"));
        ResourceState entry = recorded == null ? null : new ResourceState(gate.toString(), gate.type(), recorded, Map.of());
        return type.plan(new PlanRequest(gate, desired, entry, new LiveObject(desired.deepCopy(), "7", seen)));
    }

    @Test
    void anObjectNoApplyRecordedThatDoesNotHoldItsWaitIsAnUpdateThatWaits() {
        PlannedChange c = plan(spec("a: b", WAIT), null, new ManifestWait.Seen(false));
        assertEquals(Action.UPDATE, c.action());
        // nothing in the object changes: the plan says it will be waited for, not updated in-place
        assertEquals("true", c.privateData().get(PlannedChange.WAIT_ONLY));
        assertEquals("ConfigMap ns/gate is as declared but not data.ready = yes, and no apply finished waiting for it (one"
                + " was interrupted or timed out while waiting): apply waits up to 60s for it before the resources that"
                + " depend on it", c.reason());
    }

    @Test
    void anObjectThatHoldsItsWaitNeedsNoWaiting() {
        assertEquals(Action.NOOP, plan(spec("a: b", WAIT), null, new ManifestWait.Seen(true)).action());
    }

    @Test
    void aStateThatRecordsTheManifestAndItsWaitVouchesThatTheWaitHeld() {
        // Readiness lost later is no change of the declared object: the wait was for the apply, as kubectl wait's is.
        assertEquals(Action.NOOP, plan(spec("a: b", WAIT), spec("a: b", WAIT), new ManifestWait.Seen(false)).action());
    }

    @Test
    void anUpdateInterruptedWhileWaitingStillOwesTheWait() {
        // The state still records the manifest from before the update: no apply saw the new one hold its wait.
        PlannedChange c = plan(spec("a: c", WAIT), spec("a: b", WAIT), new ManifestWait.Seen(false));
        assertEquals(Action.UPDATE, c.action());
        assertEquals("true", c.privateData().get(PlannedChange.WAIT_ONLY), "the interrupted update wrote the object already");
    }

    @Test
    void aWaitAddedToARecordedObjectThatDoesNotHoldItIsOwed() {
        assertEquals(Action.UPDATE, plan(spec("a: b", WAIT), spec("a: b", null), new ManifestWait.Seen(false)).action());
    }

    @Test
    void driftReportsNoOwedWait() {
        // Drift compares the cluster with what the state records; a wait still owed is apply's work, not a change
        // made outside meshform.
        ManifestType type = new ManifestType(new KubeConnection(client, "meshform"));
        ObjectNode desired = spec("a: b", WAIT);
        PlannedChange c = type.plan(new PlanRequest(gate, desired, null, new LiveObject(desired.deepCopy(), "7",
                new ManifestWait.Seen(false)), io.meshform.engine.spi.StackContext.forDrift(
                io.meshform.engine.spi.StackContext.detached().stack())));
        assertEquals(Action.NOOP, c.action());
    }

    @Test
    void aManifestWithoutWaitOwesNone() {
        assertEquals(Action.NOOP, plan(spec("a: b", null), null, null).action());
    }

    @Test
    void withoutWhatTheReadSawTheObjectIsAsked() {
        client.configMaps().inNamespace("ns").resource(new ConfigMapBuilder().withNewMetadata().withName("gate")
                .withNamespace("ns").endMetadata().addToData("a", "b").build()).create();
        assertEquals(Action.UPDATE, plan(spec("a: b", WAIT), null, null).action());
        client.configMaps().inNamespace("ns").withName("gate").edit(cm -> {
            cm.getData().put("ready", "yes");
            return cm;
        });
        assertEquals(Action.NOOP, plan(spec("a: b", WAIT), null, null).action());
    }
}

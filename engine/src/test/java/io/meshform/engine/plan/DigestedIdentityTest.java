package io.meshform.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.apply.Applier;
import io.meshform.engine.apply.ApplyListener;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.drift.DriftDetector;
import io.meshform.engine.drift.DriftReport;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.render.PlanText;
import io.meshform.engine.render.Style;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.MemoryStateStore;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.ResourceState;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * A state whose entry records the object's name only as a digest, as meshform recorded a sensitive value in a name
 * before the loader refused it (9f7161cd). On the dev cluster, the plan that followed with the name no secret refused
 * the ConfigMap as "exists, not managed by meshform ... the state forgot it" and offered an import that the state
 * refused ("already in the state"), and a destroy said "already absent from the cluster" and left it.
 */
class DigestedIdentityTest {
    private static final ResourceAddress CM = ResourceAddress.parse("test.thing.cm");

    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final Planner planner = new Planner(cluster.registry(), "test");
    private final MemoryStateStore store = new MemoryStateStore();

    private Stack stack(String object) {
        return Stacks.load(cluster.registry(), dir, "resources:\n  - {type: test.thing, name: cm, spec: {object: "
                + object + ", value: v}}\n");
    }

    private StateSnapshot state() {
        return store.read().orElse(StateSnapshot.empty("test"));
    }

    private void apply(Stack s, Plan p) {
        new Applier(cluster.registry(), 4, ApplyListener.NONE).apply(s, p, state(), store, new AtomicBoolean());
    }

    /** Applies {@code cm-x}, then records its name as the digest the earlier meshform wrote. */
    private void appliedWithADigestedName() {
        Stack s = stack("cm-x");
        apply(s, planner.plan(s, state(), PlanOptions.defaults()));
        ResourceState e = state().find(CM).orElseThrow();
        ObjectNode digested = e.attributes().deepCopy();
        digested.put("object", Sensitive.digestOf("/object", digested.get("object")));
        store.write(state().with(new ResourceState(e.address(), e.type(), digested, e.metadata())));
    }

    @Test
    void theSameNameInClearFindsTheObjectAndApplyRecordsItByName() {
        appliedWithADigestedName();
        Stack s = stack("cm-x");
        Plan p = planner.plan(s, state(), PlanOptions.defaults());
        String text = new PlanText(Style.plain()).render(p);
        assertTrue(text.contains("its state entry is out of date (spec); apply records it in state as declared"), text);
        assertTrue(text.contains("1 to record"), text);
        apply(s, p);
        assertEquals("cm-x", state().find(CM).orElseThrow().attributes().get("object").asString());
        assertNotNull(cluster.object("cm-x"));
        Plan destroy = planner.plan(s, state(), PlanOptions.defaults().asDestroy());
        apply(s, destroy);
        assertEquals(null, cluster.object("cm-x"), "destroy deletes it, now that the state names it");
    }

    @Test
    void anotherNameIsRefusedWithWhatToDoRatherThanASecondObject() {
        appliedWithADigestedName();
        DiagnosticsException e = assertThrows(DiagnosticsException.class,
                () -> planner.plan(stack("cm-y"), state(), PlanOptions.defaults()));
        String text = e.diagnostics().toString();
        assertTrue(text.contains("`test.thing.cm`: the state records spec.object only as a digest, which names no object"), text);
        assertTrue(text.contains("Give the value it was applied with"), text);
        assertTrue(text.contains("`meshform state rm test.thing.cm`"), text);
    }

    @Test
    void aDestroyRefusesRatherThanSayItIsGone() {
        appliedWithADigestedName();
        DiagnosticsException e = assertThrows(DiagnosticsException.class,
                () -> planner.plan(stack("cm-x"), state(), PlanOptions.defaults().asDestroy()));
        assertTrue(e.diagnostics().toString().contains("whether it is still in the cluster is not known"),
                e.diagnostics().toString());
        assertNotNull(cluster.object("cm-x"));
    }

    /** Drift said the ConfigMap was "deleted outside meshform" while it was there, as read by its digest. */
    @Test
    void driftReadsTheObjectByTheNameInClearAndLeavesOneItCannotFindUnchecked() {
        appliedWithADigestedName();
        DriftReport same = new DriftDetector(cluster.registry()).detect(stack("cm-x"), state(), List.of());
        assertEquals(List.of(), same.entries(), "the object is as applied");
        assertEquals(List.of(), same.notChecked());
        DriftReport other = new DriftDetector(cluster.registry()).detect(stack("cm-y"), state(), List.of());
        assertEquals(List.of(), other.entries(), "not \"deleted outside meshform\"");
        assertEquals(1, other.notChecked().size());
        assertTrue(other.notChecked().get(0).summary().contains("the state records spec.object only as a digest"),
                other.notChecked().toString());
    }
}

package io.meshform.engine.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.MemoryStateStore;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replacement that fails after one of its halves reached the cluster says which half: reported as a plain failure,
 * the run printed "0 added, 0 destroyed" over an object it had deleted (a --replace whose create a webhook refused)
 * or created (a move whose old object's delete was refused).
 */
class HalfReplacedTest {
    @TempDir
    Path dir;

    private final InMemoryCluster cluster = new InMemoryCluster();
    private final MemoryStateStore store = new MemoryStateStore();
    private final ResourceAddress policy = ResourceAddress.parse("test.thing.policy");

    private Stack stack(String object) {
        return Stacks.load(cluster.registry(), dir, "resources:\n  - {type: test.thing, name: policy, spec: {object: " + object + "}}\n");
    }

    private ApplyResult apply(Stack s, PlanOptions options) {
        StateSnapshot state = store.read().orElse(StateSnapshot.empty("t"));
        return new Applier(cluster.registry(), 1, ApplyListener.NONE)
                .apply(s, new Planner(cluster.registry(), "t").plan(s, state, options), state, store, new AtomicBoolean());
    }

    @Test
    void aReplaceWhoseCreateIsRefusedAfterItsDeleteSaysTheObjectWasDestroyed() {
        assertTrue(apply(stack("cortex"), PlanOptions.defaults()).succeeded());
        cluster.failOn(policy);
        ApplyResult r = apply(stack("cortex"), new PlanOptions(Set.of(), Set.of(), Set.of(policy), false, false));
        assertFalse(r.succeeded());
        assertNull(cluster.object("cortex"), "the delete half ran");
        assertTrue(store.read().orElseThrow().find("test.thing.policy").isEmpty());
        RuntimeException e = r.failed().values().iterator().next();
        assertTrue(e instanceof HalfReplacedException h && h.half() == HalfReplacedException.Half.DESTROYED, String.valueOf(e));
        assertTrue(((HalfReplacedException) e).failure().getMessage().contains("the cluster refused test.thing.policy"));
    }

    @Test
    void aMoveWhoseOldObjectsDeleteIsRefusedSaysTheNewObjectWasAdded() {
        assertTrue(apply(stack("cortex"), PlanOptions.defaults()).succeeded());
        cluster.failDeleteOn(policy);
        ApplyResult r = apply(stack("cortx"), PlanOptions.defaults());
        assertFalse(r.succeeded());
        RuntimeException e = r.failed().values().iterator().next();
        assertTrue(e instanceof HalfReplacedException h && h.half() == HalfReplacedException.Half.ADDED, String.valueOf(e));
        DiagnosticsException d = (DiagnosticsException) ((HalfReplacedException) e).failure();
        String summary = d.diagnostics().get(0).summary();
        assertEquals("test.thing.policy: the new object was created, but deleting the old one failed", summary,
                "one line: the provider's multi-line message goes in the detail");
        assertTrue(d.diagnostics().get(0).detail().startsWith("the cluster refused to delete test.thing.policy\n"),
                d.diagnostics().get(0).detail());
    }

    @Test
    void aReplaceWhoseDeleteIsRefusedChangedNothingAndIsAPlainFailure() {
        assertTrue(apply(stack("cortex"), PlanOptions.defaults()).succeeded());
        cluster.failDeleteOn(policy);
        ApplyResult r = apply(stack("cortex"), new PlanOptions(Set.of(), Set.of(), Set.of(policy), false, false));
        assertFalse(r.failed().values().iterator().next() instanceof HalfReplacedException);
    }
}

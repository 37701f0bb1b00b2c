package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.apply.ApplyResult;
import io.meshform.engine.apply.HalfReplacedException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.render.Style;
import io.meshform.engine.spi.Action;
import io.meshform.state.StateSnapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A replacement that failed half-way is counted by the half that happened: on a real cluster, a --replace whose create
 * an admission policy refused deleted the ConfigMap and dropped its record, and apply said "0 added, 0 changed, 0
 * destroyed"; a move whose old object's delete was refused created and recorded the new one, and said "0 added".
 */
class HalfReplacedReportTest {
    private static final ResourceChange REPLACE = new ResourceChange(ResourceAddress.parse("kubernetes.manifest.cm"),
            Action.REPLACE, "replacement requested with --replace", null, null, List.of(), List.of(), Map.of(), null, List.of());

    private static String report(HalfReplacedException.Half half) {
        ApplyResult result = new ApplyResult(List.of(), Map.of(REPLACE, new HalfReplacedException(REPLACE, half,
                new IllegalStateException("kubernetes.manifest.cm: apply ConfigMap ns/cm failed (HTTP 422)"))), List.of(),
                false, StateSnapshot.empty("t"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = new ApplyReport(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false), false)
                .print(result, Style.plain());
        assertEquals(ExitCodes.ERROR, code);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theDeleteHalfOfAReplaceIsCountedDestroyed() {
        String out = report(HalfReplacedException.Half.DESTROYED);
        assertTrue(out.contains("Apply failed. Resources: 0 added, 0 changed, 1 destroyed."), out);
        assertTrue(out.contains("failed:      kubernetes.manifest.cm: apply ConfigMap ns/cm failed (HTTP 422)\n"
                + "               (half done: the old object was deleted and the state no longer records it; the new one"
                + " was not created (the next plan creates it))"), out);
    }

    @Test
    void theCreateHalfOfAMoveIsCountedAdded() {
        String out = report(HalfReplacedException.Half.ADDED);
        assertTrue(out.contains("Apply failed. Resources: 1 added, 0 changed, 0 destroyed."), out);
        assertTrue(out.contains("(half done: the new object was created and recorded; the old one is still in the cluster)"), out);
    }
}

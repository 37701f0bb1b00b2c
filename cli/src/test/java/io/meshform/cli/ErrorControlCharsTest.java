package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.render.Style;
import org.junit.jupiter.api.Test;

/** An error that is not a diagnostic reaches the terminal with its control characters escaped too (audit A, L4). */
class ErrorControlCharsTest {
    @Test
    void clientAndUnexpectedErrorsAreEscaped() {
        for (Exception e : new Exception[] {
            new RuntimeException(new KubernetesClientException("refused \u001b[2K\u001b[1Aok")),
            new IllegalStateException("boom \u001b]52;c;eA==\u0007"),
        }) {
            String text = Main.describe(e, Style.plain());
            assertTrue(text.indexOf(0x1b) < 0 && text.indexOf(7) < 0, text);
            assertTrue(text.contains("\\e"), text);
        }
    }

    /**
     * A step's failure in apply's report: an exception that is not a diagnostic (a client's, an unexpected one) was
     * printed as its message said, so an ESC sequence an API server or istioctl sent (or echoed from the stack) reached
     * the terminal after "failed:".
     */
    @Test
    void anApplyStepsFailureIsEscaped() {
        var address = io.meshform.engine.model.ResourceAddress.parse("kubernetes.manifest.x");
        for (RuntimeException e : new RuntimeException[] {
            new KubernetesClientException("refused \u001b[2K\u001b[1Aok"),
            new IllegalStateException("boom \u001b]52;c;eA==\u0007 \u202eexe.gnp"),
        }) {
            String text = ApplyReport.failure(address, e);
            assertTrue(text.indexOf(0x1b) < 0 && text.indexOf(7) < 0 && text.indexOf(0x202e) < 0, text);
            assertTrue(text.startsWith("kubernetes.manifest.x: ") && text.contains("\\e"), text);
        }
    }
}

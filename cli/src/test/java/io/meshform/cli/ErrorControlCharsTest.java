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
}

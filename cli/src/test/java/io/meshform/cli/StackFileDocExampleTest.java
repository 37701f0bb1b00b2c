package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack at the top of docs/stack-file.md validates as written, beside the cortex-base.yaml it imports, with the
 * istioctl of the release meshform pins: it named Istio 1.28.5, so a reader who copied it was told "istioctl is version
 * 1.30.3, the stack wants 1.28.5".
 */
class StackFileDocExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReferenceExampleValidatesAsWritten() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "stack-file.md"));
        int start = doc.indexOf("```yaml\n") + "```yaml\n".length();
        Path stack = Files.writeString(dir.resolve("stack.yaml"), doc.substring(start, doc.indexOf("```", start)));
        Files.copy(Path.of("..", "examples", "cortex-base.yaml"), dir.resolve("cortex-base.yaml"));
        HelpTest.Result r = HelpTest.run("validate", "-f", stack.toString(), "--no-color", "--istioctl",
                io.meshform.testkit.Testbed.istioctl().toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("Success!"), r.out());
    }
}

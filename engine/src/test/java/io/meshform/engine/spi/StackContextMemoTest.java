package io.meshform.engine.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A run's memo answers once, until a step of the run writes an object the answer was read from. */
class StackContextMemoTest {
    private static final StackContext.Written WEBHOOK = new StackContext.Written("admissionregistration.k8s.io/v1",
            "MutatingWebhookConfiguration", null, "istio-revision-tag-prod");
    private static final StackContext.Written DEPLOYMENT = new StackContext.Written("apps/v1", "Deployment", "cortex", "web");

    @Test
    void aWriteTheAnswerDependsOnMakesTheNextCallComputeAgain() {
        StackContext run = StackContext.detached();
        AtomicInteger reads = new AtomicInteger();
        java.util.function.Supplier<Integer> read = () -> run.memo("injectors",
                w -> w.kind().equals("MutatingWebhookConfiguration"), reads::incrementAndGet);
        assertEquals(1, read.get());
        assertEquals(1, read.get());
        run.wrote(DEPLOYMENT);
        assertEquals(1, read.get(), "a write the answer does not depend on keeps it");
        run.wrote(WEBHOOK);
        assertEquals(2, read.get());
        assertEquals(2, read.get());
        assertEquals(2, reads.get());
    }

    @Test
    void anAnswerWithoutStalenessIsKeptWhateverIsWritten() {
        StackContext run = StackContext.detached();
        AtomicInteger reads = new AtomicInteger();
        run.memo("namespaces", reads::incrementAndGet);
        run.wrote(WEBHOOK);
        assertEquals(1, (int) run.memo("namespaces", reads::incrementAndGet));
    }

    @Test
    void theGroupIsWhatComesBeforeTheSlash() {
        assertEquals("admissionregistration.k8s.io", WEBHOOK.group());
        assertEquals("", new StackContext.Written("v1", "ConfigMap", "istio-system", "istio-sidecar-injector").group());
    }
}

package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.meshform.engine.spi.ProgressSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeleteWaitTest {
    private static ConfigMap seen(String uid, boolean deleting, String... finalizers) {
        return new ConfigMapBuilder().withNewMetadata().withName("cfg").withNamespace("ns").withUid(uid)
                .withDeletionTimestamp(deleting ? "2026-12-05T10:00:00Z" : null).withFinalizers(finalizers).endMetadata().build();
    }

    @Test
    void goneIsTheDeletedObjectNotItsName() {
        assertTrue(DeleteWait.gone(null, "u1"), "nothing under the name");
        assertTrue(DeleteWait.gone(seen("u2", false), "u1"), "a new object");
        assertTrue(DeleteWait.gone(seen("u1", false), null), "no deletionTimestamp: not the object deleted");
        assertTrue(DeleteWait.gone(seen("u2", true), "u1"), "another object, itself being deleted");
        assertFalse(DeleteWait.gone(seen("u1", true, "x/hold"), "u1"), "the deleted object, held by a finalizer");
        assertFalse(DeleteWait.gone(seen("u1", true, "x/hold"), null), "being deleted, and the API server named no UID");
    }

    @Test
    void anObjectStillHeldAtTheBoundFailsTheStepNamingItsFinalizers() {
        List<String> notes = new ArrayList<>();
        ProgressSink progress = notes::add;
        var e = assertThrows(RuntimeException.class, () -> DeleteWait.untilGone("kubernetes.manifest.cfg", "ConfigMap ns/cfg",
                "u1", () -> seen("u1", true, "x/hold"), Duration.ofSeconds(1), progress));
        assertTrue(e.getMessage().contains("kubernetes.manifest.cfg: ConfigMap ns/cfg was deleted, but it is still there after 1s,"
                + " held by finalizer(s) [x/hold]"), e.getMessage());
    }

    @Test
    void aNamespaceIsHeldByItsSpecFinalizersToo() {
        var ns = new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("app").withUid("u1")
                .withDeletionTimestamp("2026-12-05T10:00:00Z").endMetadata().withNewSpec().withFinalizers("kubernetes").endSpec().build();
        assertTrue(DeleteWait.finalizers(ns).equals(List.of("kubernetes")), DeleteWait.finalizers(ns).toString());
    }

    @Test
    void anObjectAlreadyGoneIsNotWaitedFor() {
        List<String> notes = new ArrayList<>();
        ProgressSink progress = notes::add;
        DeleteWait.untilGone("kubernetes.manifest.cfg", "ConfigMap ns/cfg", "u1", () -> null, Duration.ofSeconds(1), progress);
        assertTrue(notes.isEmpty(), notes.toString());
    }
    /** A run that loses its lock during the wait (paused past its lease) stops there instead of waiting out the bound. */
    @Test
    void aRunThatLostItsLockStopsWaiting() {
        ProgressSink losesTheLock = new ProgressSink() {
            int asked;

            @Override
            public void note(String message) {
            }

            @Override
            public boolean mayContinue() {
                return ++asked <= 2;
            }
        };
        var e = assertThrows(RuntimeException.class, () -> DeleteWait.untilGone("kubernetes.namespace.app", "Namespace app",
                "u1", () -> seen("u1", true, "x/hold"), Duration.ofSeconds(3), losesTheLock));
        assertTrue(e.getMessage().contains("kubernetes.namespace.app: stopped waiting for Namespace app to be gone: this run lost"
                + " its state lock, or cannot confirm it still holds it"), e.getMessage());
    }

    /**
     * A run whose own interrupt released the lock is not told another run may hold it: the stop says the lock's reason.
     * Before, every stop read "this run lost its state lock, or cannot confirm it still holds it".
     */
    @Test
    void aStopSaysTheLocksOwnReason() {
        ProgressSink interrupted = new ProgressSink() {
            @Override
            public void note(String message) {
            }

            @Override
            public java.util.Optional<String> stopReason() {
                return java.util.Optional.of("the lock on s.json was released (the run was interrupted); nothing more is written");
            }
        };
        var e = assertThrows(RuntimeException.class, () -> DeleteWait.untilGone("kubernetes.namespace.app", "Namespace app",
                "u1", () -> seen("u1", true, "x/hold"), Duration.ofSeconds(3), interrupted));
        assertTrue(e.getMessage().contains("kubernetes.namespace.app: stopped waiting for Namespace app to be gone: the lock on"
                + " s.json was released (the run was interrupted)"), e.getMessage());
        assertFalse(e.getMessage().contains("lost its state lock"), e.getMessage());
    }
}

package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.meshform.engine.spi.ProgressSink;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Waits, as {@code kubectl delete --wait} does, until an object meshform deleted is gone from the API server.
 *
 * <p>A delete only marks an object that carries finalizers (a controller's, {@code kubernetes.io/pvc-protection}, a
 * Namespace's own, which the namespace controller removes once it has deleted every object in it): it keeps a
 * deletionTimestamp until each finalizer is removed. Meanwhile a server-side apply of the
 * same name is not refused: it changes the object being deleted, which then vanishes. So the delete half of a
 * replacement ({@code --replace}) would have recorded as created an object about to go, and destroy said "deleted" of
 * one still there.
 *
 * <p>Gone means the object deleted, not its name: one under that name without a deletionTimestamp, or with another UID,
 * is a new object (apimachinery ObjectMeta: "Once the deletionTimestamp is set, this value may not be unset").
 */
public final class DeleteWait {
    static final Duration POLL = Duration.ofMillis(500);
    /** How often the wait says what it still waits for. */
    static final Duration REPORT_EVERY = Duration.ofSeconds(10);

    private DeleteWait() {
    }

    /**
     * The UID a delete's answer names, or null: fabric8 8.0.0 gives a null entry when the answer holds no status
     * details (a mock server's, a proxy's), and {@link #untilGone} then waits for any object of the name being deleted.
     */
    public static String uidOf(List<io.fabric8.kubernetes.api.model.StatusDetails> deleted) {
        return deleted.isEmpty() || deleted.get(0) == null ? null : deleted.get(0).getUid();
    }

    /**
     * Returns once the object {@code read} finds under the name is not the one deleted ({@code uid}, or any one being
     * deleted when the API server named no UID); throws after {@code timeout}, naming its finalizers.
     *
     * @param address the resource, for messages
     * @param what    the object, e.g. "ConfigMap ns/name"
     */
    public static void untilGone(String address, String what, String uid, Supplier<HasMetadata> read, Duration timeout,
                          ProgressSink progress) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long nextReport = start;
        while (true) {
            LockFence.check(progress, address, "waiting for " + what + " to be gone");
            HasMetadata o = read.get();
            if (gone(o, uid)) {
                if (nextReport != start) {
                    progress.note(what + " is gone");
                }
                return;
            }
            long now = System.nanoTime();
            List<String> finalizers = finalizers(o);
            if (now - deadline >= 0) {
                throw KubeErrors.error(address + ": " + what + " was deleted, but it is still there after "
                                + timeout.toSeconds() + "s, held by finalizer(s) " + finalizers,
                        "the controller that owns a finalizer removes it once its cleanup is done. The state still records "
                                + address + ". Check it with `kubectl get` (its finalizers and status), then run the same"
                                + " command again: it deletes again and waits again");
            }
            if (now - nextReport >= 0) {
                progress.note("waiting up to " + Math.max(1, (deadline - now + 999_999_999L) / 1_000_000_000L) + "s for " + what
                        + " to be gone (being deleted; finalizer(s) " + finalizers + ")");
                nextReport = now + REPORT_EVERY.toNanos();
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw KubeErrors.error(address + ": interrupted while waiting for " + what + " to be gone",
                        "it is being deleted; the state still records " + address);
            }
        }
    }

    /** The finalizers holding {@code o}: its metadata's, and a Namespace's spec ones ({@code kubernetes}). */
    static List<String> finalizers(HasMetadata o) {
        List<String> out = new java.util.ArrayList<>(o.getMetadata().getFinalizers() == null ? List.of()
                : o.getMetadata().getFinalizers());
        if (o instanceof io.fabric8.kubernetes.api.model.Namespace ns && ns.getSpec() != null && ns.getSpec().getFinalizers() != null) {
            out.addAll(ns.getSpec().getFinalizers());
        }
        return out;
    }

    /** Whether {@code o}, read under the deleted object's name, is not that object. */
    static boolean gone(HasMetadata o, String uid) {
        if (o == null || o.getMetadata().getDeletionTimestamp() == null) {
            return true;
        }
        return uid != null && !uid.equals(o.getMetadata().getUid());
    }
}

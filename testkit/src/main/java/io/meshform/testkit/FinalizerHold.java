package io.meshform.testkit;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * A finalizer of the test's own on one live object, as a controller's cleanup or a busy garbage collector holds an
 * object after its delete. Tests use it to prove that meshform (or a test helper) returns only once what it deleted is
 * gone: the hold keeps the object, or the CRD or namespace that cannot go before it, there for a few seconds after the
 * delete was asked for, so a wait that is missing shows as an object still there when the call returns.
 *
 * <p>{@link #releaseWhenDeleting} lets go a fixed time after a watched object (the held one, or the CRD or namespace
 * it keeps) got its deletionTimestamp: by then the code under test has asked for the delete and must still be waiting.
 * {@link #close} takes the finalizer off whatever happened, so a failed test leaves nothing stuck for the next one.
 */
public final class FinalizerHold implements AutoCloseable {
    /** The finalizer this hold adds; no controller knows it, so only the hold takes it off. */
    public static final String FINALIZER = "meshform.test/hold";

    private final Resource<? extends HasMetadata> held;
    private final Runnable takeOff;
    private final ExecutorService watcher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "finalizer-hold");
        t.setDaemon(true);
        return t;
    });
    private Future<Boolean> released;

    private FinalizerHold(Resource<? extends HasMetadata> held, Runnable takeOff) {
        this.held = held;
        this.takeOff = takeOff;
    }

    /** Adds the finalizer to the live object {@code held} and returns the hold on it. */
    public static <T extends HasMetadata> FinalizerHold add(Resource<T> held) {
        held.edit(finalizers(f -> {
            if (!f.contains(FINALIZER)) {
                f.add(FINALIZER);
            }
            return f;
        }));
        return new FinalizerHold(held, () -> held.edit(finalizers(f -> {
            f.remove(FINALIZER);
            return f;
        })));
    }

    /** Lets go {@code after} the held object itself got its deletionTimestamp (watched for at most {@code within}). */
    public FinalizerHold releaseWhenDeleting(Duration after, Duration within) {
        return releaseWhenDeleting(held, after, within);
    }

    /**
     * Lets go {@code after} {@code watched} got its deletionTimestamp, watched for at most {@code within}; if it never
     * does, the hold stays until {@link #close} and {@link #released} says false.
     */
    public FinalizerHold releaseWhenDeleting(Resource<? extends HasMetadata> watched, Duration after, Duration within) {
        if (released != null) {
            throw new IllegalStateException("this hold already has a release");
        }
        released = watcher.submit(() -> {
            long until = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < until) {
                HasMetadata o = watched.get();
                if (o != null && o.getMetadata().getDeletionTimestamp() != null) {
                    Thread.sleep(after.toMillis());
                    release();
                    return true;
                }
                Thread.sleep(100);
            }
            return false;
        });
        return this;
    }

    /** Whether the release happened, waiting for it at most {@code within}. */
    public boolean released(Duration within) throws InterruptedException {
        if (released == null) {
            throw new IllegalStateException("this hold has no release; call releaseWhenDeleting first");
        }
        try {
            return released.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("the hold's release failed", e.getCause());
        }
    }

    /** Takes the finalizer off now, if the object is still there and still has it (the watcher and close() may race). */
    public synchronized void release() {
        HasMetadata o = held.get();
        if (o == null || !o.getMetadata().getFinalizers().contains(FINALIZER)) {
            return;
        }
        try {
            takeOff.run();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {  // gone between the read and the edit: nothing left to hold
                throw e;
            }
        }
    }

    @Override
    public void close() {
        watcher.shutdownNow();
        try {
            watcher.awaitTermination(10, TimeUnit.SECONDS);  // a release in progress ends before this one looks
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        release();
    }

    private static <T extends HasMetadata> UnaryOperator<T> finalizers(UnaryOperator<List<String>> change) {
        return o -> {
            o.getMetadata().setFinalizers(change.apply(new ArrayList<>(o.getMetadata().getFinalizers())));
            return o;
        };
    }
}

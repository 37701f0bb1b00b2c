package io.meshform.state.kubernetes;

import static io.meshform.state.kubernetes.LeaseRecord.heldBy;
import static io.meshform.state.kubernetes.LeaseRecord.holderOf;
import static io.meshform.state.kubernetes.LeaseRecord.isExpired;
import static io.meshform.state.kubernetes.LeaseRecord.isFree;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.meshform.state.LockHandle;
import io.meshform.state.LockInfo;
import io.meshform.state.LockLostException;
import io.meshform.state.RecordedChildren;
import io.meshform.state.StateException;
import io.meshform.state.StateLockedException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The lock of a Kubernetes state: a {@code coordination.k8s.io/v1} Lease whose {@code holderIdentity} is the lock
 * ID, renewed while held and taken over by others once it expires (or at once when its holder is known dead).
 * Every change of the Lease is a compare-and-swap on its resourceVersion, so of two runs racing for it exactly one
 * wins, and a holder that was paused past its lease cannot renew over the run that took it.
 *
 * <p>Not fabric8's {@code LeaderElector}: that is built for controllers that wait forever to lead and are told by
 * callback when they stop. A meshform run must fail at once (or after {@code --lock-timeout}) naming the holder,
 * record its child processes in the lock, take over a lock whose holder is known dead, release with a
 * precondition, and answer "do I still hold it?" synchronously before each write; its callbacks give none of that.
 */
final class LeaseLock {

    static final String LOCK_INFO_ANNOTATION = "meshform.io/lock-info";

    private final KubernetesClient client;
    private final String namespace;
    private final String leaseName;
    private final Duration duration;
    private final String location;
    private final Map<String, String> labels;

    LeaseLock(KubernetesClient client, String namespace, String leaseName, Duration duration, String location,
              Map<String, String> labels) {
        this.client = client;
        this.namespace = namespace;
        this.leaseName = leaseName;
        this.duration = duration;
        this.location = location;
        this.labels = labels;
    }

    /** "Kubernetes Secret ns/meshform-state-x (Lease ns/meshform-lock-x)", for messages. */
    private String where() {
        return location + " (Lease " + namespace + "/" + leaseName + ")";
    }

    Handle tryLock(LockInfo mine) {
        Lease current = get();
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        if (current != null && !isFree(current) && !isExpired(current, now)
                && !holderOf(current, location).holderProcessGone()) {
            throw locked(current);
        }
        // Free, expired, or held by a run on this host whose process and children are all gone: nobody can
        // renew it any more, so waiting out its lease would only make this run wait on a dead holder.
        long sent = System.nanoTime();
        Lease wanted = LeaseRecord.taking(namespace, leaseName, labels, duration, mine, now,
                current == null ? null : current.getMetadata().getResourceVersion());
        Lease taken;
        try {
            // create fails with 409 when another locker created it first; update fails with 409 when another
            // locker took the free or expired lease first: either way exactly one wins
            taken = current == null ? leases().resource(wanted).create() : leases().resource(wanted).update();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                Lease winner = get();
                if (heldBy(winner, mine.id())) {
                    // This run's own request won: its answer was lost (a slow server's 504) and the client's retry
                    // met the Lease it had just taken. Not "locked by" this very run.
                    return new Handle(mine, now, winner.getMetadata().getResourceVersion(), sent);
                }
                throw locked(winner != null ? winner : wanted);
            }
            if (KubernetesStateBackend.outcomeUnknown(e)) {
                // No answer (a timeout, a broken connection) or a server error: the request may have taken the Lease
                // all the same. Left alone, that Lease would keep every run out until it expired, this one's rerun too.
                Lease after = readBackQuietly();
                if (heldBy(after, mine.id())) {
                    return new Handle(mine, now, after.getMetadata().getResourceVersion(), sent);
                }
            }
            throw failure("lock", e);
        }
        return new Handle(mine, now, taken.getMetadata().getResourceVersion(), sent);
    }

    @SuppressWarnings("deprecation") // lockResourceVersion is the only DSL that sends a delete precondition
    void forceUnlock(String lockId) {
        Lease lease = get();
        if (lease == null || isFree(lease)) {
            throw new StateException("state is not locked: " + location + " (no holder on Lease " + namespace
                    + "/" + leaseName + "); nothing to unlock");
        }
        String holder = lease.getSpec().getHolderIdentity();
        if (!holder.equals(lockId)) {
            throw new StateException("refusing to unlock " + location + ": it is locked with ID " + holder
                    + ", not " + lockId + ". The lock changed hands since you saw the ID; run meshform again to "
                    + "see who holds it now.");
        }
        try {
            leases().withName(leaseName).lockResourceVersion(lease.getMetadata().getResourceVersion()).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw new StateException("the lock on " + location + " changed while unlocking it; run meshform "
                        + "again to see who holds it now.", e);
            }
            throw failure("force-unlock", e);
        }
    }

    private StateLockedException locked(Lease lease) {
        LockInfo holder = holderOf(lease, location);
        return new StateLockedException(where(), holder, holder.holderProcessGone());
    }

    /** The Lease, or null when it is absent or cannot be read (the caller then reports its own error). */
    private Lease readBackQuietly() {
        try {
            return leases().withName(leaseName).get();
        } catch (KubernetesClientException e) {
            return null;
        }
    }

    private Lease get() {
        try {
            return leases().withName(leaseName).get();
        } catch (KubernetesClientException e) {
            throw failure("read the lock of", e);
        }
    }

    private NonNamespaceOperation<Lease, LeaseList, Resource<Lease>> leases() {
        return client.leases().inNamespace(namespace);
    }

    private StateException failure(String what, KubernetesClientException e) {
        return StateRequestFailure.of(what, location, namespace, e);
    }

    /**
     * A held Lease: renewed from a daemon thread every third of its duration. {@code confirmedUntil} is the
     * monotonic time before which nobody else can have taken it (the send time of the last successful renewal plus
     * four fifths of the duration, the rest left for clock skew); past it, {@link #ensureHeld()} asks the API server.
     */
    final class Handle implements LockHandle {

        private final LockInfo info;
        private final ZonedDateTime acquired;
        private final ScheduledExecutorService renewer;
        private final RecordedChildren children = new RecordedChildren();
        private String resourceVersion;
        private long confirmedAt;
        private long confirmedUntil;
        private String lost;
        private boolean closed;

        Handle(LockInfo info, ZonedDateTime acquired, String resourceVersion, long sent) {
            this.info = info;
            this.acquired = acquired;
            this.resourceVersion = resourceVersion;
            confirmed(sent);
            this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "meshform-lease-renewer-" + leaseName);
                t.setDaemon(true); // a forgotten handle must not keep the JVM alive; the lease then expires
                return t;
            });
            long every = Math.max(200, duration.toMillis() / 3);
            renewer.scheduleWithFixedDelay(this::renewQuietly, every, every, TimeUnit.MILLISECONDS);
        }

        @Override
        public String id() {
            return info.id();
        }

        /** True once someone else took or removed the lease, e.g. by force-unlock or after it expired. */
        synchronized boolean lost() {
            return lost != null;
        }

        @Override
        public synchronized void ensureHeld() {
            check();
            if (System.nanoTime() - confirmedUntil < 0) {
                return;
            }
            verifyLocked();
        }

        /** Asks the API server whether the Lease is still ours, whatever the local clock says: before state writes. */
        synchronized void verify() {
            check();
            verifyLocked();
        }

        private void check() {
            if (lost != null) {
                throw new LockLostException("this run lost the state lock on " + where() + ": " + lost);
            }
            if (closed) {
                throw new LockLostException("the lock on " + where() + " was released (the run was interrupted); "
                        + "nothing more is written");
            }
        }

        private void verifyLocked() {
            Lease now;
            try {
                now = leases().withName(leaseName).get();
            } catch (KubernetesClientException e) {
                throw new StateException("cannot confirm that this run still holds the lock on " + where() + ": "
                        + StateRequestFailure.serverSays(e) + "\nNothing more is written without that.", e);
            }
            if (!heldBy(now, info.id())) {
                markLost(now);
                check();
            }
            resourceVersion = now.getMetadata().getResourceVersion();
            if (System.nanoTime() - confirmedUntil >= 0) {
                renewLocked();
                check();
            }
        }

        private void renewQuietly() {
            synchronized (this) {
                if (closed || lost != null) {
                    return;
                }
                try {
                    renewLocked();
                } catch (KubernetesClientException e) {
                    // an API server blip: the next tick tries again, well before the lease expires
                }
            }
        }

        /**
         * One compare-and-swap renewal; on a conflict, finds out whether the Lease is still ours. A JSON patch whose
         * first operations test the resourceVersion and holder, not a PUT: the API server creates a Lease on a PUT
         * when it does not exist (Leases allow create-on-update; tried: a PUT carrying the resourceVersion of a
         * deleted Lease brought it back), so a paused holder renewing after the next holder released would silently
         * take the lock back. A patch of a missing object is a 404, a failed test a 422.
         */
        private void renewLocked() {
            for (int attempt = 0; attempt < 2; attempt++) {
                long sent = System.nanoTime();
                try {
                    Lease renewed = leases().withName(leaseName).patch(PatchContext.of(PatchType.JSON),
                            LeaseRecord.renewal(info.withChildren(children.records()), resourceVersion));
                    resourceVersion = renewed.getMetadata().getResourceVersion();
                    confirmed(sent);
                    return;
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409 && e.getCode() != 404 && e.getCode() != 422) {
                        throw e;
                    }
                }
                Lease now = leases().withName(leaseName).get();
                if (!heldBy(now, info.id())) {
                    markLost(now);
                    return;
                }
                // still ours: an earlier renewal landed but its answer did not reach us
                resourceVersion = now.getMetadata().getResourceVersion();
            }
        }

        private void confirmed(long sent) {
            confirmedAt = sent;
            confirmedUntil = sent + duration.toNanos() / 5 * 4;
        }

        private void markLost(Lease now) {
            long silentSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - confirmedAt);
            lost = LeaseRecord.lostReason(now, silentSeconds, duration, location);
            renewer.shutdown();
        }

        @Override
        public void childStarted(ProcessHandle child) {
            if (children.add(child)) {
                recordChildren();
            }
        }

        @Override
        public void childEnded(ProcessHandle child) {
            if (children.remove(child)) {
                recordChildren();
            }
        }

        private synchronized void recordChildren() {
            if (closed || lost != null) {
                return;
            }
            try {
                renewLocked();
            } catch (KubernetesClientException e) {
                // the record serves the stale check; the watchdog stops the child with meshform either way
            }
        }

        /** Stops renewing but keeps the handle, as a paused holder would; tests use it to lose the lease. */
        synchronized void suspendRenewal() {
            renewer.shutdownNow();
        }

        /** Stops renewing without releasing, as a crashed holder would; tests use it to let the lease expire. */
        synchronized void abandon() {
            closed = true;
            renewer.shutdownNow();
        }

        @Override
        @SuppressWarnings("deprecation") // lockResourceVersion is the only DSL that sends a delete precondition
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            renewer.shutdownNow();
            children.stopAll(1_500);
            try {
                renewer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                if (lost != null) {
                    return; // someone else's now
                }
                try {
                    // Read first: only a Lease that still names this run is deleted, and then only with the
                    // resourceVersion just read as a precondition, so a new holder's Lease is never touched.
                    Lease now = leases().withName(leaseName).get();
                    if (heldBy(now, info.id())) {
                        leases().withName(leaseName).lockResourceVersion(now.getMetadata().getResourceVersion()).delete();
                    }
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409 && e.getCode() != 404) {
                        throw new StateException("could not release the lock on " + where() + ": "
                                + StateRequestFailure.serverSays(e) + "\nIt expires " + duration.getSeconds()
                                + " s after its last renewal; or run: meshform force-unlock " + info.id(), e);
                    }
                }
            }
        }
    }
}

package io.meshform.state.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.state.LockHandle;
import io.meshform.state.LockInfo;
import io.meshform.state.LockLostException;
import io.meshform.state.ResourceState;
import io.meshform.state.StateBackend;
import io.meshform.state.StateBackendContract;
import io.meshform.state.StateException;
import io.meshform.state.StateLockedException;
import io.meshform.state.StateSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The backend contract plus what only the Secret + Lease backend does: lease expiry and chunking. */
abstract class KubernetesStateBackendContract extends StateBackendContract {

    /** Small chunks keep the chunking tests fast; the default is ~900 KiB. */
    static final int TEST_CHUNK_BYTES = 256 * 1024;

    protected String stateName;

    protected abstract KubernetesClient client();

    protected abstract String namespace();

    @BeforeEach
    void freshStateName() {
        stateName = "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    protected StateBackend openBackend() {
        return backend(Duration.ofSeconds(30));
    }

    /** The main Secret, as {@code kubectl delete secret} does (its chunks, if any, stay). */
    @Override
    protected void deleteStateByHand() {
        assertFalse(client().secrets().inNamespace(namespace()).withName("meshform-state-" + stateName).delete().isEmpty());
    }

    KubernetesStateBackend backend(Duration leaseDuration) {
        return new KubernetesStateBackend(client(), namespace(), stateName, leaseDuration, TEST_CHUNK_BYTES);
    }

    @Test
    void forceUnlockWithAnotherIdIsRefused() {
        try (LockHandle held = openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            StateException e = assertThrows(StateException.class, () -> openBackend().forceUnlock("not-the-id"));
            assertTrue(e.getMessage().contains(held.id()), e.getMessage());
            assertThrows(StateLockedException.class,
                    () -> openBackend().lock(LockInfo.forOperation("plan"), Duration.ZERO), "still locked");
        }
    }

    @Test
    void forceUnlockWithTheHolderIdReleasesTheLock() {
        LockHandle abandoned = openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO);
        openBackend().forceUnlock(abandoned.id());
        try (LockHandle mine = openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            abandoned.close(); // the old holder waking up must not release the new holder's lock
            StateLockedException e = assertThrows(StateLockedException.class,
                    () -> openBackend().lock(LockInfo.forOperation("plan"), Duration.ZERO));
            assertEquals(mine.id(), e.holder().id());
        }
    }

    /**
     * A label or annotation put on the state Secret by a person or a tool (a backup, GitOps tracking) changes its
     * resourceVersion but not the state: the run goes on writing, and a real write by another run is still refused.
     */
    @Test
    void aMetadataEditOfTheSecretDuringARunIsNotAnotherWriter() {
        KubernetesStateBackend run = backend(Duration.ofSeconds(30));
        StateSnapshot first = run.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        client().secrets().inNamespace(namespace()).withName("meshform-state-" + stateName)
                .edit(s -> { s.getMetadata().getAnnotations().put("backup.example.com/taken", "now"); return s; });
        StateSnapshot second = run.write(first.with(resource("b", "2")));
        assertEquals(first.serial() + 1, second.serial());
        assertEquals(second, backend(Duration.ofSeconds(30)).read().orElseThrow());

        KubernetesStateBackend other = backend(Duration.ofSeconds(30));
        other.write(other.read().orElseThrow().with(resource("c", "3")));
        assertThrows(StateException.class, () -> run.write(second.with(resource("d", "4"))),
                "a change of the state itself still stops the run");
    }

    @Test
    void aHolderPausedPastItsLeaseWritesNothingAfterAnotherRunTookTheLock() {
        KubernetesStateBackend paused = backend(Duration.ofSeconds(2));
        var held = (LeaseLock.Handle) paused.lock(LockInfo.forOperation("apply"), Duration.ZERO);
        StateSnapshot before = paused.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        held.suspendRenewal(); // what SIGSTOP does to the renewer
        KubernetesStateBackend taker = backend(Duration.ofSeconds(2));
        StateSnapshot theirs;
        try (LockHandle other = taker.lock(LockInfo.forOperation("apply"), Duration.ofSeconds(10))) {
            theirs = taker.write(taker.read().orElseThrow().with(resource("b", "2")));
            LockLostException lost = assertThrows(LockLostException.class, held::ensureHeld);
            assertTrue(lost.getMessage().contains("lost the state lock") && lost.getMessage().contains(other.id()),
                    lost.getMessage());
            assertThrows(LockLostException.class, () -> paused.write(before.with(resource("c", "3"))));
            held.close(); // must not release the new holder's lease
            assertThrows(StateLockedException.class,
                    () -> backend(Duration.ofSeconds(2)).lock(LockInfo.forOperation("plan"), Duration.ZERO));
        }
        assertEquals(theirs, backend(Duration.ofSeconds(2)).read().orElseThrow());
    }

    @Test
    void aHolderPausedPastItsLeaseDoesNotTakeTheLockBackAfterTheNextHolderReleasedIt() {
        KubernetesStateBackend paused = backend(Duration.ofSeconds(2));
        var held = (LeaseLock.Handle) paused.lock(LockInfo.forOperation("apply"), Duration.ZERO);
        StateSnapshot before = paused.write(StateSnapshot.empty("0.1.0"));
        held.suspendRenewal();
        KubernetesStateBackend taker = backend(Duration.ofSeconds(2));
        StateSnapshot theirs;
        try (LockHandle other = taker.lock(LockInfo.forOperation("apply"), Duration.ofSeconds(10))) {
            theirs = taker.write(taker.read().orElseThrow().with(resource("b", "2")));
        }
        sleep(2_000); // past the paused holder's own confirmation window, so that it must ask the API server
        LockLostException lost = assertThrows(LockLostException.class, held::ensureHeld);
        assertTrue(lost.getMessage().contains("deleted or released"), lost.getMessage());
        assertEquals(null, client().leases().inNamespace(namespace()).withName("meshform-lock-" + stateName).get(),
                "the paused holder did not bring the Lease back");
        assertThrows(LockLostException.class, () -> paused.write(before.with(resource("c", "3"))));
        assertEquals(theirs, backend(Duration.ofSeconds(2)).read().orElseThrow());
    }

    @Test
    void aLeaseWhoseHolderDiedOnThisHostIsTakenAtOnce() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        LockInfo dead = new LockInfo("dead-id", "apply", LockInfo.forOperation("x").who(), gone.pid(),
                java.time.Instant.now(), "", LockInfo.forOperation("x").pidNamespace(), List.of());
        leaseHeldBy(dead);
        long start = System.nanoTime();
        try (LockHandle mine = openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 5_000);
            assertFalse(mine.id().equals("dead-id"));
        }
    }

    @Test
    void aLeaseWhoseHolderDiedButWhoseIstioctlStillRunsIsNotTaken() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            LockInfo dead = new LockInfo("dead-id", "apply", LockInfo.forOperation("x").who(), gone.pid(),
                    java.time.Instant.now(), "", LockInfo.forOperation("x").pidNamespace(),
                    List.of(LockInfo.Child.of(child.toHandle())));
            leaseHeldBy(dead);
            StateLockedException e = assertThrows(StateLockedException.class,
                    () -> openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO));
            assertFalse(e.stale());
            assertTrue(e.getMessage().contains("pid " + child.pid()), e.getMessage());
            child.destroyForcibly().waitFor();
            openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO).close();
        } finally {
            child.destroyForcibly();
        }
    }

    /**
     * A Lease whose holderIdentity was changed by hand keeps the annotation that describes the lock before: that dead
     * process is not its holder, so the live lock is not taken, and the holder is not said to be it.
     */
    @Test
    void aLeaseWhoseDescriptionIsOfAnotherLockIsNotTakenOnThatLocksDeadProcess() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        LockInfo dead = new LockInfo("dead-id", "apply", LockInfo.forOperation("x").who(), gone.pid(),
                java.time.Instant.now(), "", LockInfo.forOperation("x").pidNamespace(), List.of());
        leaseHeldBy(dead, "live-id");
        StateLockedException e = assertThrows(StateLockedException.class,
                () -> openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO));
        assertFalse(e.stale(), e.getMessage());
        assertEquals("live-id", e.holder().id());
        assertFalse(e.getMessage().contains("pid " + gone.pid()), e.getMessage());
    }

    /** The run whose lock another took by hand is told that some other run holds it, not that it holds it itself. */
    @Test
    void aLockTakenByHandIsNotSaidToBeHeldByTheRunThatLostIt() {
        var held = (LeaseLock.Handle) backend(Duration.ofSeconds(2)).lock(LockInfo.forOperation("apply"), Duration.ZERO);
        client().leases().inNamespace(namespace()).withName("meshform-lock-" + stateName)
                .edit(l -> {
                    l.getSpec().setHolderIdentity("thief");
                    return l;
                });
        sleep(2_000);  // past the holder's own confirmation window, so that it asks the API server
        LockLostException lost = assertThrows(LockLostException.class, held::ensureHeld);
        assertTrue(lost.getMessage().contains("it is now held by another run, lock ID thief"), lost.getMessage());
        assertFalse(lost.getMessage().contains("pid " + ProcessHandle.current().pid()), lost.getMessage());
        held.close();
    }

    private void leaseHeldBy(LockInfo holder) {
        leaseHeldBy(holder, holder.id());
    }

    private void leaseHeldBy(LockInfo holder, String holderIdentity) {
        java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
        client().leases().inNamespace(namespace()).resource(new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder()
                .withNewMetadata().withName("meshform-lock-" + stateName).withNamespace(namespace())
                .addToAnnotations(LeaseLock.LOCK_INFO_ANNOTATION, holder.toJson()).endMetadata()
                .withNewSpec().withHolderIdentity(holderIdentity).withLeaseDurationSeconds(300)
                .withAcquireTime(now).withRenewTime(now).endSpec().build()).create();
    }

    @Test
    void anAbandonedLeaseCanBeTakenOnceItExpires() {
        KubernetesStateBackend b = backend(Duration.ofSeconds(3));
        var held = (LeaseLock.Handle) b.lock(LockInfo.forOperation("apply"), Duration.ZERO);
        held.abandon(); // stops renewing without releasing, as a killed holder would
        StateLockedException early = assertThrows(StateLockedException.class,
                () -> backend(Duration.ofSeconds(3)).lock(LockInfo.forOperation("plan"), Duration.ZERO));
        assertEquals(held.id(), early.holder().id());
        long start = System.nanoTime();
        try (LockHandle mine = backend(Duration.ofSeconds(3)).lock(LockInfo.forOperation("plan"),
                Duration.ofSeconds(15))) {
            long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(waited >= 1_500, "taken after " + waited + " ms, before the lease expired");
            assertFalse(mine.id().equals(held.id()));
        }
    }

    @Test
    void aRenewedLeaseOutlivesItsDuration() {
        KubernetesStateBackend b = backend(Duration.ofSeconds(3));
        try (LockHandle held = b.lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            sleep(4_500);
            StateLockedException e = assertThrows(StateLockedException.class,
                    () -> backend(Duration.ofSeconds(3)).lock(LockInfo.forOperation("plan"), Duration.ZERO));
            assertEquals(held.id(), e.holder().id());
        }
    }

    @Test
    void aLargeStateIsSplitIntoChunksAndReadBack() {
        KubernetesStateBackend b = backend(Duration.ofSeconds(30));
        StateSnapshot big = StateSnapshot.empty("0.1.0");
        Random random = new Random(7);
        JsonMapper json = JsonMapper.builder().build();
        for (int i = 0; i < 12; i++) {
            ObjectNode attrs = json.createObjectNode();
            byte[] noise = new byte[100 * 1024]; // incompressible, so gzip cannot hide the size
            random.nextBytes(noise);
            attrs.put("blob", java.util.Base64.getEncoder().encodeToString(noise));
            big = big.with(new ResourceState("r" + i, "t", attrs, Map.of()));
        }
        StateSnapshot first = b.write(big);
        assertEquals(first, b.read().orElseThrow());
        List<String> firstChunks = chunkNames();
        assertTrue(firstChunks.size() >= 4, "expected several chunks, got " + firstChunks);

        StateSnapshot second = b.write(first.without("r0"));
        assertEquals(second, backend(Duration.ofSeconds(30)).read().orElseThrow());
        List<String> secondChunks = chunkNames();
        assertTrue(secondChunks.stream().noneMatch(firstChunks::contains), "old chunks are deleted: " + secondChunks);

        StateSnapshot small = b.write(second.without("r1").without("r2").without("r3").without("r4")
                .without("r5").without("r6").without("r7").without("r8").without("r9").without("r10").without("r11"));
        assertEquals(small, b.read().orElseThrow());
        assertEquals(List.of(), chunkNames(), "a state that fits one Secret leaves no chunks");
    }

    @Test
    void aCrashBeforeTheIndexIsWrittenLeavesThePreviousStateReadable() {
        KubernetesStateBackend b = backend(Duration.ofSeconds(30));
        StateSnapshot before = b.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        // what a crashed large write leaves: chunk Secrets of the next serial, no index pointing at them
        Secret orphan = new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withName("meshform-state-" + stateName + "-2-1").withNamespace(namespace())
                .addToLabels(KubernetesStateBackend.STATE_LABEL, stateName)
                .addToLabels(KubernetesStateBackend.ROLE_LABEL, "chunk").endMetadata()
                .addToData(KubernetesStateBackend.CHUNK_KEY, "AAAA").build();
        client().secrets().inNamespace(namespace()).resource(orphan).create();
        assertEquals(before, b.read().orElseThrow());
        b.write(before.with(resource("b", "2")));
        assertEquals(List.of(), chunkNames(), "the next write removes the leftover");
    }

    @Test
    void stateSecretIsLabelledAndGzipped() {
        openBackend().write(StateSnapshot.empty("0.1.0"));
        Secret s = client().secrets().inNamespace(namespace()).withName("meshform-state-" + stateName).get();
        assertNotNull(s);
        assertEquals("meshform", s.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
        assertEquals(stateName, s.getMetadata().getLabels().get("meshform.io/state"));
        assertTrue(s.getData().containsKey("state.json.gz"));
    }

    @Test
    void lockLeaseNamesItsHolder() {
        try (LockHandle held = openBackend().lock(LockInfo.forOperation("apply"), Duration.ZERO)) {
            var lease = client().leases().inNamespace(namespace()).withName("meshform-lock-" + stateName).get();
            assertEquals(held.id(), lease.getSpec().getHolderIdentity());
            assertEquals(30, lease.getSpec().getLeaseDurationSeconds());
            LockInfo info = LockInfo.fromJson(
                    lease.getMetadata().getAnnotations().get(KubernetesStateBackend.LOCK_INFO_ANNOTATION), "x");
            assertEquals("apply", info.operation());
        }
        assertEquals(null, client().leases().inNamespace(namespace()).withName("meshform-lock-" + stateName).get(),
                "released locks delete their Lease");
    }

    private List<String> chunkNames() {
        return client().secrets().inNamespace(namespace())
                .withLabel(KubernetesStateBackend.STATE_LABEL, stateName)
                .withLabel(KubernetesStateBackend.ROLE_LABEL, "chunk")
                .list().getItems().stream().map(s -> s.getMetadata().getName()).sorted().toList();
    }
}

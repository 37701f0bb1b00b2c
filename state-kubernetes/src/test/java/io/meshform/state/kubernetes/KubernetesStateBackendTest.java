package io.meshform.state.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.state.LockHandle;
import io.meshform.state.LockInfo;
import io.meshform.state.StateException;
import io.meshform.state.StateSnapshot;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes backend against fabric8's CRUD mock API server: fast, and it checks resourceVersion conflicts
 * on update. {@link KubernetesStateBackendIT} runs the same checks on a real API server.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesStateBackendTest extends KubernetesStateBackendContract {

    KubernetesClient client;
    KubernetesMockServer server;

    @Override
    protected KubernetesClient client() {
        return client;
    }

    @Override
    protected String namespace() {
        return "meshform-state-test";
    }

    /**
     * A slow API server can answer 504 to a write that it then carries out (its request timeout passed while etcd
     * committed); fabric8 retries the write, and the retry meets that very write: 409. Here the landed write is
     * made by a second backend that read the same state and writes the same snapshot, so the retry meets the
     * same bytes. It landed: the run goes on, and the next write carries its version.
     */
    @Test
    void aWriteRefusedBecauseTheSameWriteLandedCountsAsWritten() {
        StateSnapshot first = backend(Duration.ofSeconds(30)).write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        KubernetesStateBackend retried = backend(Duration.ofSeconds(30));
        KubernetesStateBackend landed = backend(Duration.ofSeconds(30));
        retried.read();
        landed.read();
        StateSnapshot next = first.with(resource("b", "2"));
        landed.write(next);
        StateSnapshot second = retried.write(next);
        assertEquals(first.serial() + 1, second.serial());
        StateSnapshot third = retried.write(second.with(resource("c", "3")));
        assertEquals(second.serial() + 1, third.serial());
        assertEquals(List.of("a", "b", "c"), addresses(backend(Duration.ofSeconds(30)).read().orElseThrow()));
    }

    /**
     * The answer of a write is lost (504, no retry) and the write lands later: the next write meets it (409) and
     * continues from it instead of saying that another run wrote the state.
     */
    @Test
    void aWriteWhoseAnswerWasLostAndThatLandedLaterIsContinuedFrom() {
        StateSnapshot first = backend(Duration.ofSeconds(30)).write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        KubernetesClient once = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
                .withRequestRetryBackoffLimit(0).build()).build();
        KubernetesStateBackend run = new KubernetesStateBackend(once, namespace(), stateName, Duration.ofSeconds(30),
                TEST_CHUNK_BYTES);
        KubernetesStateBackend etcd = backend(Duration.ofSeconds(30));
        run.read();
        etcd.read();
        server.expect().put().withPath("/api/v1/namespaces/" + namespace() + "/secrets/meshform-state-" + stateName)
                .andReturn(504, new StatusBuilder().withStatus("Failure").withReason("Timeout").withCode(504)
                        .withMessage("Timeout: request did not complete within requested timeout").build()).once();
        StateSnapshot lost = first.with(resource("b", "2"));
        assertThrows(StateException.class, () -> run.write(lost));
        etcd.write(lost);  // the write lands after its answer was lost
        StateSnapshot after = run.write(lost.with(resource("c", "3")));
        assertEquals(first.serial() + 2, after.serial());
        assertEquals(List.of("a", "b", "c"), addresses(backend(Duration.ofSeconds(30)).read().orElseThrow()));
    }

    /**
     * The answer of a write never comes (the connection times out: no HTTP status at all), and the write lands
     * later: that outcome is as unknown as a 504's. The next write meets it (409) and continues from it; it said
     * that another run wrote the state and that this run must have lost its lock, neither of which was true.
     */
    @Test
    void aWriteWithoutAnyAnswerThatLandedLaterIsContinuedFrom() {
        StateSnapshot first = backend(Duration.ofSeconds(30)).write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        KubernetesClient impatient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
                .withRequestRetryBackoffLimit(0).withRequestTimeout(1500).build()).build();
        KubernetesStateBackend run = new KubernetesStateBackend(impatient, namespace(), stateName, Duration.ofSeconds(30),
                TEST_CHUNK_BYTES);
        KubernetesStateBackend etcd = backend(Duration.ofSeconds(30));
        run.read();
        etcd.read();
        server.expect().put().delay(4, java.util.concurrent.TimeUnit.SECONDS)
                .withPath("/api/v1/namespaces/" + namespace() + "/secrets/meshform-state-" + stateName)
                .andReturn(504, new StatusBuilder().withStatus("Failure").withCode(504).build()).once();
        StateSnapshot lost = first.with(resource("b", "2"));
        StateException unanswered = assertThrows(StateException.class, () -> run.write(lost));
        int code = ((io.fabric8.kubernetes.client.KubernetesClientException) unanswered.getCause()).getCode();
        assertEquals(true, code < 100, "no HTTP status (fabric8 says " + code + "): " + unanswered.getMessage());
        assertEquals(true, unanswered.getMessage().contains("may have landed"), unanswered.getMessage());
        etcd.write(lost);  // the write lands after the client gave up on its answer
        StateSnapshot after = run.write(lost.with(resource("c", "3")));
        assertEquals(first.serial() + 2, after.serial());
        assertEquals(List.of("a", "b", "c"), addresses(backend(Duration.ofSeconds(30)).read().orElseThrow()));
    }

    /**
     * The answer of the create that took the lock is lost, and the client's retry meets the Lease that create made
     * (409): the lock is this run's. It said "state is locked ... held by" this very process.
     */
    /**
     * The Secret deleted under the run, and another writer's made between the end-of-run read that found none and the
     * run's create of it: the create is refused (409) and the error says another run wrote the state, not that "no state
     * is stored there now", which would send the user to put back a state over theirs.
     */
    @Test
    void aSecretAnotherWriterMadeJustBeforeTheRunMadeItAgainIsTheirs() throws Exception {
        KubernetesStateBackend run = backend(Duration.ofSeconds(30));
        run.write(StateSnapshot.empty("0.1.0").with(resource("a", "1")));
        deleteStateByHand();
        KubernetesStateBackend other = backend(Duration.ofSeconds(30));
        StateSnapshot theirs = other.write(StateSnapshot.empty("0.1.0").with(resource("x", "9")));
        server.expect().get().withPath("/api/v1/namespaces/" + namespace() + "/secrets/meshform-state-" + stateName)
                .andReturn(404, new StatusBuilder().withStatus("Failure").withReason("NotFound").withCode(404).build())
                .once();  // the end-of-run read, just before the other writer's create
        StateException e = assertThrows(StateException.class, run::compact);
        assertTrue(e.getMessage().contains("another run wrote it"), e.getMessage());
        assertFalse(e.getMessage().contains("No state is stored there now"), e.getMessage());
        assertEquals(theirs, backend(Duration.ofSeconds(30)).read().orElseThrow());
        assertEquals(List.of(), run.notices());
    }

    @Test
    void aLockWhoseAnswerWasLostIsThisRunsNotAnotherHolders() {
        LockInfo info = LockInfo.forOperation("apply");
        java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
        String lease = "meshform-lock-" + stateName;
        client.leases().inNamespace(namespace()).resource(new LeaseBuilder().withNewMetadata().withName(lease).endMetadata()
                .withNewSpec().withHolderIdentity(info.id()).withLeaseDurationSeconds(30).withAcquireTime(now)
                .withRenewTime(now).endSpec().build()).create();  // what the create whose answer was lost made
        server.expect().get().withPath("/apis/coordination.k8s.io/v1/namespaces/" + namespace() + "/leases/" + lease)
                .andReturn(404, new StatusBuilder().withStatus("Failure").withReason("NotFound").withCode(404).build())
                .once();  // the Lease as this run read it, before its create
        try (LockHandle mine = backend(Duration.ofSeconds(30)).lock(info, Duration.ZERO)) {
            assertEquals(info.id(), mine.id());
        }
        try (LockHandle next = backend(Duration.ofSeconds(30)).lock(LockInfo.forOperation("plan"), Duration.ZERO)) {
            assertNotEquals(info.id(), next.id(), "released as any lock is");
        }
    }

    /**
     * The create that took the lock gets no answer at all (the request times out) and lands: the Lease is this run's.
     * The run stopped with "could not lock state" and left its Lease to keep every run out until it expired.
     */
    @Test
    void aLockWithoutAnyAnswerThatLandedIsThisRuns() {
        LockInfo info = LockInfo.forOperation("apply");
        java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
        String lease = "meshform-lock-" + stateName;
        String path = "/apis/coordination.k8s.io/v1/namespaces/" + namespace() + "/leases";
        client.leases().inNamespace(namespace()).resource(new LeaseBuilder().withNewMetadata().withName(lease).endMetadata()
                .withNewSpec().withHolderIdentity(info.id()).withLeaseDurationSeconds(30).withAcquireTime(now)
                .withRenewTime(now).endSpec().build()).create();  // what the create whose answer never came made
        server.expect().get().withPath(path + "/" + lease)
                .andReturn(404, new StatusBuilder().withStatus("Failure").withReason("NotFound").withCode(404).build())
                .once();  // the Lease as this run read it, before its create
        server.expect().post().delay(4, java.util.concurrent.TimeUnit.SECONDS).withPath(path)
                .andReturn(504, new StatusBuilder().withStatus("Failure").withCode(504).build()).once();
        KubernetesClient impatient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
                .withRequestRetryBackoffLimit(0).withRequestTimeout(1500).build()).build();
        KubernetesStateBackend run = new KubernetesStateBackend(impatient, namespace(), stateName, Duration.ofSeconds(30),
                TEST_CHUNK_BYTES);
        try (LockHandle mine = run.lock(info, Duration.ZERO)) {
            assertEquals(info.id(), mine.id());
        }
        try (LockHandle next = backend(Duration.ofSeconds(30)).lock(LockInfo.forOperation("plan"), Duration.ZERO)) {
            assertNotEquals(info.id(), next.id(), "released as any lock is");
        }
    }

    /**
     * Credentials that may get, create, update and delete Secrets but not list them: the chunks of the state written
     * before are still deleted, by the names its index recorded. The sweep by label was the only way, and its 403 left
     * every old chunk behind without a word.
     */
    @Test
    void oldChunksAreDeletedByNameWhenSecretsMayNotBeListed() {
        server.expect().get().withPath("/api/v1/namespaces/" + namespace() + "/secrets?labelSelector="
                        + java.net.URLEncoder.encode(KubernetesStateBackend.STATE_LABEL + "=" + stateName + ","
                        + KubernetesStateBackend.ROLE_LABEL + "=chunk", java.nio.charset.StandardCharsets.UTF_8))
                .andReturn(403, new StatusBuilder().withStatus("Failure").withReason("Forbidden").withCode(403)
                        .withMessage("secrets is forbidden: cannot list resource \"secrets\"").build()).always();
        KubernetesStateBackend b = backend(Duration.ofSeconds(30));
        java.util.Random random = new java.util.Random(7);
        StateSnapshot big = StateSnapshot.empty("0.1.0");
        for (int i = 0; i < 4; i++) {
            byte[] noise = new byte[100 * 1024];  // incompressible: the state needs chunks
            random.nextBytes(noise);
            big = big.with(new io.meshform.state.ResourceState("r" + i, "t", tools.jackson.databind.json.JsonMapper.builder()
                    .build().createObjectNode().put("blob", java.util.Base64.getEncoder().encodeToString(noise)),
                    java.util.Map.of()));
        }
        StateSnapshot first = b.write(big);
        List<String> firstChunks = secretNames();
        assertEquals(true, firstChunks.size() >= 2, "expected chunks, got " + firstChunks);
        b.write(first.without("r0"));
        List<String> now = secretNames();
        assertEquals(List.of(), now.stream().filter(firstChunks::contains).toList(), "old chunks are deleted: " + now);
        assertEquals(first.without("r0").resources(), backend(Duration.ofSeconds(30)).read().orElseThrow().resources());
    }

    /** The chunk Secrets of this state: listed without a label selector, which the test above forbids alone. */
    private List<String> secretNames() {
        return client.secrets().inNamespace(namespace()).list().getItems().stream().map(s -> s.getMetadata().getName())
                .filter(n -> n.startsWith("meshform-state-" + stateName + "-")).sorted().toList();
    }

    private static List<String> addresses(StateSnapshot s) {
        return s.resources().stream().map(r -> r.address()).toList();
    }
}

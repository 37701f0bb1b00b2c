package io.meshform.state.kubernetes;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecretList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.meshform.state.CorruptStateException;
import io.meshform.state.LineageCheck;
import io.meshform.state.LockHandle;
import io.meshform.state.LockInfo;
import io.meshform.state.LockLostException;
import io.meshform.state.LockRetry;
import io.meshform.state.StateBackend;
import io.meshform.state.StateCodec;
import io.meshform.state.StateException;
import io.meshform.state.StateLockedException;
import io.meshform.state.StateSnapshot;
import io.meshform.state.VanishedState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * State in a Kubernetes Secret {@code meshform-state-<name>} (gzipped JSON), locked by a
 * {@code coordination.k8s.io/v1} Lease {@code meshform-lock-<name>} in the same namespace ({@link LeaseLock}).
 *
 * <p>A state too big for one Secret (about 1 MiB) is split into chunk Secrets named after the serial and the write
 * they belong to, {@code meshform-state-<name>-<serial>-<write>-<i>}, listed by an index in the main Secret. Chunks
 * are written before the index and old chunks deleted after it, so a crash at any point leaves the previous state
 * readable; chunks of a later serial than the one just written are never deleted, as they may be another run's.
 *
 * <p>Fencing: a run that holds the lock checks with the API server that it still does before each write, and
 * every write is a compare-and-swap on the resourceVersion of the Secret as this backend last read or wrote it (not
 * as re-read just before writing). So a run that lost its lock while paused, and raced past the check, still
 * cannot overwrite what the run that took the lock wrote meanwhile.
 *
 * <p>No journal: every {@link #record} is a whole write (the {@link io.meshform.state.StateStore} default). The
 * local file journals because an fsync'd append is far cheaper than rewriting and renaming the file; here each
 * step costs one API round trip (the Lease check, then the compare-and-swap) whatever its size, and a journal in a
 * second object could not share the Secret's compare-and-swap: its records would need their own resourceVersion
 * chain and a second fencing check, and compaction would be two writes that a crash can split. The applier's group
 * commit already folds steps that finish together into one write. {@link #compact} only writes the Secret again
 * when it was deleted under the run ({@link VanishedState}).
 */
public final class KubernetesStateBackend implements StateBackend {

    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String STATE_LABEL = "meshform.io/state";
    static final String ROLE_LABEL = "meshform.io/role";
    static final String SERIAL_LABEL = "meshform.io/serial";
    static final String LOCK_INFO_ANNOTATION = LeaseLock.LOCK_INFO_ANNOTATION;
    static final String DATA_KEY = "state.json.gz";
    static final String INDEX_KEY = "index.json";
    static final String CHUNK_KEY = "chunk";
    static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(30);
    /** Below the 1 MiB Secret limit with room for metadata. */
    static final int DEFAULT_CHUNK_BYTES = 900 * 1024;

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String secretName;
    private final StateCodec codec = new StateCodec();
    private final StateChunks chunks;
    private final LeaseLock lock;
    /** True once this backend has read or written the Secret; {@code seenVersion} is then its resourceVersion
     * (null: it did not exist), {@code seenSnapshot} its content and {@code seenData} its data as stored. */
    private boolean seen;
    private String seenVersion;
    private StateSnapshot seenSnapshot;
    private Map<String, String> seenData;
    private LeaseLock.Handle held;
    /** This run's last write whose answer was lost, until a later write or read-back settles it. */
    private Attempt unconfirmed;
    /** What this run does when the Secret is deleted under it: {@code seenVersion} is then null, {@code seenSnapshot}
     * still what this run knows. */
    private final VanishedState vanishing;

    public KubernetesStateBackend(KubernetesClient client, String namespace, String name) {
        this(client, namespace, name, DEFAULT_LEASE_DURATION);
    }

    /** @param leaseDuration how long a lock outlives its last renewal when the holder dies */
    public KubernetesStateBackend(KubernetesClient client, String namespace, String name, Duration leaseDuration) {
        this(client, namespace, name, leaseDuration, DEFAULT_CHUNK_BYTES);
    }

    KubernetesStateBackend(KubernetesClient client, String namespace, String name, Duration leaseDuration,
                           int chunkBytes) {
        KubernetesNames.checkLocation(namespace, name);
        if (leaseDuration.getSeconds() < 1) {
            throw new IllegalArgumentException("lease duration must be at least 1 second, got " + leaseDuration);
        }
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.secretName = "meshform-state-" + name;
        this.chunks = new StateChunks(this::secrets, namespace, name, secretName, describe(), chunkBytes,
                labels("chunk"));
        this.lock = new LeaseLock(client, namespace, "meshform-lock-" + name, leaseDuration, describe(), labels("lock"));
        this.vanishing = new VanishedState("state Secret " + namespace + "/" + secretName);
    }

    @Override
    public String describe() {
        return "Kubernetes Secret " + namespace + "/" + secretName;
    }

    /** The Secret and its cluster ({@link ClusterIdentity}): each cluster holds its own Secret of this name. */
    @Override
    public String location() {
        return describe() + " of " + ClusterIdentity.of(client.getConfiguration());
    }

    @Override
    public synchronized Optional<StateSnapshot> read() {
        Secret main = call("read", () -> secrets().withName(secretName).get());
        StateSnapshot s = main == null ? null : decode(main);
        remember(main, s);
        return Optional.ofNullable(s);
    }

    private void remember(Secret main, StateSnapshot s) {
        seen = true;
        seenVersion = main == null ? null : main.getMetadata().getResourceVersion();
        seenData = main == null ? null : main.getData();
        seenSnapshot = s;
    }

    @Override
    public synchronized StateSnapshot write(StateSnapshot s) {
        if (held != null) {
            held.verify();
        }
        if (!seen) {
            read();
        }
        long serial = s.serial() + 1;
        if (seenSnapshot != null) {
            LineageCheck.require(seenSnapshot, s, describe());
            serial = vanished() ? VanishedState.serialAfter(s, seenSnapshot.serial()) : seenSnapshot.serial() + 1;
        }
        return store(s, serial);
    }

    /**
     * True when the Secret this run read or wrote was deleted under it (found missing by a write's 404 or at the end of
     * the run): the next write makes it again from what this run knows ({@link VanishedState}), with a create, which
     * fails if another writer made one meanwhile.
     */
    private boolean vanished() {
        return seen && seenVersion == null && seenSnapshot != null;
    }

    /** Writes {@code s} under {@code serial}: a create where this run saw no Secret, else a compare-and-swap. */
    private StateSnapshot store(StateSnapshot s, long serial) {
        boolean vanished = vanished();
        StateSnapshot out = new StateSnapshot(StateSnapshot.CURRENT_FORMAT_VERSION, serial, s.lineage(),
                s.meshformVersion(), s.resources(), s.stack(), s.creating(), s.deposed());
        byte[] gz = SecretBytes.gzip(codec.encode(out));

        Map<String, String> data = new LinkedHashMap<>();
        List<String> chunkNames = List.of();
        if (!chunks.needed(gz)) {
            data.put(DATA_KEY, SecretBytes.base64(gz));
        } else {
            chunkNames = chunks.write(gz, serial);
            String index = StateChunks.index(chunkNames, gz);
            data.put(INDEX_KEY, SecretBytes.base64(index.getBytes(StandardCharsets.UTF_8)));
        }
        Secret next = new SecretBuilder()
                .withNewMetadata()
                    .withName(secretName)
                    .withNamespace(namespace)
                    .withLabels(labels("state"))
                    .addToAnnotations("meshform.io/serial", Long.toString(serial))
                    .addToAnnotations("meshform.io/lineage", out.lineage())
                    .withResourceVersion(seenVersion)
                .endMetadata()
                .withType("Opaque")
                .withData(data)
                .build();
        Secret written;
        try {
            // create fails if someone created the Secret since we saw none; update carries the resourceVersion
            // we last saw: either way a write by anyone else in between makes this one fail, not overwrite it
            written = seenVersion == null ? secrets().resource(next).create() : secrets().resource(next).update();
        } catch (KubernetesClientException e) {
            // The answer may be lost after the write landed (a slow API server's 504, which fabric8 retries: the
            // retry then meets this very write and gets 409). Read the Secret back before saying anything.
            Secret now = null;
            boolean readable = true;
            try {
                now = secrets().withName(secretName).get();
            } catch (KubernetesClientException unread) {
                readable = false;
            }
            if (now != null && data.equals(now.getData())) {
                written = now;
            } else if (e.getCode() == 409 && now != null && unconfirmed != null && unconfirmed.data().equals(now.getData())) {
                // An earlier write of this run whose answer was lost landed after all: continue from it.
                chunks.deleteQuietly(chunkNames);
                remember(now, unconfirmed.snapshot());
                unconfirmed = null;
                return write(s);
            } else if (e.getCode() == 409 && now != null && seenData != null && seenData.equals(now.getData())
                    && !now.getMetadata().getResourceVersion().equals(seenVersion)) {
                // Only its labels or annotations changed (a person, a backup or GitOps tool): the state is the one
                // this run saw, so the compare-and-swap on the data still holds; write on the new version.
                chunks.deleteQuietly(chunkNames);
                remember(now, seenSnapshot);
                return write(s);
            } else if (e.getCode() == 404 && readable && now == null && seenVersion != null && seenSnapshot != null) {
                // Deleted under this run, which holds the lock (VanishedState): made again, from what this run knows.
                chunks.deleteQuietly(chunkNames);
                seenVersion = null;
                seenData = null;
                return write(s);
            } else {
                throw notWritten(e, readable, chunkNames, data, out);
            }
        }
        unconfirmed = null;
        Map<String, String> previous = seenData;
        remember(written, out);
        if (vanished) {
            vanishing.rewritten(out.serial());
        }
        chunks.deleteRecorded(previous, Set.copyOf(chunkNames));
        chunks.deleteExcept(Set.copyOf(chunkNames), serial);
        return out;
    }

    /** A write this run sent whose outcome it could not learn: the Secret's data, and the state it holds. */
    private record Attempt(Map<String, String> data, StateSnapshot snapshot) {
    }

    /**
     * The error of a write that did not land, or whose outcome is unknown (a server error, no answer at all, or no
     * read-back). Its chunks are removed only when it is known not to have landed: an index that landed later would
     * need them (the next successful write removes them otherwise).
     */
    private StateException notWritten(KubernetesClientException e, boolean readBack, List<String> chunkNames,
                                      Map<String, String> data, StateSnapshot out) {
        if (!readBack || outcomeUnknown(e)) {
            unconfirmed = new Attempt(data, out);
        } else {
            chunks.deleteQuietly(chunkNames);
        }
        if (e.getCode() == 409) {
            return new StateException("state in " + describe() + " changed since this run read it (serial "
                    + (seenSnapshot == null ? "none" : seenSnapshot.serial()) + " then): another run wrote it"
                    + (held != null ? ", so this run must have lost its lock" : "") + ". Nothing was "
                    + "overwritten; the state is as that run left it. Run meshform again so that it plans "
                    + "against the new state.", e, "let the other run finish, then run `meshform plan` against the state it"
                    + " left");
        }
        if (outcomeUnknown(e)) {
            // "could not write" would be false when the write lands after its answer was lost.
            return new StateException("the answer to writing state in " + describe() + " was lost: " + StateRequestFailure.serverSays(e)
                    + "\nThe write may have landed, or may still land: the state is as this run read it or as it wrote"
                    + " it. Run `meshform plan` once the cluster is reachable to see which.", e,
                    "make sure the cluster answers, then run `meshform plan` to see what the state holds");
        }
        return failure("write", e);
    }

    /**
     * True when the API server's answer does not say the write was refused: a server error (a 504 is sent when its
     * own timeout passes while etcd may still commit), or no HTTP answer at all (fabric8 gives a code below 100 when
     * the request timed out or the connection broke after the request went out). A read-back right after such an
     * answer may come before the write lands, so it does not prove that it never will.
     */
    static boolean outcomeUnknown(KubernetesClientException e) {
        return e.getCode() >= 500 || e.getCode() < 100;
    }

    /**
     * The end of an apply: when the Secret this run last read or wrote is gone, deleted under the run with no step
     * left to record, writes it again as this run knows it, under the serial it had ({@link VanishedState}). One read
     * per apply; without it the run's summary said "the state records every step that finished (serial N)" while no
     * state existed, and the objects it made were another state's to the next run.
     */
    @Override
    public synchronized Optional<StateSnapshot> compact() {
        if (!seen || seenVersion == null || seenSnapshot == null) {
            return Optional.empty();
        }
        Secret now = call("read", () -> secrets().withName(secretName).get());
        return vanishing.restore(now == null, () -> {
            if (held != null) {
                held.verify();
            }
        }, () -> {
            seenVersion = null;
            seenData = null;
            try {
                return store(seenSnapshot, seenSnapshot.serial());
            } catch (LockLostException e) {
                throw e;
            } catch (StateException e) {
                // A Secret another writer made meanwhile is theirs, and the error says so; "no state is stored" is then
                // not true.
                boolean stored;
                try {
                    stored = secrets().withName(secretName).get() != null;
                } catch (KubernetesClientException unread) {
                    stored = false;
                }
                throw stored ? e : vanishing.notRestored(e.getMessage(), e);
            }
        });
    }

    @Override
    public synchronized List<String> notices() {
        return vanishing.notices();
    }

    @Override
    public LockHandle lock(LockInfo info, Duration wait) throws StateLockedException {
        LockInfo mine = info.withPath(describe());
        LeaseLock.Handle handle = (LeaseLock.Handle) LockRetry.acquire(wait, () -> lock.tryLock(mine));
        synchronized (this) {
            held = handle;
        }
        return handle;
    }

    @Override
    public void forceUnlock(String lockId) {
        lock.forceUnlock(lockId);
    }

    // ---- state content ----

    private StateSnapshot decode(Secret main) {
        String source = "state in " + describe();
        try {
            return codec.decode(SecretBytes.gunzip(content(main, source), source), source);
        } catch (CorruptStateException e) {
            throw e.withRecovery(recoveryAdvice());
        }
    }

    private byte[] content(Secret main, String source) {
        Map<String, String> data = main.getData() == null ? Map.of() : main.getData();
        if (data.containsKey(DATA_KEY)) {
            return SecretBytes.unbase64(data.get(DATA_KEY), source, DATA_KEY);
        }
        if (!data.containsKey(INDEX_KEY)) {
            throw new CorruptStateException(source, "the Secret has neither " + DATA_KEY + " nor " + INDEX_KEY);
        }
        return chunks.read(SecretBytes.unbase64(data.get(INDEX_KEY), source, INDEX_KEY), source);
    }

    private String recoveryAdvice() {
        return "Kubernetes keeps no earlier version of this Secret. Restore it from a backup of namespace "
                + namespace + ", or inspect it with:\n  kubectl -n " + namespace + " get secret " + secretName
                + " -o jsonpath='{.data.state\\.json\\.gz}' | base64 -d | gunzip";
    }

    private Map<String, String> labels(String role) {
        return Map.of(MANAGED_BY, "meshform", STATE_LABEL, name, ROLE_LABEL, role);
    }

    private NonNamespaceOperation<Secret, SecretList, Resource<Secret>> secrets() {
        return client.secrets().inNamespace(namespace);
    }

    private <T> T call(String what, java.util.function.Supplier<T> request) {
        try {
            return request.get();
        } catch (KubernetesClientException e) {
            throw failure(what, e);
        }
    }

    private StateException failure(String what, KubernetesClientException e) {
        return StateRequestFailure.of(what, describe(), namespace, e);
    }
}

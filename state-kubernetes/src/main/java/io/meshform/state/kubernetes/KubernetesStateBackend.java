package io.meshform.state.kubernetes;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecretList;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.meshform.state.CorruptStateException;
import io.meshform.state.LineageCheck;
import io.meshform.state.LockHandle;
import io.meshform.state.LockInfo;
import io.meshform.state.LockRetry;
import io.meshform.state.StateBackend;
import io.meshform.state.StateCodec;
import io.meshform.state.StateException;
import io.meshform.state.StateLockedException;
import io.meshform.state.StateSnapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * State in a Kubernetes Secret {@code meshform-state-<name>} (gzipped JSON), locked by a
 * {@code coordination.k8s.io/v1} Lease {@code meshform-lock-<name>} in the same namespace.
 *
 * <p>A state too big for one Secret (about 1 MiB) is split into chunk Secrets named after the serial they belong
 * to, {@code meshform-state-<name>-<serial>-<i>}, listed by an index in the main Secret. Chunks are written
 * before the index and old chunks deleted after it, so a crash at any point leaves the previous state readable.
 *
 * <p>Every write is a compare-and-swap on the resourceVersion read just before: a plain update without it would
 * be last-write-wins.
 *
 * <p>Longer than 400 lines because the Secret store, its chunking and the Lease lock share one client and one
 * compare-and-swap discipline; it splits when it moves to a module of its own behind a backend SPI (issue #16).
 */
public final class KubernetesStateBackend implements StateBackend {

    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String STATE_LABEL = "meshform.io/state";
    static final String ROLE_LABEL = "meshform.io/role";
    static final String LOCK_INFO_ANNOTATION = "meshform.io/lock-info";
    static final String DATA_KEY = "state.json.gz";
    static final String INDEX_KEY = "index.json";
    static final String CHUNK_KEY = "chunk";
    static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(30);
    /** Below the 1 MiB Secret limit with room for metadata. */
    static final int DEFAULT_CHUNK_BYTES = 900 * 1024;

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,198}[a-z0-9])?");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String secretName;
    private final String leaseName;
    private final Duration leaseDuration;
    private final int chunkBytes;
    private final StateCodec codec = new StateCodec();

    public KubernetesStateBackend(KubernetesClient client, String namespace, String name) {
        this(client, namespace, name, DEFAULT_LEASE_DURATION);
    }

    /** @param leaseDuration how long a lock outlives its last renewal when the holder dies */
    public KubernetesStateBackend(KubernetesClient client, String namespace, String name, Duration leaseDuration) {
        this(client, namespace, name, leaseDuration, DEFAULT_CHUNK_BYTES);
    }

    KubernetesStateBackend(KubernetesClient client, String namespace, String name, Duration leaseDuration,
                           int chunkBytes) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("state name \"" + name + "\" cannot be part of a Kubernetes object "
                    + "name: use lowercase letters, digits and '-', starting and ending with a letter or digit");
        }
        if (leaseDuration.getSeconds() < 1) {
            throw new IllegalArgumentException("lease duration must be at least 1 second, got " + leaseDuration);
        }
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.secretName = "meshform-state-" + name;
        this.leaseName = "meshform-lock-" + name;
        this.leaseDuration = leaseDuration;
        this.chunkBytes = chunkBytes;
    }

    @Override
    public String describe() {
        return "Kubernetes Secret " + namespace + "/" + secretName;
    }

    @Override
    public Optional<StateSnapshot> read() {
        Secret main = call("read", () -> secrets().withName(secretName).get());
        return main == null ? Optional.empty() : Optional.of(decode(main));
    }

    @Override
    public StateSnapshot write(StateSnapshot s) {
        Secret current = call("read", () -> secrets().withName(secretName).get());
        long serial = s.serial() + 1;
        if (current != null) {
            StateSnapshot stored = decode(current);
            LineageCheck.require(stored, s, describe());
            serial = stored.serial() + 1;
        }
        StateSnapshot out = new StateSnapshot(StateSnapshot.CURRENT_FORMAT_VERSION, serial, s.lineage(),
                s.meshformVersion(), s.resources());
        byte[] gz = gzip(codec.encode(out));

        Map<String, String> data = new LinkedHashMap<>();
        List<String> chunks = List.of();
        if (gz.length <= chunkBytes) {
            data.put(DATA_KEY, base64(gz));
        } else {
            chunks = writeChunks(gz, serial);
            data.put(INDEX_KEY, base64(index(chunks, gz).getBytes(StandardCharsets.UTF_8)));
        }
        Secret next = new SecretBuilder()
                .withNewMetadata()
                    .withName(secretName)
                    .withNamespace(namespace)
                    .withLabels(labels("state"))
                    .addToAnnotations("meshform.io/serial", Long.toString(serial))
                    .addToAnnotations("meshform.io/lineage", out.lineage())
                    .withResourceVersion(current == null ? null : current.getMetadata().getResourceVersion())
                .endMetadata()
                .withType("Opaque")
                .withData(data)
                .build();
        try {
            if (current == null) {
                secrets().resource(next).create();
            } else {
                secrets().resource(next).update(); // carries the resourceVersion read above: compare-and-swap
            }
        } catch (KubernetesClientException e) {
            deleteChunksQuietly(chunks);
            if (e.getCode() == 409) {
                throw new StateException("state in " + describe() + " changed while meshform was writing it "
                        + "(another run wrote without holding the lock?). Nothing was overwritten: run meshform "
                        + "again so that it plans against the new state.", e);
            }
            throw failure("write", e);
        }
        deleteChunksExcept(Set.copyOf(chunks));
        return out;
    }

    @Override
    public LockHandle lock(LockInfo info, Duration wait) throws StateLockedException {
        LockInfo mine = info.withPath(describe());
        return LockRetry.acquire(wait, () -> tryLock(mine));
    }

    @Override
    @SuppressWarnings("deprecation") // lockResourceVersion is the only DSL that sends a delete precondition
    public void forceUnlock(String lockId) {
        Lease lease = call("read the lock", () -> leases().withName(leaseName).get());
        if (lease == null || isFree(lease)) {
            throw new StateException("state is not locked: " + describe() + " (no holder on Lease " + namespace
                    + "/" + leaseName + "); nothing to unlock");
        }
        String holder = lease.getSpec().getHolderIdentity();
        if (!holder.equals(lockId)) {
            throw new StateException("refusing to unlock " + describe() + ": it is locked with ID " + holder
                    + ", not " + lockId + ". The lock changed hands since you saw the ID; run meshform again to "
                    + "see who holds it now.");
        }
        try {
            leases().withName(leaseName).lockResourceVersion(lease.getMetadata().getResourceVersion()).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw new StateException("the lock on " + describe() + " changed while unlocking it; run meshform "
                        + "again to see who holds it now.", e);
            }
            throw failure("force-unlock", e);
        }
    }

    // ---- lock ----

    private LockHandle tryLock(LockInfo mine) {
        Lease current = call("read the lock", () -> leases().withName(leaseName).get());
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        if (current != null && !isFree(current) && !isExpired(current, now)) {
            throw locked(current);
        }
        Lease wanted = newLease(mine, now, current == null ? null : current.getMetadata().getResourceVersion());
        Lease taken;
        try {
            // create fails with 409 when another locker created it first; update fails with 409 when another
            // locker took the free or expired lease first: either way exactly one wins
            taken = current == null ? leases().resource(wanted).create() : leases().resource(wanted).update();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                Lease winner = call("read the lock", () -> leases().withName(leaseName).get());
                throw locked(winner != null ? winner : wanted);
            }
            throw failure("lock", e);
        }
        return new LeaseLockHandle(mine.id(), taken.getMetadata().getResourceVersion());
    }

    private Lease newLease(LockInfo info, ZonedDateTime now, String resourceVersion) {
        return new LeaseBuilder()
                .withNewMetadata()
                    .withName(leaseName)
                    .withNamespace(namespace)
                    .withLabels(labels("lock"))
                    .addToAnnotations(LOCK_INFO_ANNOTATION, info.toJson())
                    .withResourceVersion(resourceVersion)
                .endMetadata()
                .withNewSpec()
                    .withHolderIdentity(info.id())
                    .withLeaseDurationSeconds((int) leaseDuration.getSeconds())
                    .withAcquireTime(now)
                    .withRenewTime(now)
                .endSpec()
                .build();
    }

    private static boolean isFree(Lease lease) {
        return lease.getSpec() == null || lease.getSpec().getHolderIdentity() == null
                || lease.getSpec().getHolderIdentity().isBlank();
    }

    /**
     * Past renewTime + leaseDurationSeconds. This compares our clock with the holder's, so clocks skewed by more
     * than the lease duration could let a lock be taken early; keep nodes and workstations on NTP.
     */
    static boolean isExpired(Lease lease, ZonedDateTime now) {
        ZonedDateTime renewed = lease.getSpec().getRenewTime() != null ? lease.getSpec().getRenewTime()
                : lease.getSpec().getAcquireTime();
        Integer seconds = lease.getSpec().getLeaseDurationSeconds();
        if (renewed == null || seconds == null) {
            return true;
        }
        return renewed.plusSeconds(seconds).isBefore(now);
    }

    private StateLockedException locked(Lease lease) {
        String holderId = isFree(lease) ? "unknown" : lease.getSpec().getHolderIdentity();
        String json = lease.getMetadata().getAnnotations() == null ? null
                : lease.getMetadata().getAnnotations().get(LOCK_INFO_ANNOTATION);
        LockInfo holder = json == null
                ? new LockInfo(holderId, "", "", 0, null, describe())
                : LockInfo.fromJson(json, holderId);
        if (!holder.id().equals(holderId)) {
            // the annotation is informational; holderIdentity is what the lock really is
            holder = new LockInfo(holderId, holder.operation(), holder.who(), holder.pid(), holder.created(),
                    holder.path());
        }
        return new StateLockedException(describe() + " (Lease " + namespace + "/" + leaseName + ")", holder,
                holder.holderProcessGone());
    }

    /** Keeps the Lease renewed from a daemon thread while held; closing stops that and deletes the Lease. */
    final class LeaseLockHandle implements LockHandle {

        private final String id;
        private final java.util.concurrent.ScheduledExecutorService renewer;
        private volatile boolean lost;
        private boolean closed;

        LeaseLockHandle(String id, String resourceVersion) {
            this.id = id;
            this.renewer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "meshform-lease-renewer-" + name);
                t.setDaemon(true); // a forgotten handle must not keep the JVM alive; the lease then expires
                return t;
            });
            long every = Math.max(200, leaseDuration.toMillis() / 3);
            renewer.scheduleWithFixedDelay(this::renew, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        @Override
        public String id() {
            return id;
        }

        /** True once someone else took or removed the lease, e.g. by force-unlock or after it expired. */
        boolean lost() {
            return lost;
        }

        private void renew() {
            try {
                Lease lease = leases().withName(leaseName).get();
                if (lease == null || isFree(lease) || !id.equals(lease.getSpec().getHolderIdentity())) {
                    lost = true;
                    renewer.shutdown();
                    return;
                }
                lease.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
                leases().resource(lease).update(); // with the rv just read; a 409 retries on the next tick
            } catch (KubernetesClientException e) {
                // a blip in the API server: the next tick tries again, well before the lease expires
            }
        }

        /** Stops renewing without releasing, as a crashed holder would; tests use it to let the lease expire. */
        synchronized void abandon() {
            closed = true;
            stopRenewer();
        }

        @Override
        @SuppressWarnings("deprecation") // lockResourceVersion is the only DSL that sends a delete precondition
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            stopRenewer();
            try {
                Lease lease = leases().withName(leaseName).get();
                if (lease != null && !isFree(lease) && id.equals(lease.getSpec().getHolderIdentity())) {
                    leases().withName(leaseName).lockResourceVersion(lease.getMetadata().getResourceVersion())
                            .delete();
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 && e.getCode() != 404) {
                    throw new StateException("could not release the lock on " + describe() + ": "
                            + e.getMessage() + "\nIt expires " + leaseDuration.getSeconds() + " s after its "
                            + "last renewal; or run: meshform force-unlock " + id, e);
                }
                // 409/404: the lease changed hands meanwhile; it is no longer ours to delete
            }
        }

        private void stopRenewer() {
            renewer.shutdownNow();
            try {
                renewer.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- state content ----

    private StateSnapshot decode(Secret main) {
        String source = "state in " + describe();
        try {
            return codec.decode(gunzip(content(main, source), source), source);
        } catch (CorruptStateException e) {
            throw e.withRecovery(recoveryAdvice());
        }
    }

    private byte[] content(Secret main, String source) {
        Map<String, String> data = main.getData() == null ? Map.of() : main.getData();
        if (data.containsKey(DATA_KEY)) {
            return unbase64(data.get(DATA_KEY), source, DATA_KEY);
        }
        if (!data.containsKey(INDEX_KEY)) {
            throw new CorruptStateException(source, "the Secret has neither " + DATA_KEY + " nor " + INDEX_KEY);
        }
        JsonNode index;
        try {
            index = JSON.readTree(unbase64(data.get(INDEX_KEY), source, INDEX_KEY));
        } catch (JacksonException e) {
            throw new CorruptStateException(source, INDEX_KEY + " is not valid JSON: " + e.getOriginalMessage());
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (JsonNode chunkName : index.path("chunks")) {
            String chunk = chunkName.asString("");
            Secret part = call("read", () -> secrets().withName(chunk).get());
            if (part == null || part.getData() == null || !part.getData().containsKey(CHUNK_KEY)) {
                throw new CorruptStateException(source, "chunk Secret " + namespace + "/" + chunk
                        + " listed in " + INDEX_KEY + " is missing or empty");
            }
            all.writeBytes(unbase64(part.getData().get(CHUNK_KEY), source, chunk));
        }
        byte[] gz = all.toByteArray();
        if (!sha256(gz).equals(index.path("sha256").asString(""))) {
            throw new CorruptStateException(source, "the chunks do not add up to what " + INDEX_KEY
                    + " records (sha256 mismatch): a chunk Secret was changed or replaced");
        }
        return gz;
    }

    private List<String> writeChunks(byte[] gz, long serial) {
        List<String> names = new ArrayList<>();
        for (int offset = 0, i = 1; offset < gz.length; offset += chunkBytes, i++) {
            byte[] part = java.util.Arrays.copyOfRange(gz, offset, Math.min(gz.length, offset + chunkBytes));
            String chunkName = secretName + "-" + serial + "-" + i;
            Secret chunk = new SecretBuilder()
                    .withNewMetadata()
                        .withName(chunkName)
                        .withNamespace(namespace)
                        .withLabels(labels("chunk"))
                    .endMetadata()
                    .withType("Opaque")
                    .addToData(CHUNK_KEY, base64(part))
                    .build();
            try {
                // a chunk of this serial can exist only as a leftover of a crashed write: overwrite it
                secrets().resource(chunk).createOr(op -> op.update());
            } catch (KubernetesClientException e) {
                deleteChunksQuietly(names);
                throw failure("write chunk " + chunkName + " of", e);
            }
            names.add(chunkName);
        }
        return names;
    }

    /** Deletes chunk Secrets of this state that {@code keep} does not list: old serials and crashed writes. */
    private void deleteChunksExcept(Set<String> keep) {
        try {
            List<Secret> chunks = secrets().withLabel(STATE_LABEL, name).withLabel(ROLE_LABEL, "chunk").list()
                    .getItems();
            List<String> stale = new ArrayList<>();
            for (Secret c : chunks) {
                if (!keep.contains(c.getMetadata().getName())) {
                    stale.add(c.getMetadata().getName());
                }
            }
            deleteChunksQuietly(stale);
        } catch (KubernetesClientException e) {
            // leftovers cost space, not correctness; the next write tries again
        }
    }

    private void deleteChunksQuietly(List<String> names) {
        for (String n : new HashSet<>(names)) {
            try {
                secrets().withName(n).delete();
            } catch (KubernetesClientException e) {
                // as above
            }
        }
    }

    private static String index(List<String> chunks, byte[] gz) {
        ObjectNode n = JSON.createObjectNode();
        n.put("bytes", gz.length);
        n.put("sha256", sha256(gz));
        chunks.forEach(n.putArray("chunks")::add);
        return JSON.writeValueAsString(n);
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

    private NonNamespaceOperation<Lease, LeaseList, Resource<Lease>> leases() {
        return client.leases().inNamespace(namespace);
    }

    private <T> T call(String what, java.util.function.Supplier<T> request) {
        try {
            return request.get();
        } catch (KubernetesClientException e) {
            throw failure(what, e);
        }
    }

    private StateException failure(String what, KubernetesClientException e) {
        String hint = switch (e.getCode()) {
            case 401 -> "the cluster rejected the credentials: check the kubeconfig";
            case 403 -> "meshform may not access Secrets and Leases in namespace " + namespace
                    + ": grant get/list/create/update/delete on secrets and coordination.k8s.io leases there";
            case 404 -> "check that namespace " + namespace + " exists";
            default -> "check that the cluster is reachable, then run meshform again";
        };
        return new StateException("could not " + what + " state in " + describe() + ": " + serverSays(e)
                + "\n" + hint, e);
    }

    /** The API server's own message when it answered (fabric8's text repeats the whole Status object). */
    static String serverSays(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null && !e.getStatus().getMessage().isBlank()) {
            return e.getStatus().getMessage() + " (HTTP " + e.getCode() + ")";
        }
        return e.getMessage();
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] unbase64(String text, String source, String key) {
        try {
            return Base64.getDecoder().decode(text == null ? "" : text);
        } catch (IllegalArgumentException e) {
            throw new CorruptStateException(source, key + " is not valid base64");
        }
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory streams do not fail
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] bytes, String source) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new CorruptStateException(source, DATA_KEY + " is not valid gzip (" + e.getMessage() + ")");
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}

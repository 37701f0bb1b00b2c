package io.meshform.state.kubernetes;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.meshform.state.LockInfo;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * What a state lock's Lease says and what is sent to change it, without asking the API server: whether anyone holds
 * it, whether its lease ran out, who the holder is; the Lease that takes it and the JSON patch that renews it.
 * {@link LeaseLock} makes the requests.
 */
final class LeaseRecord {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The MicroTime format of {@code renewTime}. */
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    private LeaseRecord() {
    }

    /**
     * The Lease that gives the lock to {@code info} from {@code now}, sent as a create when {@code resourceVersion} is
     * null and else as an update on that version: a compare-and-swap, so of two runs racing for it one wins.
     */
    static Lease taking(String namespace, String leaseName, Map<String, String> labels, Duration duration,
                        LockInfo info, ZonedDateTime now, String resourceVersion) {
        return new LeaseBuilder()
                .withNewMetadata()
                    .withName(leaseName)
                    .withNamespace(namespace)
                    .withLabels(labels)
                    .addToAnnotations(LeaseLock.LOCK_INFO_ANNOTATION, info.toJson())
                    .withResourceVersion(resourceVersion)
                .endMetadata()
                .withNewSpec()
                    .withHolderIdentity(info.id())
                    .withLeaseDurationSeconds((int) duration.getSeconds())
                    .withAcquireTime(now)
                    .withRenewTime(now)
                .endSpec()
                .build();
    }

    static boolean isFree(Lease lease) {
        return lease.getSpec() == null || lease.getSpec().getHolderIdentity() == null
                || lease.getSpec().getHolderIdentity().isBlank();
    }

    /** True when {@code lease} exists and names the lock {@code lockId} as its holder. */
    static boolean heldBy(Lease lease, String lockId) {
        return lease != null && !isFree(lease) && lockId.equals(lease.getSpec().getHolderIdentity());
    }

    /**
     * Past renewTime + leaseDurationSeconds. This compares our clock with the holder's, so clocks skewed by more
     * than a fifth of the lease duration could let a lock be taken while its holder still thinks it safe; keep
     * nodes and workstations on NTP.
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

    /**
     * Who the Lease says holds it; its holderIdentity is the lock, the annotation only describes the holder. An
     * annotation that describes another lock (meshform writes both in one request, so the Lease was changed by hand or
     * by another tool: {@code kubectl patch lease ... holderIdentity}) says nothing about the holder: kept under the
     * holder's ID, it named the run that had lost the lock as the one holding it ("held by root@host (pid 32699)", the
     * loser's own pid), and a dead process it described let any run take a lock that a live holder held.
     *
     * @param location the state the lock guards, for a holder that left no description
     */
    static LockInfo holderOf(Lease lease, String location) {
        String holderId = isFree(lease) ? "unknown" : lease.getSpec().getHolderIdentity();
        String json = lease.getMetadata().getAnnotations() == null ? null
                : lease.getMetadata().getAnnotations().get(LeaseLock.LOCK_INFO_ANNOTATION);
        LockInfo holder = json == null ? null : LockInfo.fromJson(json, holderId);
        return holder != null && holder.id().equals(holderId) ? holder : new LockInfo(holderId, "", "", 0, null, location);
    }

    /**
     * The JSON patch that renews the Lease to now and records {@code record} in it, provided the Lease is still at
     * {@code expectedVersion} and held by {@code record}'s lock (see {@link LeaseLock.Handle} for why a patch).
     */
    static String renewal(LockInfo record, String expectedVersion) {
        ArrayNode ops = JSON.createArrayNode();
        ops.addObject().put("op", "test").put("path", "/metadata/resourceVersion").put("value", expectedVersion);
        ops.addObject().put("op", "test").put("path", "/spec/holderIdentity").put("value", record.id());
        ops.addObject().put("op", "replace").put("path", "/spec/renewTime")
                .put("value", MICRO_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
        ops.addObject().put("op", "add")
                .put("path", "/metadata/annotations/" + LeaseLock.LOCK_INFO_ANNOTATION.replace("/", "~1"))
                .put("value", record.toJson());
        return JSON.writeValueAsString(ops);
    }

    /**
     * Why a holder no longer holds the lock, as it found {@code now} the Lease: released or taken by whom, and, when
     * it went unrenewed for longer than its lease, that too, since a pause or an unreachable API server is the cause.
     */
    static String lostReason(Lease now, long silentSeconds, Duration duration, String location) {
        String why = silentSeconds >= duration.getSeconds()
                ? "this run could not renew it for " + silentSeconds + " s (was it paused, or the API server "
                        + "out of reach?), longer than its " + duration.getSeconds() + " s lease, and "
                : "";
        if (now == null || isFree(now)) {
            return why + "the Lease was deleted or released (force-unlock?)";
        }
        LockInfo other = holderOf(now, location);
        return why + "it is now held by " + (other.who().isEmpty() ? "another run" : other.who())
                + (other.pid() > 0 ? " (pid " + other.pid() + ")" : "")
                + (other.operation().isEmpty() ? "" : " for " + other.operation())
                + ", lock ID " + other.id();
    }
}

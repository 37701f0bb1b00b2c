package io.meshform.providers.istio.install;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.providers.kubernetes.KubeErrors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Waits, as {@code kubectl delete --wait} does, until the objects {@code istioctl uninstall} deleted (or
 * {@code istioctl install} pruned) are gone.
 *
 * <p>Istio 1.30.3's uninstall deletes each object with {@code propagationPolicy: Foreground}
 * (operator/pkg/uninstall/prune.go {@code DeleteResource}) and returns without waiting (operator/cmd/mesh/uninstall.go
 * {@code uninstall}). A foreground delete only marks the object: it keeps a deletionTimestamp and the
 * {@code foregroundDeletion} finalizer until kube-controller-manager's garbage collector has deleted its dependents
 * (a Deployment's ReplicaSets, and their Pods) and then the object. An install applied meanwhile applies onto the
 * Deployment being deleted, which then vanishes under istioctl's readiness wait ("deployments.apps \"istiod\" not
 * found"). So destroy, and the delete half of a replace, return only once every deleted object is gone.
 *
 * <p>Which objects: those istioctl reports, one stdout line each, as {@code "  Removed <GVK>/<name>.<namespace>."}
 * (prune.go {@code DeleteResource}, the GVK as apimachinery's {@code GroupVersionKind.String()},
 * {@code "apps/v1, Kind=Deployment"}; a cluster-scoped object's namespace is empty). A namespace holds no dot (it is
 * a DNS label), so the last dot before the final one separates name and namespace.
 *
 * <p>Gone means the object istioctl deleted, not its name: once it is gone, a new object can be made under the same
 * name (a re-install elsewhere, a controller), and waiting for that one held the destroy until its bound and failed it
 * with an untrue message. istioctl lists by label and deletes by name, without a UID precondition (prune.go
 * {@code GetPrunedResources}, {@code DeleteResource}), so its output names no UID; but a foreground delete marks the
 * object with a deletionTimestamp that is never unset (apimachinery ObjectMeta: "Once the deletionTimestamp is set,
 * this value may not be unset"). So an object of the name without one is a new object, and the deleted one is gone;
 * one with it is remembered by UID, and gone once the name holds no object or one with another UID.
 *
 * <p>The bound is the install's {@code timeoutSeconds} (default 600), the one its install waits within.
 */
final class UninstallWait {
    private static final String REMOVED = "Removed ";
    private static final String KIND = ", Kind=";

    /** One object istioctl deleted. */
    record Removed(String apiVersion, String kind, String namespace, String name) {
        String describe() {
            return kind + " " + (namespace.isEmpty() ? "" : namespace + "/") + name;
        }
    }

    /** What a GET of a deleted object's name found: the object there under that name now. */
    record Seen(String uid, boolean deleting) {
    }

    /** Where the wait reads the clock and sleeps: the system's in use, a fake one in tests. */
    interface Clock {
        long nanoTime();

        void sleep(Duration d) throws InterruptedException;

        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(Duration d) throws InterruptedException {
                Thread.sleep(d.toMillis());
            }
        };
    }

    static final Duration POLL = Duration.ofSeconds(1);
    /** How often the wait says what it still waits for. */
    static final Duration REPORT_EVERY = Duration.ofSeconds(10);

    private UninstallWait() {
    }

    /** The objects of istioctl uninstall's (or install's prune's) stdout "Removed" lines, in its order. */
    static List<Removed> removed(List<String> stdout) {
        List<Removed> out = new ArrayList<>();
        for (String line : stdout) {
            parse(line.trim()).ifPresent(out::add);
        }
        return out;
    }

    private static Optional<Removed> parse(String line) {
        if (!line.startsWith(REMOVED) || !line.endsWith(".")) {
            return Optional.empty();
        }
        String rest = line.substring(REMOVED.length(), line.length() - 1);
        int kindAt = rest.indexOf(KIND);
        if (kindAt < 0) {
            return Optional.empty();
        }
        String groupVersion = rest.substring(0, kindAt);
        String afterKind = rest.substring(kindAt + KIND.length());
        int slash = afterKind.indexOf('/');
        int dot = afterKind.lastIndexOf('.');
        if (slash < 0 || dot < slash) {
            return Optional.empty();
        }
        // The core group prints as "/v1": its apiVersion is "v1".
        String apiVersion = groupVersion.startsWith("/") ? groupVersion.substring(1) : groupVersion;
        return Optional.of(new Removed(apiVersion, afterKind.substring(0, slash), afterKind.substring(dot + 1),
                afterKind.substring(slash + 1, dot)));
    }

    /**
     * Returns once none of {@code removed} is there any more ({@link Deleted}); throws, naming the ones left, after
     * {@code timeout}. Each poll asks only about the objects still there.
     *
     * @param read what is under a removed object's name now; empty when nothing is
     */
    static void untilGone(ResourceAddress address, List<Removed> removed, Function<Removed, Optional<Seen>> read,
                          Duration timeout, ProgressSink progress, Clock clock) {
        untilGone(address, Deleter.UNINSTALL, removed, read, timeout, progress, clock);
    }

    /**
     * Which istioctl command deleted the objects, as the wait's notes and error name it: {@code uninstall}, or
     * {@code install}, which prunes the objects of components switched off with the same foreground delete
     * (operator/pkg/install/install.go {@code prune} calls prune.go {@code DeleteResource}) and also returns without
     * waiting.
     */
    enum Deleter {
        UNINSTALL("istioctl uninstall", "istioctl uninstall deleted the install's objects", "it uninstalls again and waits again"),
        INSTALL("istioctl install", "istioctl install pruned the objects of components no longer installed",
                "it installs again and waits again");

        final String command;
        final String did;
        final String again;

        Deleter(String command, String did, String again) {
            this.command = command;
            this.did = did;
            this.again = again;
        }
    }

    /** {@link #untilGone(ResourceAddress, List, Function, Duration, ProgressSink, Clock)} for what {@code by} deleted. */
    static void untilGone(ResourceAddress address, Deleter by, List<Removed> removed, Function<Removed, Optional<Seen>> read,
                          Duration timeout, ProgressSink progress, Clock clock) {
        Predicate<Removed> present = new Deleted(read)::stillThere;
        List<Removed> left = new ArrayList<>(removed);
        left.removeIf(present.negate());
        if (left.isEmpty()) {
            return;
        }
        long start = clock.nanoTime();
        long deadline = start + timeout.toNanos();
        long nextReport = start;
        while (true) {
            io.meshform.providers.kubernetes.LockFence.check(progress, address.toString(),
                    "waiting for the objects " + by.command + " deleted to be gone");
            long now = clock.nanoTime();
            if (now - nextReport >= 0) {
                progress.note("waiting up to " + Math.max(1, (deadline - now) / 1_000_000_000L) + "s (timeoutSeconds) for "
                        + left.size() + " object(s) " + by.command + " deleted to be gone: " + names(left, 5));
                nextReport = now + REPORT_EVERY.toNanos();
            }
            if (now - deadline >= 0) {
                throw KubeErrors.error(address + ": " + by.did + ", but " + left.size()
                                + " of them are still there after " + timeout.toSeconds() + "s: " + names(left, left.size()),
                        "they are being deleted: Istio deletes in the foreground (operator/pkg/uninstall/prune.go), so each"
                                + " stays until the cluster's garbage collector (kube-controller-manager) has deleted what it"
                                + " owns (a Deployment's ReplicaSets and Pods). The state still records " + address + ", so"
                                + " nothing applied afterwards runs onto them. Check them with `kubectl get` (finalizers,"
                                + " dependants), then run the same command again: " + by.again + "; raise"
                                + " timeoutSeconds if the cluster is slow");
            }
            try {
                clock.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw KubeErrors.error(address + ": interrupted while waiting for the objects " + by.command + " deleted to be gone",
                        "the state still records " + address + "; still there: " + names(left, left.size()));
            }
            left.removeIf(present.negate());
            if (left.isEmpty()) {
                progress.note("the objects " + by.command + " deleted are gone");
                return;
            }
        }
    }

    /**
     * Whether each object istioctl deleted is still there, by what its name holds at each poll: the UID of the object
     * being deleted is remembered at the first poll that sees it, so an object made under the name later is told apart.
     */
    private static final class Deleted {
        private final Function<Removed, Optional<Seen>> read;
        private final Map<Removed, String> uids = new HashMap<>();

        Deleted(Function<Removed, Optional<Seen>> read) {
            this.read = read;
        }

        boolean stillThere(Removed r) {
            Optional<Seen> seen = read.apply(r);
            if (seen.isEmpty() || !seen.get().deleting()) {
                return false;  // nothing under the name, or a new object: the deleted one had a deletionTimestamp
            }
            String first = uids.putIfAbsent(r, seen.get().uid());
            return first == null || first.equals(seen.get().uid());
        }
    }

    /** What the name holds now (a GET; a kind the cluster no longer serves holds nothing). */
    static Function<Removed, Optional<Seen>> read(io.fabric8.kubernetes.client.KubernetesClient client) {
        return r -> {
            try {
                var kind = client.genericKubernetesResources(r.apiVersion(), r.kind());
                var o = (r.namespace().isEmpty() ? kind.withName(r.name()) : kind.inNamespace(r.namespace()).withName(r.name())).get();
                return o == null ? Optional.empty()
                        : Optional.of(new Seen(o.getMetadata().getUid(), o.getMetadata().getDeletionTimestamp() != null));
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (KubeErrors.notFound(e)) {
                    return Optional.empty();
                }
                throw e;
            }
        };
    }

    private static String names(List<Removed> objects, int max) {
        List<String> shown = objects.stream().limit(max).map(Removed::describe).toList();
        return String.join(", ", shown) + (objects.size() > max ? " and " + (objects.size() - max) + " more" : "");
    }
}

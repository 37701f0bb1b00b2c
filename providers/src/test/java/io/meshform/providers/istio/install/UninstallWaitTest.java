package io.meshform.providers.istio.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.providers.istio.install.UninstallWait.Removed;
import io.meshform.providers.istio.install.UninstallWait.Seen;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * destroy returns once what istioctl uninstall deleted is gone, as {@code kubectl delete --wait} does, and says which
 * objects were left when its bound passes. On a fake clock: no test sleeps.
 */
class UninstallWaitTest {
    private static final ResourceAddress ADDRESS = ResourceAddress.parse("istio.install.mesh");
    private static final Removed ISTIOD = new Removed("apps/v1", "Deployment", "istio-system", "istiod");
    private static final Removed SERVICE = new Removed("v1", "Service", "istio-system", "istiod");
    private static final Removed WEBHOOK = new Removed("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "",
            "istio-sidecar-injector");

    /** Advances by each sleep; counts polls. */
    private static final class FakeClock implements UninstallWait.Clock {
        long now;
        int sleeps;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleep(Duration d) {
            now += d.toNanos();
            sleeps++;
        }
    }

    @Test
    void readsTheObjectsFromIstioctlsRemovedLines() {
        // As Istio 1.30.3's prune.go DeleteResource prints them: "%v/%s.%s" of GVK, name, namespace.
        List<Removed> removed = UninstallWait.removed(List.of(
                "  Removed apps/v1, Kind=Deployment/istiod.istio-system.",
                "  Removed /v1, Kind=Service/istiod.istio-system.",
                "  Removed admissionregistration.k8s.io/v1, Kind=MutatingWebhookConfiguration/istio-sidecar-injector..",
                "object: policy/v1, Kind=PodDisruptionBudget/istiod.istio-system is not being deleted because it no longer exists",
                "✔ Uninstall complete"));
        assertEquals(List.of(ISTIOD, SERVICE, WEBHOOK), removed);
    }

    @Test
    void returnsOnceEveryDeletedObjectIsGoneAndAsksOnlyAboutThoseLeft() {
        FakeClock clock = new FakeClock();
        Set<Removed> there = new HashSet<>(List.of(ISTIOD, SERVICE));
        List<Removed> asked = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        UninstallWait.untilGone(ADDRESS, List.of(ISTIOD, SERVICE, WEBHOOK), r -> {
            asked.add(r);
            if (clock.sleeps == 1) {
                there.remove(SERVICE);
            }
            if (clock.sleeps == 3) {
                there.remove(ISTIOD);
            }
            return there.contains(r) ? deleting(r, "1") : Optional.<Seen>empty();
        }, Duration.ofSeconds(600), notes::add, clock);
        assertEquals(3, clock.sleeps);
        assertEquals(List.of(ISTIOD, SERVICE, WEBHOOK, ISTIOD, SERVICE, ISTIOD, ISTIOD), asked);
        assertTrue(notes.get(0).startsWith("waiting up to 600s (timeoutSeconds) for 2 object(s) istioctl uninstall deleted"
                + " to be gone: Deployment istio-system/istiod, Service istio-system/istiod"), notes.toString());
        assertEquals("the objects istioctl uninstall deleted are gone", notes.get(notes.size() - 1));
    }

    /** The object istioctl deleted, marked for deletion, under UID {@code uid}. */
    private static Optional<Seen> deleting(Removed r, String uid) {
        return Optional.of(new Seen(r.name() + "-" + uid, true));
    }

    /**
     * Once the deleted object is gone, a new one may be made under its name (a re-install); it is not what istioctl
     * deleted. Before, the wait asked for the name and waited for the new object until the bound.
     */
    @Test
    void aNewObjectUnderTheNameIsNotTheDeletedOne() {
        FakeClock clock = new FakeClock();
        UninstallWait.untilGone(ADDRESS, List.of(ISTIOD), r -> clock.sleeps < 2 ? deleting(r, "old")
                : Optional.of(new Seen("new", false)), Duration.ofSeconds(30), m -> { }, clock);
        assertEquals(2, clock.sleeps, "gone at the poll that saw the new object");
    }

    /** A new object being deleted in turn is told apart by its UID: the one first seen being deleted is the one waited for. */
    @Test
    void anotherObjectBeingDeletedUnderTheNameIsToldApartByItsUid() {
        FakeClock clock = new FakeClock();
        UninstallWait.untilGone(ADDRESS, List.of(ISTIOD), r -> deleting(r, clock.sleeps < 3 ? "old" : "new"),
                Duration.ofSeconds(30), m -> { }, clock);
        assertEquals(3, clock.sleeps);
    }

    /** Seen without a deletionTimestamp at the first look: istioctl's delete marked the old one, so it is already gone. */
    @Test
    void anObjectNotBeingDeletedAtTheFirstLookMeansNoWait() {
        FakeClock clock = new FakeClock();
        UninstallWait.untilGone(ADDRESS, List.of(ISTIOD), r -> Optional.of(new Seen("new", false)), Duration.ofSeconds(30),
                m -> { }, clock);
        assertEquals(0, clock.sleeps);
    }

    @Test
    void nothingLeftMeansNoWait() {
        FakeClock clock = new FakeClock();
        List<String> notes = new ArrayList<>();
        UninstallWait.untilGone(ADDRESS, List.of(ISTIOD), r -> Optional.empty(), Duration.ofSeconds(5), notes::add, clock);
        assertEquals(0, clock.sleeps);
        assertEquals(List.of(), notes);
    }

    @Test
    void namesWhatIsLeftAndThatTheStateStillRecordsTheInstallWhenTheBoundPasses() {
        FakeClock clock = new FakeClock();
        DiagnosticsException e = assertThrows(DiagnosticsException.class, () -> UninstallWait.untilGone(ADDRESS,
                List.of(ISTIOD, WEBHOOK), r -> r.equals(ISTIOD) ? deleting(r, "1") : Optional.empty(), Duration.ofSeconds(30), m -> { },
                clock));
        String summary = e.diagnostics().get(0).summary();
        String detail = e.diagnostics().get(0).detail();
        assertEquals("istio.install.mesh: istioctl uninstall deleted the install's objects, but 1 of them are still there"
                + " after 30s: Deployment istio-system/istiod", summary);
        assertTrue(detail.contains("The state still records istio.install.mesh"), detail);
        assertTrue(detail.contains("raise timeoutSeconds"), detail);
        assertEquals(30, clock.sleeps, "one poll a second up to the bound");
    }
    /** A run that loses its lock during the wait (paused past its lease) stops there: the step's next writes never run. */
    @Test
    void aRunThatLostItsLockStopsWaitingAndGoesNoFurther() {
        FakeClock clock = new FakeClock();
        io.meshform.engine.spi.ProgressSink losesTheLock = new io.meshform.engine.spi.ProgressSink() {
            int asked;

            @Override
            public void note(String message) {
            }

            @Override
            public boolean mayContinue() {
                return ++asked <= 3;
            }
        };
        DiagnosticsException e = assertThrows(DiagnosticsException.class, () -> UninstallWait.untilGone(ADDRESS,
                List.of(ISTIOD), r -> deleting(r, "1"), Duration.ofSeconds(600), losesTheLock, clock));
        assertEquals("istio.install.mesh: stopped waiting for the objects istioctl uninstall deleted to be gone: this run lost"
                + " its state lock, or cannot confirm it still holds it", e.diagnostics().get(0).summary());
        assertEquals(3, clock.sleeps, "stopped at the first poll after the lock went, not at the 600 s bound");
    }
}

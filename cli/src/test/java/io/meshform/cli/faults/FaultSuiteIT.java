package io.meshform.cli.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * meshform under faults, driven through the CLI as a user runs it, on the local control plane with the real
 * istioctl: kill -9 at random points of an apply of a few hundred objects (local and Kubernetes state, during
 * istioctl install too), several runs racing for one lock, a holder paused past its lease, and the API server frozen
 * for less and for more than the client's timeouts. After every fault the state parses and records nothing that is
 * gone, the objects that are meshform's but unrecorded are adopted by the next run, and apply then plan converge
 * to "no changes". It prints its figures (points tried, converged, lost) and fails on any loss.
 *
 * <p>{@code -Dmeshform.faults.kills=N} (kill points per backend, default 10), {@code -Dmeshform.faults.objects=N}
 * (default 200) and {@code -Dmeshform.faults.seed=S} make a longer soak ({@code bin/fault-soak}) or a replay.
 */
@LiveClusterTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteIT {
    private static final int KILLS = Integer.getInteger("meshform.faults.kills", 10);
    private static final int OBJECTS = Integer.getInteger("meshform.faults.objects", 200);
    private static final int PAUSES = Integer.getInteger("meshform.faults.pauses", 1);
    private static final int RACE_OBJECTS = 20;
    private static final int FREEZE_OBJECTS = 100;
    private static final long SEED = Long.getLong("meshform.faults.seed", System.currentTimeMillis());
    private static final Duration RUN = Duration.ofMinutes(4);
    private static final List<Figures> FIGURES = new ArrayList<>();
    private static final long STARTED = System.nanoTime();

    private final Random random = new Random(SEED);
    private final KillPoints kills = new KillPoints(random, RUN);

    @TempDir
    Path dir;

    private static Figures figures(String scenario) {
        Figures f = new Figures(scenario);
        synchronized (FIGURES) {
            FIGURES.add(f);
        }
        return f;
    }

    /**
     * The launcher makes its class-data archive on first use; done here, so that no kill lands in it. Not with
     * {@code version}, which the launcher starts without the archive (and so without making it).
     */
    @org.junit.jupiter.api.BeforeAll
    static void warmTheLauncher() {
        try (CliProcess help = CliProcess.start(List.of("--help"))) {
            assertEquals(0, help.finish(RUN), help.output());
        }
    }

    @AfterAll
    static void printFigures() throws IOException {
        List<String> lines = new ArrayList<>();
        int points = 0;
        int lost = 0;
        synchronized (FIGURES) {
            for (Figures f : FIGURES) {
                lines.add(f.toString());
                points += f.points();
                lost += f.losses().size();
            }
        }
        lines.add(String.format("[faults] total: points tried %d, lost %d, seed %d, kills per backend %d, objects %d, %d s",
                points, lost, SEED, KILLS, OBJECTS, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - STARTED)));
        lines.forEach(System.out::println);
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.write(target.resolve("fault-suite.txt"), lines);
        }
    }

    /** Checks the state after a fault; remembers what the next runs must adopt. */
    private StateAudit check(FaultRig rig, Figures figures, Set<String> toAdopt, String when) {
        StateAudit a = rig.audit();
        if (!a.sound()) {
            figures.lost(when + ": " + a.describe());
        }
        toAdopt.addAll(a.unrecorded());
        return a;
    }

    /** apply then plan: the second must find nothing to do, and everything left unrecorded must now be recorded. */
    private void converge(FaultRig rig, Path stack, Figures figures, Set<String> toAdopt, int points) {
        FaultRig.Run apply = rig.run(stack, RUN, "apply", "--auto-approve", "--lock-timeout", "60");
        FaultRig.Run plan = rig.run(stack, RUN, "plan", "--detailed-exitcode");
        StateAudit after = rig.audit();
        Set<String> notAdopted = new TreeSet<>(toAdopt);
        notAdopted.retainAll(after.unrecorded());
        if (apply.code() != 0 || plan.code() != 0) {
            figures.lost("apply then plan did not converge (apply " + apply.code() + ", plan " + plan.code() + "):\n"
                    + tail(apply.output()) + "\n" + tail(plan.output()));
        } else if (!after.sound() || !after.unrecorded().isEmpty()) {
            figures.lost("after converging: " + after.describe() + " " + after.unrecorded());
        } else {
            figures.converged(points);
        }
        if (!notAdopted.isEmpty()) {
            figures.lost("objects never adopted: " + notAdopted);
        }
    }

    /** The lines that say what went wrong, and the last few. */
    static String tail(String output) {
        String[] lines = output.split("\n");
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (l.contains("failed") || l.contains("Error") || l.contains("lost") || l.contains("stopped")) {
                out.add(l);
            }
        }
        out.add("...");
        out.addAll(List.of(lines).subList(Math.max(0, lines.length - 5), lines.length));
        return String.join("\n", out.subList(Math.max(0, out.size() - 30), out.size()));
    }

    private static void noLoss(Figures figures) {
        figures.done();
        System.out.println(figures);
        if (!figures.losses().isEmpty()) {
            fail(figures.toString());
        }
    }

    @Test
    @Order(1)
    void killNineAtRandomPointsOfAnApplyWithLocalState(ClusterContext cluster) {
        killNineAtRandomPoints(new FaultRig(cluster, dir, false, 30, OBJECTS, false),
                figures("kill -9 during apply, local state"), null);
    }

    @Test
    @Order(2)
    void killNineAtRandomPointsOfAnApplyWithKubernetesStateIncludingIstioctl(ClusterContext cluster) throws Exception {
        KillPoints.uninstallIstio(cluster);
        FaultRig rig = new FaultRig(cluster, dir, true, 30, OBJECTS, true);
        Figures istioctl = figures("kill -9 and SIGTERM during istioctl install");
        // Istio stays installed afterwards, as after any apply; tests that need a cluster without it remove it.
        killNineAtRandomPoints(rig, figures("kill -9 during apply, Kubernetes state"), istioctl);
        noLoss(istioctl);
    }

    private void killNineAtRandomPoints(FaultRig rig, Figures figures, Figures istioctl) {
        Path stack = rig.stack("v0");
        Set<String> toAdopt = new TreeSet<>();
        for (int kill = 0; kill < KILLS; kill++) {
            StateAudit before = rig.audit();
            int recorded = before.state() == null ? 0 : before.state().resources().size();
            int remaining = OBJECTS + (istioctl == null ? 0 : 1) - recorded;
            // the first three faults land during istioctl install (it has not finished yet): kill -9, SIGTERM, kill -9
            boolean duringIstioctl = istioctl != null && kill < 3
                    && (before.state() == null || before.state().find("istio.install.mesh").isEmpty());
            figures.point();
            if (duringIstioctl) {
                istioctl.point();
                if (kill == 1) {
                    kills.sigtermDuringIstioctl(rig, stack, istioctl);
                } else {
                    kills.duringIstioctl(rig, stack, istioctl);
                }
            } else {
                kills.atRandomPoint(rig, stack, Math.max(1, remaining));
            }
            check(rig, figures, toAdopt, "after kill " + (kill + 1));
        }
        converge(rig, stack, figures, toAdopt, figures.points());
        if (istioctl != null) {
            istioctl.converged(istioctl.points() - istioctl.losses().size());
        }
        noLoss(figures);
    }

    /** Several applies (each wanting other values) and plans start at once on one state, for each backend. */
    @Test
    @Order(3)
    void severalRunsRaceForOneLock(ClusterContext cluster) {
        for (boolean kubernetes : new boolean[] {false, true}) {
            Figures figures = figures("lock race of 5 runs, " + (kubernetes ? "Kubernetes" : "local") + " state");
            mkdirs(dir.resolve(kubernetes ? "k" : "l"));
            FaultRig rig = new FaultRig(cluster, dir.resolve(kubernetes ? "k" : "l"), kubernetes, 30, RACE_OBJECTS, false);
            List<CliProcess> runs = new ArrayList<>();
            List<String> variants = List.of("r1", "r2", "r3");
            for (String v : variants) {
                runs.add(rig.start(rig.stack(v), "apply", "--auto-approve", "--lock-timeout", "120"));
                figures.point();
            }
            runs.add(rig.start(rig.stack("r1"), "plan", "--lock-timeout", "120"));
            figures.point();
            // one that will not wait: it must be refused with the holder named, or find the lock free
            CliProcess impatient = rig.start(rig.stack("r2"), "plan");
            figures.point();
            for (CliProcess r : runs) {
                int code = r.finish(RUN);
                if (code != 0) {
                    figures.lost(r.command() + " exited " + code + ":\n" + tail(r.output()));
                }
            }
            int code = impatient.finish(RUN);
            if (code != 0 && !impatient.output().contains("state is locked")) {
                figures.lost("plan without --lock-timeout failed other than by the lock:\n" + tail(impatient.output()));
            }
            runs.add(impatient);
            StateAudit a = check(rig, figures, new TreeSet<>(), "after the race");
            // The applies ran one after the other: every object holds the values of the one that ran last.
            String last = null;
            for (String v : variants) {
                if (rig.holding(v) == RACE_OBJECTS) {
                    last = v;
                }
            }
            if (last == null) {
                figures.lost("the objects mix the values of several applies: " + variants.stream()
                        .map(v -> v + "=" + rig.holding(v)).toList());
            }
            long lastSerial = a.state() == null ? -1 : a.state().serial();
            if (lastSerial < variants.size()) {
                figures.lost("the state has serial " + lastSerial + " after " + variants.size() + " applies");
            }
            runs.forEach(CliProcess::close);
            converge(rig, rig.stack(last == null ? "r1" : last), figures, new TreeSet<>(), figures.points() - figures.losses().size());
            noLoss(figures);
        }
    }

    /**
     * A holder is paused (SIGSTOP) past its lease, another run takes the lock and applies other values, then the
     * holder resumes: it must stop with the lock-lost message, and nothing it does after resuming may land (no new
     * step, no state write; every object keeps the other run's values, but the one request it had on the wire).
     */
    @Test
    @Order(4)
    void aHolderPausedPastItsLeaseWritesNothingAfterwards(ClusterContext cluster) {
        Figures figures = figures("holder paused past its lease (SIGSTOP)");
        int lease = 10;
        FaultRig rig = new FaultRig(cluster, dir, true, lease, OBJECTS, false);
        Set<String> toAdopt = new TreeSet<>();
        for (int round = 0; round < PAUSES; round++) {
            figures.point();
            String mine = "paused" + round;
            String theirs = "taker" + round;
            try (CliProcess holder = rig.start(rig.stack(mine), "apply", "--auto-approve", "--parallelism", "1")) {
                holder.awaitLines(FaultRig.STEP_DONE, 5 + random.nextInt(OBJECTS / 2), RUN);
                holder.signal("STOP");
                int linesAtPause = holder.lineCount();
                sleep((lease + 3) * 1000L);
                FaultRig.Run taker = rig.run(rig.stack(theirs), RUN, "apply", "--auto-approve", "--lock-timeout", "60");
                if (taker.code() != 0) {
                    figures.lost("the run that took the expired lock failed:\n" + tail(taker.output()));
                }
                String stateAfterTaker = rig.stateVersion();
                holder.signal("CONT");
                int code = holder.finish(RUN);
                List<String> afterResume = holder.linesFrom(linesAtPause);
                long newSteps = afterResume.stream().filter(FaultRig.STEP_STARTED).count();
                if (code == 0 || !holder.output().contains("lost the state lock")) {
                    figures.lost("the resumed holder did not stop with the lock-lost error (exit " + code + "):\n"
                            + tail(holder.output()));
                }
                if (newSteps > 0) {
                    figures.lost("the resumed holder started " + newSteps + " steps after losing its lock");
                }
                if (!stateAfterTaker.equals(rig.stateVersion())) {
                    figures.lost("the resumed holder wrote the state after losing its lock");
                }
                long other = OBJECTS - rig.holding(theirs);
                if (other > 1) {
                    figures.lost(other + " objects do not hold the values of the run that took the lock");
                }
            }
            check(rig, figures, toAdopt, "after the paused holder stopped");
        }
        converge(rig, rig.stack("taker" + (PAUSES - 1)), figures, toAdopt, figures.points());
        noLoss(figures);
    }

    /**
     * The API server freezes during an apply with Kubernetes state: for 4 s (under the client's 10 s request timeout:
     * the apply must simply finish) and for 15 s (past it: the apply may fail, but loses nothing). During the long
     * freeze, SIGTERM stops a plan that waits on the API server within 2 s, releasing its lock.
     */
    @Test
    @Order(5)
    void theApiServerFreezesShorterAndLongerThanTheTimeouts(ClusterContext cluster) {
        Figures figures = figures("API server frozen (SIGSTOP) 4 s and 15 s");
        FaultRig rig = new FaultRig(cluster, dir, true, 30, FREEZE_OBJECTS, false);
        Path local = dir.resolve("sigterm");
        mkdirs(local);
        FaultRig planRig = new FaultRig(cluster, local, false, 30, 1, false);
        ApiServerPause api = ApiServerPause.of(cluster.kubeconfigPath(), cluster.client().getMasterUrl().toString());
        Set<String> toAdopt = new TreeSet<>();
        assertEquals(0, rig.run(rig.stack("f0"), RUN, "apply", "--auto-approve").code());
        try {
            int[] seconds = {4, 15};
            for (int i = 0; i < seconds.length; i++) {
                figures.point();
                boolean longFreeze = seconds[i] > 10;
                try (CliProcess p = rig.start(rig.stack("f" + (i + 1)), "apply", "--auto-approve", "--parallelism", "2")) {
                    p.awaitLines(FaultRig.STEP_DONE, 1 + random.nextInt(FREEZE_OBJECTS / 2), RUN);
                    Duration freeze = Duration.ofSeconds(seconds[i]);
                    Thread freezer = new Thread(() -> api.freezeFor(freeze));
                    freezer.start();
                    if (longFreeze) {
                        figures.point();
                        sigtermWhileFrozen(planRig, figures);
                    }
                    join(freezer);
                    int code = p.finish(RUN);
                    if (!longFreeze && code != 0) {
                        figures.lost("a " + seconds[i] + " s freeze made the apply fail:\n" + tail(p.output()));
                    }
                }
                check(rig, figures, toAdopt, "after a " + seconds[i] + " s freeze");
            }
        } finally {
            api.resume();
        }
        converge(rig, rig.stack("f2"), figures, toAdopt, figures.points());
        noLoss(figures);
    }

    /** SIGTERM to a plan whose requests hang on the frozen API server: it must end within 2 s, lock released. */
    private void sigtermWhileFrozen(FaultRig planRig, Figures figures) {
        try (CliProcess plan = planRig.start(planRig.stack("t"), "plan", "--log-level", "debug")) {
            // It prints this once the stack is loaded; next it locks the state and asks the (frozen) API server.
            if (!plan.awaitLines(l -> l.contains("[debug] loaded and validated"), 1, Duration.ofSeconds(10))) {
                figures.lost("the plan did not get to the API server while it was frozen:\n" + tail(plan.output()));
                return;
            }
            sleep(1_500);
            sigterm(plan, planRig, figures);
        }
    }

    private static void sigterm(CliProcess plan, FaultRig planRig, Figures figures) {
        if (!plan.alive()) {
            figures.lost("the plan ended before SIGTERM although the API server was frozen:\n" + tail(plan.output()));
            return;
        }
        long sent = System.nanoTime();
        plan.signal("TERM");
        int code = plan.waitFor(Duration.ofSeconds(10));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        System.out.println("[faults] SIGTERM to a plan waiting on a frozen API server: exit " + code + " after " + took + " ms");
        if (took > 2_000 || code == -1) {
            figures.lost("SIGTERM took " + took + " ms to stop a plan waiting on a frozen API server");
        }
        if (planRig.lockRecordPresent()) {
            figures.lost("the interrupted plan left its lock record behind");
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void mkdirs(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package io.meshform.cli.faults;

import static io.meshform.cli.faults.FaultSuiteIT.sleep;

import io.meshform.testkit.ClusterContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Where the fault suite's kill -9 lands: at a random step of an apply, or while istioctl installs. */
final class KillPoints {
    private final Random random;
    private final Duration runLimit;

    KillPoints(Random random, Duration runLimit) {
        this.random = random;
        this.runLimit = runLimit;
    }

    /**
     * Starts an apply and kills it with SIGKILL at a random point: most often right after a random number of its
     * steps have finished (plus a few milliseconds, so that kills land inside state writes too), sometimes while it
     * is still planning.
     */
    void atRandomPoint(FaultRig rig, Path stack, int remaining) {
        try (CliProcess p = rig.start(stack, "apply", "--auto-approve", "--lock-timeout", "30")) {
            if (random.nextInt(10) == 0 || remaining <= 1) {
                sleep(300 + random.nextInt(2500));
            } else {
                p.awaitLines(FaultRig.STEP_DONE, 1 + random.nextInt(remaining - 1), runLimit);
                sleep(random.nextInt(30));
            }
            p.kill9();
        }
    }

    /**
     * Kills meshform while istioctl installs: istioctl (and its process group) must be gone within seconds, and it
     * must not be running while the next run holds the lock.
     */
    void duringIstioctl(FaultRig rig, Path stack, Figures istioctl) {
        try (CliProcess p = rig.start(stack, "apply", "--auto-approve", "--lock-timeout", "30")) {
            if (!p.awaitLines(l -> l.contains("istio.install.mesh: istioctl install"), 1, runLimit)) {
                p.kill9();
                return;
            }
            sleep(1_000 + random.nextInt(12_000));
            p.kill9();
        }
        awaitNoIstioctl(rig, istioctl);
    }

    /**
     * SIGTERM (a pipeline's cancel button) while istioctl installs: meshform must end within 2 s, istioctl with it,
     * and the lock must be released (the Lease deleted), not left to expire.
     */
    void sigtermDuringIstioctl(FaultRig rig, Path stack, Figures istioctl) {
        try (CliProcess p = rig.start(stack, "apply", "--auto-approve", "--lock-timeout", "30")) {
            if (!p.awaitLines(l -> l.contains("istio.install.mesh: istioctl install"), 1, runLimit)) {
                p.kill9();
                return;
            }
            sleep(1_000 + random.nextInt(5_000));
            long sent = System.nanoTime();
            p.signal("TERM");
            int code = p.waitFor(Duration.ofSeconds(30));
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            System.out.println("[faults] SIGTERM during istioctl install: exit " + code + " after " + took + " ms");
            if (code == -1 || took > 2_000) {
                istioctl.lost("SIGTERM during istioctl install took " + took + " ms (exit " + code + ")");
            }
            if (rig.client().leases().inNamespace(rig.namespace()).withName("meshform-lock-" + FaultRig.STATE_NAME).get() != null) {
                istioctl.lost("SIGTERM during istioctl install left the Lease behind:\n" + FaultSuiteIT.tail(p.output()));
            }
        }
        awaitNoIstioctl(rig, istioctl);
    }

    private static void awaitNoIstioctl(FaultRig rig, Figures istioctl) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        List<ProcessHandle> left = istioctlOf(rig);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            sleep(100);
            left = istioctlOf(rig);
        }
        if (!left.isEmpty()) {
            istioctl.lost("istioctl outlived meshform by more than 6 s: pids "
                    + left.stream().map(ProcessHandle::pid).toList());
            left.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** istioctl processes talking to this rig's cluster (the kubeconfig path names it). */
    private static List<ProcessHandle> istioctlOf(FaultRig rig) {
        String kubeconfig = rig.kubeconfig().toString();
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive).filter(p -> {
            String[] args = p.info().arguments().orElse(new String[0]);
            String command = p.info().command().orElse("");
            return command.endsWith("istioctl") && List.of(args).contains(kubeconfig);
        }).toList();
    }

    /** Removes an Istio left by earlier tests, so that this suite's applies run istioctl install. */
    static void uninstallIstio(ClusterContext cluster) throws Exception {
        io.meshform.cli.NoIstio.uninstall(cluster);
    }

}

package io.meshform.cli.faults;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Freezes the kube-apiserver of THIS test's local cluster (SIGSTOP, then SIGCONT), as a network partition or an
 * overloaded control plane would. The process is found through the pid file {@code bin/dev-cluster} keeps beside
 * the kubeconfig, and checked to be a kube-apiserver serving the kubeconfig's port, so that no one else's API server
 * on the same machine is ever touched. Without such a cluster the test fails: the suite needs the local control plane.
 */
final class ApiServerPause {
    private final long pid;

    private ApiServerPause(long pid) {
        this.pid = pid;
    }

    static ApiServerPause of(Path kubeconfig, String server) {
        Path pidFile = kubeconfig.toAbsolutePath().getParent().resolve("run/kube-apiserver.pid");
        int port = URI.create(server).getPort();
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ');
            if (!cmdline.contains("kube-apiserver") || !cmdline.contains("--secure-port=" + port + " ")) {
                throw new IllegalStateException("pid " + pid + " from " + pidFile + " is not the kube-apiserver on port "
                        + port + ": " + cmdline.substring(0, Math.min(200, cmdline.length())));
            }
            return new ApiServerPause(pid);
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("the fault suite pauses the API server of the local control plane "
                    + "(bin/dev-cluster); no kube-apiserver pid file at " + pidFile + " for " + server + ": " + e, e);
        }
    }

    /** Freezes the API server for {@code length}; it is always resumed, even if the wait is interrupted. */
    void freezeFor(Duration length) {
        signal("STOP");
        try {
            Thread.sleep(length.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            signal("CONT");
        }
    }

    void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            new ProcessBuilder("bash", "-c", "kill -" + name + " " + pid).start().waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("cannot signal the API server: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (!name.equals("CONT")) {
                return;
            }
            try {
                new ProcessBuilder("bash", "-c", "kill -CONT " + pid).start().waitFor();
            } catch (IOException | InterruptedException again) {
                // nothing more to try
            }
        }
    }
}

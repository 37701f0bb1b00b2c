package io.meshform.state;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/** Who and where this process is, as lock owners are named. */
final class LocalHost {

    /** Looked up once: a lookup can take seconds on a machine with broken DNS. */
    static final String NAME = lookupHostName();

    /**
     * The PID namespace this process sees, with the boot it belongs to ({@code pid:[4026531836] boot 5f1c...} on
     * Linux, empty elsewhere). Containers that share a host name (e.g. {@code docker run --network host}) still see
     * different processes under one pid; a holder recorded in another PID namespace is never judged by its pid. The
     * namespace alone is no identity: the initial one is {@code pid:[4026531836]} on every Linux machine, so two
     * runners with one host name (VMs of one image) judged each other's live pid gone and took the lock. The kernel's
     * boot id ({@code /proc/sys/kernel/random/boot_id}, new at every boot of every machine) tells them apart.
     */
    static final String PID_NAMESPACE = readPidNamespace();

    private LocalHost() {
    }

    static String user() {
        return System.getProperty("user.name", "unknown");
    }

    static long pid() {
        return ProcessHandle.current().pid();
    }

    /** True when a process recorded as {@code host}/{@code pidNamespace} is one whose pid this process can judge. */
    static boolean sameProcessSpace(String host, String pidNamespace) {
        return NAME.equals(host) && (pidNamespace == null || pidNamespace.isEmpty()
                || PID_NAMESPACE.isEmpty() || PID_NAMESPACE.equals(pidNamespace));
    }

    /** True when {@code pid} on {@code host} is known to have exited; false when alive or on another host. */
    static boolean processGone(String host, String pidNamespace, long pid) {
        return sameProcessSpace(host, pidNamespace) && pid > 0 && !alive(pid, null);
    }

    /**
     * True when process {@code pid} runs and, when {@code started} is known, is the process that started then
     * (not a later one that reused the pid).
     */
    static boolean alive(long pid, Instant started) {
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive()) {
            return false;
        }
        if (started == null) {
            return true;
        }
        return p.get().info().startInstant().map(s -> Math.abs(s.toEpochMilli() - started.toEpochMilli()) < 1_000)
                .orElse(true);
    }

    private static String lookupHostName() {
        String env = System.getenv("HOSTNAME");
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return env != null && !env.isBlank() ? env : "localhost";
        }
    }

    private static String readPidNamespace() {
        String namespace;
        try {
            namespace = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return "";
        }
        try {
            String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
            return boot.isEmpty() ? namespace : namespace + " boot " + boot;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return namespace;
        }
    }
}

package io.meshform.state;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Who and where this process is, as lock owners are named. */
final class LocalHost {

    /** Looked up once: a lookup can take seconds on a machine with broken DNS. */
    static final String NAME = lookupHostName();

    private LocalHost() {
    }

    static String user() {
        return System.getProperty("user.name", "unknown");
    }

    static long pid() {
        return ProcessHandle.current().pid();
    }

    /** True when {@code pid} on {@code host} is known to have exited; false when alive or on another host. */
    static boolean processGone(String host, long pid) {
        return NAME.equals(host) && pid > 0 && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    private static String lookupHostName() {
        String env = System.getenv("HOSTNAME");
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return env != null && !env.isBlank() ? env : "localhost";
        }
    }
}

package io.meshform.state;

/** The state lock is held by someone else. The message tells how to release it if its holder is gone. */
public class StateLockedException extends StateException {

    private final transient LockInfo holder;
    private final boolean stale;

    public StateLockedException(String location, LockInfo holder, boolean stale) {
        super(message(location, holder, stale));
        this.holder = holder;
        this.stale = stale;
    }

    /** A lock whose holder is certainly alive (an OS lock): {@code advice} says what to do instead of force-unlock. */
    StateLockedException(String location, LockInfo holder, String advice) {
        super(header(location, holder) + advice);
        this.holder = holder;
        this.stale = false;
    }

    private StateLockedException(String message, LockInfo holder, boolean stale, Throwable cause) {
        super(message, cause);
        this.holder = holder;
        this.stale = stale;
    }

    /**
     * The same refusal after waiting {@code waited} for the lock ({@code --lock-timeout}): it read "state is locked" as
     * if the run had given up at once, so a user who had asked for a wait could not tell that it happened.
     */
    public StateLockedException afterWaiting(java.time.Duration waited) {
        String m = getMessage();
        String head = "state is locked: ";
        String said = m.startsWith(head) ? "state is still locked after waiting " + shown(waited) + " (--lock-timeout): "
                + m.substring(head.length()) : m;
        return new StateLockedException(said, holder, stale, this);
    }

    /** 3s, 1m30s, 500ms: as --lock-timeout takes it. */
    static String shown(java.time.Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        return (s >= 3600 ? s / 3600 + "h" : "") + (s % 3600 >= 60 ? s % 3600 / 60 + "m" : "")
                + (s % 60 != 0 || s == 0 ? s % 60 + "s" : "");
    }

    /** Who holds the lock, as far as the lock records it. */
    public LockInfo holder() {
        return holder;
    }

    /** True when the holder ran on this host and its process no longer exists. */
    public boolean stale() {
        return stale;
    }

    private static String header(String location, LockInfo h) {
        StringBuilder m = new StringBuilder("state is locked: ").append(location).append('\n');
        m.append("  held by ").append(h.who().isEmpty() ? "an unknown holder" : h.who());
        if (h.pid() > 0) {
            m.append(" (pid ").append(h.pid()).append(')');
        }
        if (!h.operation().isEmpty()) {
            m.append(" for ").append(h.operation());
        }
        if (h.created() != null) {
            m.append(" since ").append(h.created());
        }
        return m.append("\n  lock ID ").append(h.id()).append('\n').toString();
    }

    private static String message(String location, LockInfo h, boolean stale) {
        StringBuilder m = new StringBuilder("state is locked: ").append(location).append('\n');
        m.append("  held by ").append(h.who().isEmpty() ? "an unknown holder" : h.who());
        if (h.pid() > 0) {
            m.append(" (pid ").append(h.pid()).append(')');
        }
        if (!h.operation().isEmpty()) {
            m.append(" for ").append(h.operation());
        }
        if (h.created() != null) {
            m.append(" since ").append(h.created());
        }
        m.append("\n  lock ID ").append(h.id()).append('\n');
        java.util.List<LockInfo.Child> running = h.liveChildren();
        if (!running.isEmpty() && LocalHost.processGone(h.host(), h.pidNamespace(), h.pid())) {
            String kids = running.stream().map(LockInfo.Child::toString).collect(java.util.stream.Collectors.joining(", "));
            m.append("That run has ended, but ").append(kids).append(" it started may still be changing the cluster. ")
                    .append("meshform's watchdog stops it within seconds of its run's end; if it does not, stop it (kill ")
                    .append(running.stream().map(c -> Long.toString(c.pid())).collect(java.util.stream.Collectors.joining(" ")))
                    .append(") and run meshform again.");
            return m.toString();
        }
        if (stale) {
            m.append("The holding process no longer runs on this host, so the lock is stale. Release it with:\n");
        } else {
            m.append("Wait for that run to finish. If it has died and nothing else is using this state, "
                    + "release the lock with:\n");
        }
        m.append("  meshform force-unlock ").append(h.id());
        return m.toString();
    }
}

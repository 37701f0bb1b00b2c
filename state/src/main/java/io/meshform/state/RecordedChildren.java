package io.meshform.state;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The child processes a lock holder has recorded in its lock, and how to stop them before letting go of it. */
public final class RecordedChildren {

    private final Map<Long, ProcessHandle> live = new LinkedHashMap<>();
    private final Map<Long, LockInfo.Child> records = new LinkedHashMap<>();

    /** @return false when the child was recorded already */
    public synchronized boolean add(ProcessHandle p) {
        if (live.containsKey(p.pid())) {
            return false;
        }
        live.put(p.pid(), p);
        records.put(p.pid(), LockInfo.Child.of(p));
        return true;
    }

    /** @return false when the child was not recorded */
    public synchronized boolean remove(ProcessHandle p) {
        records.remove(p.pid());
        return live.remove(p.pid()) != null;
    }

    public synchronized List<LockInfo.Child> records() {
        return List.copyOf(records.values());
    }

    /**
     * Stops every recorded child that still runs: SIGTERM first (meshform's istioctl watchdog then stops the
     * whole process group and waits for it), SIGKILL to whatever is left of it after {@code graceMillis}.
     */
    public void stopAll(long graceMillis) {
        List<ProcessHandle> running;
        synchronized (this) {
            running = live.values().stream().filter(ProcessHandle::isAlive).toList();
            live.clear();
            records.clear();
        }
        if (running.isEmpty()) {
            return;
        }
        List<ProcessHandle> all = new ArrayList<>();
        for (ProcessHandle p : running) {
            // Collected before the signal: once a watchdog has exited, its orphans are no longer its descendants.
            all.addAll(p.descendants().toList());
            all.add(p);
        }
        running.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        for (ProcessHandle p : running) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    p.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // killed below
                }
            }
        }
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}

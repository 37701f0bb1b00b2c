package io.meshform.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Ends the JDK HTTP client's selector threads once a command is done, so that the JVM exits at once.
 *
 * <p>Why: HotSpot's exit ({@code VM_Exit::wait_for_threads_in_native_to_block}, src/hotspot/share/runtime/
 * vmOperations.cpp) waits up to 30 x 10 ms for every Java thread that is in native code to leave it, and the
 * selector thread of java.net.http's client ("HttpClient-N-SelectorManager") sits in {@code epoll_wait} for as long
 * as its client is reachable. Every command that talked to the API server therefore ended with 300-330 ms of nothing
 * (strace of an apply: the exiting thread's 10 ms timed waits between the last output line and exit_group). JDK 17's
 * client has no close(), and closing the fabric8 client only stops its executor. JDK 22 made the wait configurable
 * (JDK-8314243, -XX:UserThreadWaitAttemptsAtExit), which a Java 17 runtime refuses as an option.
 *
 * <p>The selector loop ends when its thread is interrupted ({@code while (!Thread.currentThread().isInterrupted())}
 * in jdk.internal.net.http.HttpClientImpl.SelectorManager.run; its finally block closes the selector and the
 * client's connections). This runs after the command has finished and printed everything, when no request can be
 * in flight; a thread that does not end within the bound is left as before (the JVM then waits as it always did).
 */
final class IdleHttpSelectors {
    /** The JDK names the thread "HttpClient-" + client id + "-SelectorManager" (HttpClientImpl.SelectorManager). */
    private static final String PREFIX = "HttpClient-";
    private static final String SUFFIX = "-SelectorManager";
    private static final long JOIN_MILLIS = 200;

    private IdleHttpSelectors() {
    }

    /**
     * Interrupts every selector thread and waits (bounded) for them to end; returns how many ended. Plain loops, no
     * lambda: {@code meshform version} runs this too, without the class cache, where the first lambda's bootstrap
     * costs milliseconds.
     */
    static int stop() {
        return stop(null);
    }

    /** The same for the selector threads {@code among} accepts, all when null (a test stops only its own client's). */
    static int stop(Predicate<Thread> among) {
        List<Thread> selectors = new ArrayList<>();
        for (Thread t : selectorThreads()) {
            if (among == null || among.test(t)) {
                t.interrupt();
                selectors.add(t);
            }
        }
        int ended = 0;
        long deadline = System.nanoTime() + JOIN_MILLIS * 1_000_000;
        for (Thread t : selectors) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            try {
                t.join(Math.max(1, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (!t.isAlive()) {
                ended++;
            }
        }
        return ended;
    }

    /** The live selector threads of JDK HTTP clients. */
    static List<Thread> selectorThreads() {
        List<Thread> selectors = new ArrayList<>();
        for (Thread t : liveThreads()) {
            String name = t.getName();
            if (name.startsWith(PREFIX) && name.endsWith(SUFFIX) && t != Thread.currentThread()) {
                selectors.add(t);
            }
        }
        return selectors;
    }

    /** Every live thread, from the root thread group (cheaper than Thread.getAllStackTraces, which walks stacks). */
    private static List<Thread> liveThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n = root.enumerate(threads, true);
        return Arrays.asList(threads).subList(0, n);
    }
}

package io.meshform.providers.istio.core;

import io.meshform.engine.spi.ProgressSink;
import java.time.Duration;
import java.util.List;

/**
 * A child JVM for IstioctlWatchdogTest: runs {@code ISTIOCTL ARGS...} through {@link Istioctl} with a long timeout,
 * printing "STARTED watchdog-pid" once the child is recorded, and "EXIT code" at the end.
 */
public final class IstioctlRunner {
    private IstioctlRunner() {
    }

    public static void main(String[] args) {
        Istioctl istioctl = new Istioctl(args[0], "test", null, null);
        ProgressSink progress = new ProgressSink() {
            @Override
            public void note(String message) {
                System.out.println("NOTE " + message);
                System.out.flush();
            }

            @Override
            public void childStarted(ProcessHandle child) {
                System.out.println("STARTED " + child.pid());
                System.out.flush();
            }
        };
        Istioctl.Result r = istioctl.run(List.of(args).subList(1, args.length), Duration.ofMinutes(10), progress, false);
        System.out.println("EXIT " + r.exit());
    }
}

package io.meshform.cli;

import io.meshform.engine.apply.ApplyListener;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.render.Style;
import io.meshform.engine.spi.Action;
import java.io.PrintStream;
import java.text.DecimalFormatSymbols;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** One line per step as Terraform prints them, and a "still ..." line every 10 s for long steps. */
final class ConsoleProgress implements ApplyListener, AutoCloseable {
    /** Formatter's symbols: those of the default FORMAT locale (java.util.Formatter#Formatter()). */
    private static final DecimalFormatSymbols DIGITS = DecimalFormatSymbols.getInstance(Locale.getDefault(Locale.Category.FORMAT));
    private final PrintStream out;
    private final Style style;
    /** By address, so the "still ..." lines come in one order; by change, their order followed an Action's identity hash. */
    private final Map<ResourceAddress, Running> running = new ConcurrentSkipListMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meshform-progress");
        t.setDaemon(true);
        return t;
    });

    ConsoleProgress(PrintStream out, Style style) {
        this.out = out;
        this.style = style;
        ticker.scheduleAtFixedRate(this::heartbeat, 10, 10, TimeUnit.SECONDS);
    }

    @Override
    public void started(ResourceChange c) {
        running.put(c.address(), new Running(c, System.nanoTime()));
        say(c.label() + ": " + (c.forgets() ? "Releasing" : c.dropsRecord() ? "Removing its record"
                : c.waitsOnly() ? "Waiting for it" : gerund(c.action())) + "...");
    }

    @Override
    public void progress(ResourceChange c, String message) {
        say(c.label() + ": " + message);
    }

    @Override
    public void finished(ResourceChange c, Duration took) {
        running.remove(c.address());
        say(style.green(c.label() + ": " + (c.forgets() ? "Released (left in the cluster)"
                : c.dropsRecord() ? "Record removed (already gone from the cluster)"
                : c.waitsOnly() ? "Wait complete (nothing in it changed)" : done(c.action())) + " after "
                + seconds(took)));
    }

    @Override
    public void failed(ResourceChange c, Duration took, RuntimeException error) {
        running.remove(c.address());
        say(style.red(c.label() + ": failed after " + seconds(took)));
    }

    /** Every 10 s (package-private for tests). */
    void heartbeat() {
        running.values().forEach(r -> say(r.change().address() + ": still "
                + (r.change().waitsOnly() ? "Waiting for it" : gerund(r.change().action())) + "... ["
                + seconds(Duration.ofNanos(System.nanoTime() - r.start())) + " elapsed]"));
    }

    private synchronized void say(String line) {
        out.println(line);
        out.flush();
    }

    /**
     * "0.1s": what {@code String.format("%.1fs", millis / 1000.0)} printed, without java.util.Formatter, which cost
     * about a tenth of an apply step's CPU on the step threads (JFR of an apply of 1,000 objects). %.1f rounds the
     * value's decimal digits half up, and millis / 1000.0 has exactly the millis' digits, so tenths are (ms + 50) / 100.
     * The decimal separator and digits are the default format locale's, as Formatter's; a locale whose digits are not
     * ASCII keeps Formatter.
     */
    static String seconds(Duration d) {
        long millis = d.toMillis();
        if (millis < 0 || DIGITS.getZeroDigit() != '0') {
            return String.format("%.1fs", millis / 1000.0);
        }
        long tenths = (millis + 50) / 100;
        return (tenths / 10) + String.valueOf(DIGITS.getDecimalSeparator()) + (tenths % 10) + "s";
    }

    private static String gerund(Action a) {
        return switch (a) {
            case CREATE -> "Creating";
            case UPDATE -> "Modifying";
            case REPLACE -> "Replacing";
            case DELETE -> "Destroying";
            case NOOP -> "Recording";
        };
    }

    private static String done(Action a) {
        return switch (a) {
            case CREATE -> "Creation complete";
            case UPDATE -> "Modifications complete";
            case REPLACE -> "Replacement complete";
            case DELETE -> "Destruction complete";
            case NOOP -> "Recorded in state";
        };
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }

    private record Running(ResourceChange change, long start) {
    }
}

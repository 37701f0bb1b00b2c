package io.meshform.cli.faults;

import java.util.ArrayList;
import java.util.List;

/**
 * The fault suite's count for one scenario: faults injected (points), faults after which the state was sound and
 * the runs that followed converged, and what was lost (a state that did not parse, a recorded object that was gone,
 * one of meshform's objects that no later run recorded, a run that did not converge).
 */
final class Figures {
    private final String scenario;
    private int points;
    private int converged;
    private final List<String> lost = new ArrayList<>();
    private final long started = System.nanoTime();
    private long seconds = -1;

    Figures(String scenario) {
        this.scenario = scenario;
    }

    synchronized void point() {
        points++;
    }

    synchronized void converged(int n) {
        converged += n;
    }

    synchronized void lost(String what) {
        lost.add(what);
    }

    synchronized int points() {
        return points;
    }

    /** Marks the scenario done, for its time in the figures. */
    synchronized void done() {
        seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    }

    synchronized List<String> losses() {
        return List.copyOf(lost);
    }

    @Override
    public synchronized String toString() {
        return String.format("[faults] %-44s points tried %3d, converged %3d, lost %d, %3d s%s", scenario, points,
                converged, lost.size(), seconds, lost.isEmpty() ? "" : " " + lost);
    }
}

package io.meshform.state;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A stored state deleted by hand (or moved away) while a run holds its lock: the one rule every backend follows.
 * No meshform run writes a state without the lock, so its disappearance is not another writer, and what the holding run
 * knows is the state. Terraform writes the state it holds in memory whatever became of the stored copy; so does a
 * meshform run, with its next write or, when no step is left to record, at its end ({@link #restore}), and says so
 * ({@link #notices}), lest its summary say the state records its steps while no state exists. A state that is there but
 * other than the run left it is another writer's and stays refused: only its absence is this case.
 */
public final class VanishedState {
    private final String location;
    private String notice;

    /** @param location the stored state in words for the notice, e.g. {@code state file ./meshform.state.json} */
    public VanishedState(String location) {
        this.location = location;
    }

    /**
     * The serial of {@code s} written where the state that vanished had {@code lastSerial}: above both, so no two
     * versions of this state share a serial.
     */
    public static long serialAfter(StateSnapshot s, long lastSerial) {
        return Math.max(s.serial(), lastSerial) + 1;
    }

    /** A write made the state again, under {@code serial}: the run says so. */
    public void rewritten(long serial) {
        notice = location + " was deleted while this run held the lock (no meshform run writes it without the lock);"
                + " this run wrote it again, with everything it had recorded (serial " + serial + "), so that what it"
                + " made stays managed.";
    }

    /**
     * The end of a run with nothing left to record: when {@code gone}, makes sure the lock is still held, writes again
     * the state this run last read or wrote ({@code writeAgain}, under the serial it had: the same state) and says so.
     *
     * @return the state written again, or empty when it had not vanished
     */
    public Optional<StateSnapshot> restore(boolean gone, Runnable ensureHeld, Supplier<StateSnapshot> writeAgain) {
        if (!gone) {
            return Optional.empty();
        }
        ensureHeld.run();
        StateSnapshot restored = writeAgain.get();
        rewritten(restored.serial());
        return Optional.of(restored);
    }

    /** Writing the vanished state again failed: nothing is stored, and the user must put it back. */
    public StateException notRestored(String reason, Throwable cause) {
        return new StateException(location + " was deleted while this run held the lock, and writing it again failed: "
                + reason + "\nNo state is stored there now. Fix the cause and put the state back (a copy, or a backup)"
                + " before any other meshform command: without it, the objects this state made are another state's to"
                + " the next run.", cause);
    }

    /** What the run must hear of: the state written again, if it was. */
    public List<String> notices() {
        return notice == null ? List.of() : List.of(notice);
    }
}

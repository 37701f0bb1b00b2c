package io.meshform.state;

import java.util.Optional;

/** Reads and writes state snapshots at one location. */
public interface StateStore {

    /**
     * The stored snapshot, or empty when no state exists yet.
     *
     * @throws StateException when the stored state is corrupt or was written in a newer format
     */
    Optional<StateSnapshot> read();

    /**
     * Whether a state may be stored here, cheaper than {@link #read()} where the store can tell without decoding it:
     * a caller that only branches on "is there a state" (a plan or destroy deciding whether it needs the lock) must
     * not pay for a whole decode it repeats under the lock. May answer true for a location whose {@link #read()}
     * then finds nothing or fails (the caller reads it anyway), never false where a state is stored.
     *
     * @throws StateException when the store cannot tell (an unreadable location), as {@link #read()} would
     */
    default boolean exists() {
        return read().isPresent();
    }

    /**
     * Persists {@code s} with serial = stored serial + 1 (or {@code s.serial() + 1} when nothing is stored yet).
     *
     * @return what was written, with the serial the store assigned
     * @throws StateException when the stored state has another lineage, is corrupt, or changed under us
     */
    StateSnapshot write(StateSnapshot s);

    /**
     * Makes {@code s}, the state after one or more finished apply steps, durable before those steps count as done.
     * A store may record only what changed since its last read, write or record (the local file appends one fsynced
     * record to a journal); what it records is part of what {@link #read()} returns from then on, also after a
     * crash. Fenced like {@link #write}: nothing is recorded once the lock is lost. The default writes it whole.
     *
     * @return {@code s} with the serial it is stored under (the journal's records keep the serial they continue)
     */
    default StateSnapshot record(StateSnapshot s) {
        return write(s);
    }

    /**
     * The end of an apply: folds what {@link #record} recorded into one whole write ({@link #write}), so the next run
     * reads one file; and writes the state again when it was deleted under the run ({@link VanishedState}).
     *
     * @return the state written, or empty when there was nothing to write
     */
    default Optional<StateSnapshot> compact() {
        return Optional.empty();
    }

    /**
     * What the store did on its own during the run that the user must hear of (the local file written again after it
     * was deleted under the run), for the run's summary; none by default.
     */
    default java.util.List<String> notices() {
        return java.util.List.of();
    }

    /** Where the state lives, in words for messages, e.g. {@code local file ./meshform.state.json}. */
    String describe();

    /**
     * Where the state lives, told apart from every other location of the same {@link #describe() description}: a
     * saved plan made before its state existed is bound to this (nothing else binds it), so a store whose description
     * repeats across places (a Kubernetes Secret of one name in two clusters) adds what names the place.
     */
    default String location() {
        return describe();
    }
}

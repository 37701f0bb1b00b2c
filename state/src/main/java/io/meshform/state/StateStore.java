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
     * Persists {@code s} with serial = stored serial + 1 (or {@code s.serial() + 1} when nothing is stored yet).
     *
     * @return what was written, with the serial the store assigned
     * @throws StateException when the stored state has another lineage, is corrupt, or changed under us
     */
    StateSnapshot write(StateSnapshot s);

    /** Where the state lives, in words for messages, e.g. {@code local file ./meshform.state.json}. */
    String describe();
}

package io.meshform.engine.testing;

import io.meshform.state.StateException;
import io.meshform.state.StateSnapshot;
import io.meshform.state.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A state store that keeps every written snapshot, so tests can check what was recorded after each step. */
public final class MemoryStateStore implements StateStore {
    private final List<StateSnapshot> writes = new ArrayList<>();
    private StateSnapshot current;

    @Override
    public synchronized Optional<StateSnapshot> read() {
        return Optional.ofNullable(current);
    }

    @Override
    public synchronized StateSnapshot write(StateSnapshot s) {
        if (current != null && !current.lineage().equals(s.lineage())) {
            throw new StateException("lineage mismatch");
        }
        long serial = current == null ? 1 : current.serial() + 1;
        current = new StateSnapshot(s.formatVersion(), serial, s.lineage(), s.meshformVersion(), s.resources(), null, s.creating(), s.deposed());
        writes.add(current);
        return current;
    }

    @Override
    public String describe() {
        return "memory";
    }

    public synchronized List<StateSnapshot> writes() {
        return List.copyOf(writes);
    }
}

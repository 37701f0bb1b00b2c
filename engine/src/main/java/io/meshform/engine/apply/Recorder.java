package io.meshform.engine.apply;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.plan.RecordedEntry;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.plan.SensitivePaths;
import io.meshform.engine.spi.AppliedResource;
import io.meshform.engine.spi.ResourceType;
import io.meshform.state.DeposedObject;
import io.meshform.state.ResourceState;
import io.meshform.state.StateSnapshot;
import io.meshform.state.StateStore;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps the state in memory and makes every finished step durable before the step counts as done. Steps that
 * finish while a write is under way are covered by the next single write (group commit), so parallel steps do
 * not queue one full state write each.
 */
final class Recorder {
    private final StateStore store;
    private final Object writeLock = new Object();
    private StateSnapshot current;
    private StateSnapshot lastWritten;
    private long changes;
    private long writtenChanges;

    Recorder(StateStore store, StateSnapshot prior) {
        this.store = store;
        this.current = prior;
        this.lastWritten = prior;
    }

    /** The state in memory, including steps whose write is still under way. */
    synchronized StateSnapshot current() {
        return current;
    }

    /** The state as of the last durable write, with the serial the store gave it. */
    synchronized StateSnapshot written() {
        return lastWritten;
    }

    void record(Stack stack, ResourceChange c, ResourceType type, AppliedResource applied) {
        ResourceState entry = entry(stack, c, type, applied);
        update(s -> s.with(entry));
    }

    /**
     * Records the new object of a move as the resource's and its old one as deposed, in one write: no state that the
     * store can be left holding (a journal record is whole or ignored) knows neither object, so whichever way the old
     * one's delete ends, a later run finds it.
     */
    void recordDeposing(Stack stack, ResourceChange c, ResourceType type, AppliedResource applied, DeposedObject old) {
        ResourceState entry = entry(stack, c, type, applied);
        update(s -> s.with(entry).withDeposed(old));
    }

    /** Drops the record of a deposed object once it is deleted (or found gone). */
    void forgetDeposed(String address, String key) {
        update(s -> s.withoutDeposed(address, key));
    }

    private ResourceState entry(Stack stack, ResourceChange c, ResourceType type, AppliedResource applied) {
        Map<String, String> metadata = new TreeMap<>(applied.metadata());
        RecordedEntry.recordDeclaration(metadata, c.dependsOn(), stack.find(c.address()).orElse(null));
        // Adopted once, adopted for the life of the entry: destroy leaves the object where it found it.
        boolean wasAdopted = current().find(c.address())
                .map(r -> "true".equals(r.metadata().get(Planner.ADOPTED_KEY))).orElse(false);
        if (wasAdopted || "true".equals(c.privateData().get(Planner.ADOPT_STEP))) {
            metadata.put(Planner.ADOPTED_KEY, "true");
        }
        JsonNode attributes = SensitivePaths.recordable(type, stack.find(c.address()).orElse(null), applied.attributes());
        ObjectNode object = attributes instanceof ObjectNode o ? o : stack.find(c.address()).orElseThrow().spec();
        return new ResourceState(c.address().toString(), c.type(), object, metadata);
    }

    private void update(java.util.function.UnaryOperator<StateSnapshot> change) {
        long mine;
        synchronized (this) {
            StateSnapshot next = change.apply(current);
            if (next == current) {
                return;
            }
            current = next;
            mine = ++changes;
        }
        flushUpTo(mine);
    }

    void forget(ResourceAddress address) {
        update(s -> s.without(address));  // the same snapshot when it records nothing there: nothing to write
    }

    private void flushUpTo(long change) {
        synchronized (writeLock) {
            StateSnapshot snapshot;
            long upTo;
            synchronized (this) {
                if (writtenChanges >= change) {
                    return;
                }
                snapshot = current;
                upTo = changes;
            }
            StateSnapshot written = store.record(snapshot);
            synchronized (this) {
                writtenChanges = upTo;
                lastWritten = written;
            }
        }
    }

    /**
     * Makes the state one whole write again, after steps recorded as journal records, once {@code clear} has taken
     * off the addresses being created what this apply finished (one more record, only when that changes them).
     */
    void compact(java.util.function.UnaryOperator<StateSnapshot> clear) {
        synchronized (writeLock) {
            StateSnapshot before;
            StateSnapshot cleared;
            synchronized (this) {
                before = current;
                cleared = clear.apply(current);
                current = cleared;
            }
            if (cleared != before) {
                StateSnapshot written = store.record(cleared);
                synchronized (this) {
                    lastWritten = written;
                }
            }
            store.compact().ifPresent(written -> {
                synchronized (this) {
                    lastWritten = written;
                }
            });
        }
    }
}

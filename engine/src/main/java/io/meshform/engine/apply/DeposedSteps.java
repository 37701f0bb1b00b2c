package io.meshform.engine.apply;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.ResourceType;
import io.meshform.engine.spi.StackContext;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.state.DeposedObject;
import io.meshform.state.LockHandle;
import io.meshform.state.LockLostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Deletes the deposed objects a plan lists ({@link io.meshform.engine.plan.DeposedDeletes}), one after the other once the
 * other steps are done: they are old objects nothing depends on any more, and there are few. Each is read again just
 * before its delete: one that no longer carries this state's mark is refused (a saved plan is applied later), one gone
 * already only loses its record. A failed delete keeps the record, so the next plan lists it again.
 */
final class DeposedSteps {
    private final TypeRegistry types;
    private final ApplyListener listener;

    DeposedSteps(TypeRegistry types, ApplyListener listener) {
        this.types = types;
        this.listener = listener;
    }

    /**
     * What became of the deposed steps: done, failed (with why), not started (an earlier failure, a stop, a lost lock).
     *
     * @param lockLost the lock found lost, or null
     */
    record Outcome(List<ResourceChange> done, Map<ResourceChange, RuntimeException> failed, List<ResourceChange> notStarted,
                   LockLostException lockLost) {
    }

    /**
     * Runs {@code steps} in order until one fails or the lock is lost; none when {@code halted} (another step failed,
     * a stop was asked for, the lock was lost).
     */
    Outcome runAll(StackContext context, List<ResourceChange> steps, Recorder recorder, LockHandle lock, boolean halted,
                   Function<ResourceChange, ProgressSink> progress) {
        List<ResourceChange> done = new ArrayList<>();
        Map<ResourceChange, RuntimeException> failed = new LinkedHashMap<>();
        LockLostException lost = null;
        for (ResourceChange c : steps) {
            if (halted || !failed.isEmpty() || lost != null) {
                break;
            }
            try {
                lock.ensureHeld();
            } catch (LockLostException e) {
                lost = e;
                break;
            }
            try {
                run(context, c, recorder, progress.apply(c));
                done.add(c);
            } catch (LockLostException e) {
                lost = e;
                failed.put(c, e);
            } catch (RuntimeException e) {
                failed.put(c, e);
            }
        }
        List<ResourceChange> notStarted = steps.stream().filter(c -> !done.contains(c) && !failed.containsKey(c)).toList();
        return new Outcome(done, failed, notStarted, lost);
    }

    /** Runs {@code c}, a deposed object's delete; throws what made it fail. */
    private void run(StackContext context, ResourceChange c, Recorder recorder, ProgressSink progress) {
        long start = System.nanoTime();
        listener.started(c);
        try {
            Optional<DeposedObject> recorded = recorder.current().deposed(c.address().toString()).stream()
                    .filter(d -> d.key().equals(c.deposedKey())).findFirst();
            if (recorded.isPresent()) {
                DeposedObject d = recorded.get();
                ResourceType type = types.get(d.object().type());
                LiveObject live = types.read(context, Map.of(type.name(), List.of(new ResourceRef(c.address(),
                        d.object().attributes())))).get(c.address());
                String lineage = recorder.current().lineage();
                if (live != null && live.ownership().applies() && !lineage.equals(live.ownership().lineage())) {
                    throw new DiagnosticsException(Diagnostic.error(d.describe() + ": refusing to delete "
                                    + (live.ownership().object() == null ? "its object" : live.ownership().object())
                                    + ": it no longer carries this state's mark",
                            "It was made again or marked by something else since the plan. It stays recorded; delete it"
                                    + " by hand if it is to go, and `meshform state rm " + c.address() + "` forgets it.", null));
                }
                if (live != null) {
                    type.delete(new DeleteRequest(c.address(), d.object(), progress, context, lineage));
                }
                recorder.forgetDeposed(d.address(), d.key());
            }
            listener.finished(c, Duration.ofNanos(System.nanoTime() - start));
        } catch (RuntimeException e) {
            listener.failed(c, Duration.ofNanos(System.nanoTime() - start), e);
            throw e;
        }
    }
}

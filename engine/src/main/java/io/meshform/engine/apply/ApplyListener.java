package io.meshform.engine.apply;

import io.meshform.engine.plan.ResourceChange;
import java.time.Duration;

/** Progress of an apply, one event per step; the CLI prints a line for each. */
public interface ApplyListener {
    ApplyListener NONE = new ApplyListener() {
    };

    default void started(ResourceChange change) {
    }

    default void progress(ResourceChange change, String message) {
    }

    default void finished(ResourceChange change, Duration took) {
    }

    default void failed(ResourceChange change, Duration took, RuntimeException error) {
    }
}

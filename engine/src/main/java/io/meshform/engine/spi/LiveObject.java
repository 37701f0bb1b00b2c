package io.meshform.engine.spi;

import tools.jackson.databind.JsonNode;

/**
 * What the cluster holds for one resource, projected into the shape of the resource's spec so it can be
 * compared with the desired and the recorded values. {@code version} changes whenever the object changes
 * (a resourceVersion, or a digest); saved plans use it to notice that the live object moved. {@code ownership}
 * says whether meshform made it ({@link Ownership}); a type that does not say is treated as "not marked", so an
 * object it finds that the state does not record is never taken over silently.
 */
public record LiveObject(JsonNode value, String version, Ownership ownership) {

    public LiveObject {
        ownership = ownership == null ? Ownership.unmarked(null, null) : ownership;
    }

    public LiveObject(JsonNode value, String version) {
        this(value, version, null);
    }

    /** The same object with another value (the engine digests sensitive values before drift compares). */
    public LiveObject withValue(JsonNode other) {
        return new LiveObject(other, version, ownership);
    }
}

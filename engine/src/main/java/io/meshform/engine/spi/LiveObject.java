package io.meshform.engine.spi;

import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * What the cluster holds for one resource, projected into the shape of the resource's spec so it can be
 * compared with the desired and the recorded values. {@code version} changes whenever the object changes
 * (a resourceVersion, or a digest); saved plans use it to notice that the live object moved. {@code data} is the
 * type's own: what its {@code read} saw and its {@code plan} needs (field owners, a missing label), carried by the
 * engine untouched and never shown or saved, so a type keeps nothing between the two calls. {@code ownership} says
 * whether meshform made the object ({@link Ownership}); a type that does not say is treated as "not marked", so an
 * object it finds that the state does not record is never taken over silently.
 */
public record LiveObject(JsonNode value, String version, Object data, Ownership ownership) {

    public LiveObject {
        if (data instanceof Ownership) {
            // An easy slip with the three-argument form, and a silent one: the mark would be lost and the object refused.
            throw new IllegalArgumentException("ownership goes in withOwnership, not in a type's data");
        }
        ownership = ownership == null ? Ownership.unmarked(null, null) : ownership;
    }

    public LiveObject(JsonNode value, String version, Object data) {
        this(value, version, data, null);
    }

    public LiveObject(JsonNode value, String version) {
        this(value, version, null, null);
    }

    /** The same object with what read found about who made it. */
    public LiveObject withOwnership(Ownership owner) {
        return new LiveObject(value, version, data, owner);
    }

    /** The type's data when it is a {@code kind}; empty when read passed none (or another kind). */
    public <T> Optional<T> data(Class<T> kind) {
        return kind.isInstance(data) ? Optional.of(kind.cast(data)) : Optional.empty();
    }

    /** The same object, data and ownership with another value (the engine digests sensitive values before drift compares). */
    public LiveObject withValue(JsonNode other) {
        return new LiveObject(other, version, data, ownership);
    }
}

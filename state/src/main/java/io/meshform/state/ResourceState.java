package io.meshform.state;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import tools.jackson.databind.node.ObjectNode;

/**
 * One managed resource as last applied.
 *
 * @param address    the resource address, unique within a snapshot
 * @param type       the resource type, e.g. {@code istio_peer_authentication}
 * @param attributes the applied spec as a JSON object
 * @param metadata   provider data such as uid, resourceVersion, fieldManager, renderDigest
 */
public record ResourceState(String address, String type, ObjectNode attributes, Map<String, String> metadata) {

    public ResourceState {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("resource address must not be blank");
        }
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("resource " + address + ": type must not be blank");
        }
        Objects.requireNonNull(attributes, () -> "resource " + address + ": attributes must not be null");
        // Snapshots are shared between plan and apply; a caller editing its own node afterwards must not
        // change what we recorded.
        attributes = attributes.deepCopy();
        metadata = metadata == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    /** A copy: ObjectNode is mutable, and editing it must not change this (immutable) record. */
    @Override
    public ObjectNode attributes() {
        return attributes.deepCopy();
    }
}

package io.meshform.engine.spi;

/**
 * What {@code read} found about who owns a live object, so the engine can refuse to take over what it did not make
 * (Terraform asks for an import instead). meshform marks every object it applies or imports with its state's lineage
 * and the resource's address (annotations {@value #LINEAGE_ANNOTATION} and {@value #ADDRESS_ANNOTATION}, set by its own
 * field manager; an install's addon objects with the install's address); an object that carries the mark of this state and address is meshform's own even when the state never
 * recorded it (an apply interrupted between creating it and writing the state).
 *
 * @param applies false for types that by design own parts of objects that belong to others ({@code kubernetes.labels}):
 *                for them an existing object says nothing
 * @param lineage the lineage in the object's mark, or null when it carries none (made by hand, by another tool)
 * @param address the resource address in the mark, or null
 * @param object  the object in words ("ConfigMap default/app"), for messages
 * @param id      the id {@code meshform import} takes for it ("default/app"), or null when the type has no import
 * @param key     what makes the object that one object in the cluster, whichever resource address reads it (for a
 *                Kubernetes object its uid): two resources whose live objects have the same key are the same object, so
 *                a plan never destroys one of them while the stack declares the other. Null when the type cannot say
 *                ({@link #SHARED}); the factories default it to {@code object}, which names the object
 */
public record Ownership(boolean applies, String lineage, String address, String object, String id, String key) {
    public static final String LINEAGE_ANNOTATION = "meshform.io/lineage";
    public static final String ADDRESS_ANNOTATION = "meshform.io/address";

    /** The type owns parts of objects that belong to others: existing says nothing about who made it. */
    public static final Ownership SHARED = new Ownership(false, null, null, null, null, null);

    /** An object without meshform's mark. */
    public static Ownership unmarked(String object, String id) {
        return new Ownership(true, null, null, object, id, object);
    }

    public static Ownership marked(String lineage, String address, String object, String id) {
        return new Ownership(true, lineage, address, object, id, object);
    }

    /** The same ownership with the object's identity in the cluster (e.g. its uid) as its {@link #key()}. */
    public Ownership withKey(String objectKey) {
        return new Ownership(applies, lineage, address, object, id, objectKey == null ? object : objectKey);
    }

    /**
     * True when this live object and {@code other} are one object in the cluster. A type that shares objects with
     * others ({@link #applies} false) says nothing, so it never matches.
     */
    public boolean sameObject(Ownership other) {
        return other != null && applies && other.applies && key != null && key.equals(other.key);
    }

    /** True when the mark says this state's resource {@code address} made the object. */
    public boolean madeBy(String stateLineage, String resourceAddress) {
        return lineage != null && lineage.equals(stateLineage) && resourceAddress.equals(address);
    }
}

package io.meshform.engine.model;

import io.meshform.state.ResourceKey;
import java.util.regex.Pattern;

/**
 * The identity of a declared resource: {@code type.name}, where the type itself has a dot
 * ({@code istio.peerAuthentication.mesh-strict}). Round-trips through {@link #parse} and sorts stably.
 */
public record ResourceAddress(String type, String name) implements Comparable<ResourceAddress>, ResourceKey {
    private static final Pattern TYPE = Pattern.compile("[a-z][a-zA-Z0-9]*\\.[a-z][a-zA-Z0-9]*");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9_-]*[a-z0-9])?");

    public ResourceAddress {
        if (!validType(type)) {
            throw new IllegalArgumentException("invalid resource type '" + type + "': expected provider.kind, e.g. istio.install");
        }
        if (!validName(name)) {
            throw new IllegalArgumentException("invalid resource name '" + name
                    + "': use lower-case letters, digits, '-' and '_', starting and ending with a letter or digit");
        }
    }

    public static boolean validType(String type) {
        return type != null && TYPE.matcher(type).matches();
    }

    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Parses {@code provider.kind.name}. */
    public static ResourceAddress parse(String text) {
        int last = text == null ? -1 : text.lastIndexOf('.');
        if (last <= 0 || text.indexOf('.') == last) {
            throw new IllegalArgumentException("invalid resource address '" + text
                    + "': expected type.name, e.g. istio.install.mesh");
        }
        return new ResourceAddress(text.substring(0, last), text.substring(last + 1));
    }

    @Override
    public int compareTo(ResourceAddress o) {
        int byType = type.compareTo(o.type);
        return byType != 0 ? byType : name.compareTo(o.name);
    }

    // equals and hashCode written out: a record's own go through an invokedynamic bootstrap (ObjectMethods) and
    // method-handle chains that the C1-only JVM of the CLI neither inlines nor compiles cheaply, and addresses are
    // hashed and compared thousands of times in a run of 1,000 resources (sets, maps, the graph, the checks).
    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof ResourceAddress a && type.equals(a.type) && name.equals(a.name);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + name.hashCode();
    }

    /** State entries are keyed by the address text. */
    @Override
    public String stateKey() {
        return toString();
    }

    /** The address of a recorded entry. */
    public static ResourceAddress of(io.meshform.state.ResourceState recorded) {
        return parse(recorded.address());
    }

    @Override
    public String toString() {
        return type + "." + name;
    }
}

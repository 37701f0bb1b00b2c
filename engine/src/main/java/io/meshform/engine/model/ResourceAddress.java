package io.meshform.engine.model;

import io.meshform.state.ResourceKey;
import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * The identity of a declared resource: {@code type.name}, where the type itself has a dot
 * ({@code istio.peerAuthentication.mesh-strict}). Round-trips through {@link #parse} and sorts stably.
 */
public record ResourceAddress(String type, String name) implements Comparable<ResourceAddress>, ResourceKey {
    private static final Pattern TYPE = Pattern.compile("[a-z][a-zA-Z0-9]*\\.[a-z][a-zA-Z0-9]*");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9_-]*[a-z0-9])?");
    private static final Comparator<ResourceAddress> ORDER =
            Comparator.comparing(ResourceAddress::type).thenComparing(ResourceAddress::name);

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
        return ORDER.compare(this, o);
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

package io.meshform.state;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Immutable state: every resource meshform manages, as last applied.
 *
 * @param formatVersion   the state format this snapshot was read from or will be written as
 * @param serial          grows by one on every write; the store assigns it
 * @param lineage         identifies one state history; a store refuses a snapshot from another history
 * @param meshformVersion the meshform that produced this snapshot
 * @param resources       sorted by address, addresses unique
 * @param stack           the name ({@code metadata.name}) of the stack whose runs wrote this state, or null when no
 *                        run has recorded one yet (a new state, or one written before format 2): the first stack
 *                        that writes it adopts it
 */
public record StateSnapshot(int formatVersion, long serial, String lineage, String meshformVersion,
                            List<ResourceState> resources, String stack) {

    /** The format this meshform writes, and the newest one it reads (2: the state records its stack). */
    public static final int CURRENT_FORMAT_VERSION = 2;

    private static final Comparator<ResourceState> BY_ADDRESS = Comparator.comparing(ResourceState::address);

    public StateSnapshot {
        if (serial < 0) {
            throw new IllegalArgumentException("serial must not be negative, got " + serial);
        }
        if (lineage == null || lineage.isBlank()) {
            throw new IllegalArgumentException("lineage must not be blank");
        }
        if (meshformVersion == null) {
            throw new IllegalArgumentException("meshformVersion must not be null");
        }
        if (stack != null && stack.isBlank()) {
            throw new IllegalArgumentException("stack must be null or a name, got a blank string");
        }
        if (!(resources instanceof SortedResources)) {
            List<ResourceState> sorted = new ArrayList<>(resources == null ? List.of() : resources);
            sorted.sort(BY_ADDRESS);
            for (int i = 1; i < sorted.size(); i++) {
                if (sorted.get(i).address().equals(sorted.get(i - 1).address())) {
                    throw new IllegalArgumentException("duplicate resource address " + sorted.get(i).address());
                }
            }
            resources = new SortedResources(sorted.toArray(ResourceState[]::new));
        }
    }

    /** A snapshot that records no stack yet (the first stack that writes it adopts it). */
    public StateSnapshot(int formatVersion, long serial, String lineage, String meshformVersion,
                         List<ResourceState> resources) {
        this(formatVersion, serial, lineage, meshformVersion, resources, null);
    }

    /**
     * The resources of a snapshot: immutable, sorted by address, addresses unique. Snapshots derived from one
     * ({@link #with}, {@link #withSerial}, ...) keep or splice it instead of sorting again: an apply derives a
     * snapshot per finished step, and re-checking the order of all resources each time made recording quadratic.
     */
    private static final class SortedResources extends java.util.AbstractList<ResourceState> implements java.util.RandomAccess {
        private final ResourceState[] items;

        SortedResources(ResourceState[] items) {
            this.items = items;
        }

        @Override
        public ResourceState get(int index) {
            return items[index];
        }

        @Override
        public int size() {
            return items.length;
        }

        SortedResources replaced(int index, ResourceState r) {
            ResourceState[] copy = items.clone();
            copy[index] = r;
            return new SortedResources(copy);
        }

        SortedResources inserted(int index, ResourceState r) {
            ResourceState[] copy = new ResourceState[items.length + 1];
            System.arraycopy(items, 0, copy, 0, index);
            copy[index] = r;
            System.arraycopy(items, index, copy, index + 1, items.length - index);
            return new SortedResources(copy);
        }

        SortedResources removed(int index) {
            ResourceState[] copy = new ResourceState[items.length - 1];
            System.arraycopy(items, 0, copy, 0, index);
            System.arraycopy(items, index + 1, copy, index, items.length - index - 1);
            return new SortedResources(copy);
        }
    }

    /** A new state history: random lineage, serial 0, no resources. */
    public static StateSnapshot empty(String meshformVersion) {
        return new StateSnapshot(CURRENT_FORMAT_VERSION, 0, UUID.randomUUID().toString(), meshformVersion, List.of());
    }

    public Optional<ResourceState> find(ResourceKey key) {
        return find(key.stateKey());
    }

    /** This snapshot without the resource at {@code key}; the same snapshot when there is none. */
    public StateSnapshot without(ResourceKey key) {
        return without(key.stateKey());
    }

    public Optional<ResourceState> find(String address) {
        int i = indexOf(address);
        return i >= 0 ? Optional.of(resources.get(i)) : Optional.empty();
    }

    /** This snapshot with {@code r} added, or replacing the resource at the same address. */
    public StateSnapshot with(ResourceState r) {
        SortedResources sorted = (SortedResources) resources;
        int i = indexOf(r.address());
        return new StateSnapshot(formatVersion, serial, lineage, meshformVersion,
                i >= 0 ? sorted.replaced(i, r) : sorted.inserted(-i - 1, r), stack);
    }

    /** This snapshot without the resource at {@code address}; the same snapshot when there is none. */
    public StateSnapshot without(String address) {
        int i = indexOf(address);
        if (i < 0) {
            return this;
        }
        return new StateSnapshot(formatVersion, serial, lineage, meshformVersion, ((SortedResources) resources).removed(i), stack);
    }

    /** The same content under another serial; stores use it to stamp what they write. */
    public StateSnapshot withSerial(long newSerial) {
        return new StateSnapshot(formatVersion, newSerial, lineage, meshformVersion, resources, stack);
    }

    /** The same content as written by another meshform version. */
    public StateSnapshot withMeshformVersion(String version) {
        return new StateSnapshot(formatVersion, serial, lineage, version, resources, stack);
    }

    /** The same content, recorded as the state of the stack named {@code name}. */
    public StateSnapshot withStack(String name) {
        return java.util.Objects.equals(name, stack) ? this
                : new StateSnapshot(formatVersion, serial, lineage, meshformVersion, resources, name);
    }

    private int indexOf(String address) {
        int lo = 0;
        int hi = resources.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = resources.get(mid).address().compareTo(address);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }
}

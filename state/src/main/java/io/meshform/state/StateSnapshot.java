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
 * @param creating        the addresses an apply of this state was about to create objects for, written before it
 *                        created any (format 3), sorted: an object that carries this state's mark for one of them and
 *                        that the state does not record is one that apply made and did not live to record. Any other
 *                        marked but unrecorded object is refused like any object meshform did not make, because the
 *                        mark alone can be copied by whoever may create the object. A finished apply clears what it
 *                        recorded
 * @param deposed         the old objects of create-first replaces whose delete has not gone through (format 4), sorted by
 *                        address and key: every plan deletes them ({@link DeposedObject})
 */
public record StateSnapshot(int formatVersion, long serial, String lineage, String meshformVersion,
                            List<ResourceState> resources, String stack, java.util.Set<String> creating,
                            List<DeposedObject> deposed) {

    /**
     * The format this meshform writes, and the newest one it reads (2: the state records its stack; 3: the addresses
     * an apply is creating; 4: deposed objects).
     */
    public static final int CURRENT_FORMAT_VERSION = 4;

    private static final Comparator<DeposedObject> DEPOSED_ORDER =
            Comparator.comparing(DeposedObject::address).thenComparing(DeposedObject::key);

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
        if (!(creating instanceof Addresses)) {
            creating = new Addresses(new java.util.TreeSet<>(creating == null ? java.util.Set.of() : creating));
        }
        List<DeposedObject> old = new ArrayList<>(deposed == null ? List.of() : deposed);
        old.sort(DEPOSED_ORDER);
        for (int i = 1; i < old.size(); i++) {
            if (DEPOSED_ORDER.compare(old.get(i), old.get(i - 1)) == 0) {
                throw new IllegalArgumentException("deposed object recorded twice: " + old.get(i).describe());
            }
        }
        deposed = List.copyOf(old);
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

    /** A snapshot that no apply is creating objects for. */
    public StateSnapshot(int formatVersion, long serial, String lineage, String meshformVersion,
                         List<ResourceState> resources, String stack) {
        this(formatVersion, serial, lineage, meshformVersion, resources, stack, null);
    }

    /** A snapshot that records no deposed object. */
    public StateSnapshot(int formatVersion, long serial, String lineage, String meshformVersion,
                         List<ResourceState> resources, String stack, java.util.Set<String> creating) {
        this(formatVersion, serial, lineage, meshformVersion, resources, stack, creating, null);
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

    /**
     * The addresses of {@link #creating}: immutable and sorted. Snapshots derived from one keep it rather than copy it,
     * as they keep their resources (an apply derives one per step).
     */
    private static final class Addresses extends java.util.AbstractSet<String> {
        private final java.util.SortedSet<String> items;

        Addresses(java.util.SortedSet<String> items) {
            this.items = items;
        }

        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.Collections.unmodifiableSortedSet(items).iterator();
        }

        @Override
        public boolean contains(Object o) {
            return items.contains(o);
        }

        @Override
        public int size() {
            return items.size();
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
                i >= 0 ? sorted.replaced(i, r) : sorted.inserted(-i - 1, r), stack, creating, deposed);
    }

    /** This snapshot without the resource at {@code address}; the same snapshot when there is none. */
    public StateSnapshot without(String address) {
        int i = indexOf(address);
        if (i < 0) {
            return this;
        }
        return new StateSnapshot(formatVersion, serial, lineage, meshformVersion, ((SortedResources) resources).removed(i), stack,
                creating, deposed);
    }

    /** The same content under another serial; stores use it to stamp what they write. */
    public StateSnapshot withSerial(long newSerial) {
        return new StateSnapshot(formatVersion, newSerial, lineage, meshformVersion, resources, stack, creating, deposed);
    }

    /** The same content as written by another meshform version. */
    public StateSnapshot withMeshformVersion(String version) {
        return new StateSnapshot(formatVersion, serial, lineage, version, resources, stack, creating, deposed);
    }

    /** The same content, recorded as the state of the stack named {@code name}. */
    public StateSnapshot withStack(String name) {
        return java.util.Objects.equals(name, stack) ? this
                : new StateSnapshot(formatVersion, serial, lineage, meshformVersion, resources, name, creating, deposed);
    }

    /** The same content, with {@code addresses} as the addresses an apply is creating (see {@link #creating}). */
    public StateSnapshot withCreating(java.util.Collection<String> addresses) {
        java.util.Set<String> next = new java.util.TreeSet<>(addresses);
        return next.equals(creating) ? this
                : new StateSnapshot(formatVersion, serial, lineage, meshformVersion, resources, stack, next, deposed);
    }

    /** The deposed objects recorded under {@code address}, by key. */
    public List<DeposedObject> deposed(String address) {
        return deposed.stream().filter(d -> d.address().equals(address)).toList();
    }

    /** The same content with {@code d} recorded as deposed (replacing one of the same address and key). */
    public StateSnapshot withDeposed(DeposedObject d) {
        List<DeposedObject> next = new ArrayList<>(deposed);
        next.removeIf(x -> x.address().equals(d.address()) && x.key().equals(d.key()));
        next.add(d);
        return withDeposedList(next);
    }

    /** The same content without the deposed object {@code key} of {@code address}; this snapshot when there is none. */
    public StateSnapshot withoutDeposed(String address, String key) {
        List<DeposedObject> next = new ArrayList<>(deposed);
        return next.removeIf(x -> x.address().equals(address) && x.key().equals(key)) ? withDeposedList(next) : this;
    }

    /** The same content with exactly {@code objects} deposed (a journal record carries the whole list). */
    public StateSnapshot withDeposedList(List<DeposedObject> objects) {
        return new StateSnapshot(formatVersion, serial, lineage, meshformVersion, resources, stack, creating, objects);
    }

    /** True when an apply wrote, before creating objects, that it would create one for {@code address}. */
    public boolean creating(String address) {
        return creating.contains(address);
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

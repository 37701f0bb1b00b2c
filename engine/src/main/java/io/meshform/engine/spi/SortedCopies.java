package io.meshform.engine.spi;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Unmodifiable copies that iterate in sorted order, for values whose iteration can reach what a user sees (plan and
 * drift output, diagnostics) or a key kept by content (istioctl's remembered answers). {@code Map.copyOf} and
 * {@code Set.copyOf} iterate in an order randomised per JVM (java.util.ImmutableCollections.SALT), so two identical
 * runs could print the same map differently. Nulls are refused, as those copies refuse them.
 */
public final class SortedCopies {
    private SortedCopies() {
    }

    public static <K extends Comparable<? super K>, V> SortedMap<K, V> of(Map<K, V> map) {
        TreeMap<K, V> copy = new TreeMap<>();
        map.forEach((k, v) -> copy.put(Objects.requireNonNull(k), Objects.requireNonNull(v)));
        return Collections.unmodifiableSortedMap(copy);
    }

    public static <E extends Comparable<? super E>> SortedSet<E> of(Collection<E> items) {
        TreeSet<E> copy = new TreeSet<>();
        items.forEach(e -> copy.add(Objects.requireNonNull(e)));
        return Collections.unmodifiableSortedSet(copy);
    }
}

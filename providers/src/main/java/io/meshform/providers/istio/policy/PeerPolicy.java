package io.meshform.providers.istio.policy;

import io.meshform.engine.spi.SortedCopies;
import io.meshform.providers.kubernetes.Json;
import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * One PeerAuthentication as Istio's composition reads it.
 *
 * @param created   its creationTimestamp; {@code null} for one the plan creates (it will be the newest)
 * @param selector  {@code selector.matchLabels}; empty for none (Istio treats an empty matchLabels as no selector)
 * @param mode      {@code mtls.mode}; UNSET when {@code mtls} is absent
 * @param portLevel {@code portLevelMtls}: container (target) port to mode, UNSET for an entry without a mode
 * @param origin    who declares it: a stack resource address, or {@code null} when only the cluster has it
 * @param revision  its {@code istio.io/rev} label, null without one: only that revision's istiod reads it
 *                  ({@link ConfigRevision})
 */
public record PeerPolicy(String namespace, String name, Instant created, Map<String, String> selector, MtlsMode mode,
                         SortedMap<Integer, MtlsMode> portLevel, String origin, String revision) {

    public PeerPolicy {
        // Sorted, not Map.copyOf (randomised per JVM): whatever iterates or prints it sees one order in every run.
        selector = SortedCopies.of(selector);
        portLevel = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(portLevel));
    }

    /** An unlabelled policy, read by every istiod. */
    public PeerPolicy(String namespace, String name, Instant created, Map<String, String> selector, MtlsMode mode,
                      SortedMap<Integer, MtlsMode> portLevel, String origin) {
        this(namespace, name, created, selector, mode, portLevel, origin, null);
    }

    /** The same policy labelled {@code istio.io/rev: revision} (null: unlabelled). */
    public PeerPolicy withRevision(String revision) {
        return new PeerPolicy(namespace, name, created, selector, mode, portLevel, origin, revision);
    }

    /** From an Istio spec ({@code mtls}, {@code selector}, {@code portLevelMtls}). */
    public static PeerPolicy of(String namespace, String name, Instant created, JsonNode spec, String origin) {
        SortedMap<Integer, MtlsMode> ports = new TreeMap<>();
        JsonNode pl = spec.path("portLevelMtls");
        if (pl.isObject()) {
            for (Map.Entry<String, JsonNode> e : pl.properties()) {
                try {
                    ports.put(Integer.parseInt(e.getKey()), MtlsMode.of(Json.text(e.getValue(), "mode")));
                } catch (NumberFormatException notAPort) {
                    // Istio's validation refuses it before the policy takes effect
                }
            }
        }
        return new PeerPolicy(namespace, name, created, Json.stringMap(spec.path("selector").path("matchLabels")),
                MtlsMode.of(Json.text(spec.path("mtls"), "mode")), ports, origin);
    }

    /** Where the policy acts, by Istio's classification ({@code ComposePeerAuthentication}). */
    public enum Scope {
        /** No selector, in the root namespace. */
        MESH,
        /** No selector, in another namespace. */
        NAMESPACE,
        /** A selector, outside the root namespace. */
        WORKLOAD,
        /** A selector in the root namespace: Istio ignores it for every workload. */
        IGNORED
    }

    public Scope scope(String rootNamespace) {
        boolean root = rootNamespace.equals(namespace);
        if (selector.isEmpty()) {
            return root ? Scope.MESH : Scope.NAMESPACE;
        }
        return root ? Scope.IGNORED : Scope.WORKLOAD;
    }

    /** Istio's subset match of {@code selector.matchLabels} against a workload's labels; no selector matches all. */
    public boolean selects(Map<String, String> labels) {
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    public String id() {
        return namespace + "/" + name;
    }

    /** "PeerAuthentication ns/name" plus the stack address when it has one. */
    public String describe() {
        return "PeerAuthentication " + id() + (origin == null ? "" : " (" + origin + ")");
    }

    /** True when Istio would order this policy before {@code other}: older, then by name, then by namespace. */
    boolean before(PeerPolicy other) {
        return ORDER.compare(this, other) < 0;
    }

    /**
     * Istio's order of policies ({@code sortConfigByCreationTime}, pilot/pkg/model/config.go): creation time, then
     * name, then namespace. A policy not yet created sorts after every existing one.
     */
    static final java.util.Comparator<PeerPolicy> ORDER = java.util.Comparator
            .comparing(PeerPolicy::created, java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()))
            .thenComparing(PeerPolicy::name).thenComparing(PeerPolicy::namespace);
}

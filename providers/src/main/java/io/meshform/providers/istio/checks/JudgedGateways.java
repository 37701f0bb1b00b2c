package io.meshform.providers.istio.checks;

import io.meshform.providers.istio.policy.PathNormalization;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The gateways one ingress coverage warning is about. A policy in the root namespace, or one whose selector several
 * gateway Deployments share, gives each of them the same finding; the user acts on the policy once, so the finding is
 * one warning that names every gateway, each once, in the order they were judged ({@link IngressAuthCoverage}).
 */
final class JudgedGateways {
    private final Set<String> names = new LinkedHashSet<>();
    private final Set<String> approximate = new LinkedHashSet<>();
    private final Set<String> gateways = new LinkedHashSet<>();
    private final Set<String> selected = new LinkedHashSet<>();
    private final Set<CoveredWorkloads.Seen> seen = java.util.EnumSet.noneOf(CoveredWorkloads.Seen.class);
    private final Set<Boolean> byTargets = new LinkedHashSet<>();

    void add(CoveredWorkloads.Workload w) {
        names.add(w.name());
        seen.add(w.seen());
        if (w.approximate()) {
            approximate.add(w.name());
            selected.add(w.described());
            byTargets.add(w.byTargets());
        } else {
            gateways.add(w.name());
        }
    }

    /** What the run saw of them ({@link IngressAuthCoverage#summary} words its counts by it). */
    Set<CoveredWorkloads.Seen> seen() {
        return java.util.Collections.unmodifiableSet(seen);
    }

    /** True when every stand-in among them is for a Gateway the CUSTOM policy's targetRefs name (none by selector). */
    boolean byTargets() {
        return byTargets.equals(Set.of(true));
    }

    /** What the stand-ins among them were judged from: the CUSTOM policy's selector, its targetRefs, or both. */
    private String from() {
        return byTargets.size() > 1 ? "selector or targetRefs" : byTargets() ? "targetRefs" : "selector";
    }

    /** The gateways, comma-separated: {@code ns/a, ns/b}. */
    String names() {
        return String.join(", ", names);
    }

    /**
     * {@code gateway ns/a} or {@code gateways ns/a, ns/b}; a selector that stands for pods the run did not see is no
     * known gateway, so it is named as a selector ({@link CoveredWorkloads.Workload#described}).
     */
    String named() {
        List<String> parts = new ArrayList<>();
        if (!gateways.isEmpty()) {
            parts.add((gateways.size() == 1 ? "gateway " : "gateways ") + String.join(", ", gateways));
        }
        parts.addAll(selected);
        return String.join("; ", parts);
    }

    /**
     * {@link #named()} with the normalization the verdicts rest on, and which of the gateways stand for pods the run did
     * not see (judged from the CUSTOM policy's selector, {@link CoveredWorkloads}).
     */
    String where(PathNormalization mode, String source) {
        return named() + " (pathNormalization " + mode + ", from " + source + (approximate.isEmpty() ? ""
                : approximate.size() == names.size() ? "; judged from the CUSTOM policy's " + from() + ", an approximation"
                : "; " + String.join(", ", approximate) + " judged from the CUSTOM policy's " + from() + ", an approximation")
                + ")";
    }
}

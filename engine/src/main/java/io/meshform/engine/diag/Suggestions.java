package io.meshform.engine.diag;

import java.util.Collection;
import java.util.Optional;

/** "did you mean ...?" for misspelt names: the closest candidate within a small edit distance. */
public final class Suggestions {
    private Suggestions() {
    }

    public static Optional<String> closest(String given, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(given.toLowerCase(), c.toLowerCase());
            // Equally close: the smaller name, so the hint does not depend on the order of a Set.of or Map.copyOf.
            if (d < bestDistance || (d == bestDistance && c.compareTo(best) < 0)) {
                best = c;
                bestDistance = d;
            }
        }
        // Beyond a third of the word, a suggestion is more confusing than helpful.
        int allowed = Math.max(2, given.length() / 3);
        return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /** The hint line used in diagnostics: "did you mean `x`?" or the list of valid names. */
    public static String hint(String given, Collection<String> candidates) {
        return closest(given, candidates)
                .map(s -> "did you mean `" + s + "`?")
                .orElse("expected one of: " + String.join(", ", candidates.stream().sorted().toList()));
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}

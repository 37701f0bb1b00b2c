package io.meshform.engine.diag;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Diagnostics in the order a reader walks the files: each file's problems by line, then column. The checks run in
 * phases (the spec's rules, the graph, istioctl's validation), so collected order jumped about (lines 92, 85, 100,
 * 107). Files keep the order in which they first appear (the stack before what it imports, as loaded), and a
 * diagnostic without a position keeps its place among its file's; the sort is stable, so two at one position keep
 * the order they were found in.
 */
public final class FileOrder {
    private FileOrder() {
    }

    public static List<Diagnostic> of(List<Diagnostic> diagnostics) {
        Map<String, Integer> fileRank = new HashMap<>();
        for (Diagnostic d : diagnostics) {
            fileRank.putIfAbsent(fileOf(d), fileRank.size());
        }
        // List.sort is a stable merge sort.
        return diagnostics.stream().sorted(Comparator.<Diagnostic>comparingInt(d -> fileRank.get(fileOf(d)))
                .thenComparingInt(d -> d.range() == null ? 0 : d.range().line())
                .thenComparingInt(d -> d.range() == null ? 0 : d.range().column())).toList();
    }

    private static String fileOf(Diagnostic d) {
        // "" for no file: a map key, where null is not wanted
        return d.range() == null ? "" : Objects.requireNonNullElse(d.range().file(), "");
    }
}

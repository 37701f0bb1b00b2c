package io.meshform.engine.load;

import io.meshform.engine.diag.SourceRange;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The positions of a document's nodes, found the first time anyone asks (read-only, safe to share between threads).
 * A run asks only to place a diagnostic; a no-op plan of 1,000 resources usually never does, and recording 20,000
 * positions (a JSON pointer and a range for every node, and the parser's marks behind them) was about a fifth of
 * reading the stack's YAML (BENCHMARKS.md, issue 18, evening session, n1000).
 */
final class DeferredPositions extends AbstractMap<String, SourceRange> {
    private final Supplier<Map<String, SourceRange>> find;
    private Map<String, SourceRange> found;

    DeferredPositions(Supplier<Map<String, SourceRange>> find) {
        this.find = find;
    }

    private synchronized Map<String, SourceRange> positions() {
        if (found == null) {
            found = find.get();
        }
        return found;
    }

    @Override
    public SourceRange get(Object pointer) {
        return positions().get(pointer);
    }

    @Override
    public boolean containsKey(Object pointer) {
        return positions().containsKey(pointer);
    }

    @Override
    public Set<Entry<String, SourceRange>> entrySet() {
        return positions().entrySet();
    }
}

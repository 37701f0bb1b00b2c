package io.meshform.engine.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a line indented to no level around it means, said in a stack author's words. SnakeYAML reports such a line as
 * "expected &lt;block end&gt;, but found '&lt;block mapping start&gt;' (while parsing a block mapping)": true of its
 * token stream, but it names neither the indentation nor the levels the line could take.
 */
final class YamlIndentation {
    private YamlIndentation() {
    }

    /**
     * For the parser's {@code reason} at {@code line} (1-based) of {@code text}: the summary and hint naming the line's
     * indentation and the levels of the lines above it that it could line up with, when that is the problem (the reason
     * is a block the parser did not expect, and the line's indentation is none of those levels).
     */
    static Optional<String[]> misaligned(String text, int line, String reason) {
        if (text == null || line < 2 || reason == null || !reason.startsWith("expected <block end>")) {
            return Optional.empty();
        }
        String[] lines = text.split("\n", -1);
        if (line > lines.length) {
            return Optional.empty();
        }
        int indent = indentOf(lines[line - 1]);
        // The levels open above the line: the last content line's, then each shallower one up to the top.
        List<Integer> levels = new ArrayList<>();
        int deepest = Integer.MAX_VALUE;
        for (int i = line - 2; i >= 0 && deepest > 0; i--) {
            String l = lines[i];
            if (l.isBlank() || l.strip().startsWith("#")) {
                continue;
            }
            int at = indentOf(l);
            if (at < deepest) {
                levels.add(at);
                deepest = at;
            }
        }
        if (levels.isEmpty() || levels.contains(indent)) {
            return Optional.empty();
        }
        String open = String.join(", ", levels.stream().map(String::valueOf).toList());
        return Optional.of(new String[] {
            "invalid YAML: line " + line + " is indented " + indent + " space" + (indent == 1 ? "" : "s")
                    + ", which lines up with no key above it (those are at " + open + " spaces)",
            "indent it as deep as the other keys of the mapping it belongs to (the parser said: " + reason + ")"});
    }

    private static int indentOf(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') {
            n++;
        }
        return n;
    }
}

package io.meshform.state;

import tools.jackson.databind.node.ObjectNode;

/**
 * Format 2 adds the optional top-level {@code stack}: the name of the stack whose runs write the state, so a run of
 * another stack is refused instead of planning against (and destroying) what this one recorded. A format 1 state
 * names no stack; the first stack that writes it records its own. The bump keeps meshform releases that read only
 * format 1 from rewriting a format 2 state without its stack (they refuse it and ask for an upgrade).
 */
final class UpgradeFormat1To2 implements FormatUpgrade {

    @Override
    public int fromVersion() {
        return 1;
    }

    @Override
    public ObjectNode upgrade(ObjectNode old) {
        if (old.has("stack")) {
            throw new FormatProblem("stack: unknown key in format 1 (format 2 added it; a file that names its stack "
                    + "must say \"format_version\": 2)");
        }
        old.put("format_version", 2);
        return old;
    }
}

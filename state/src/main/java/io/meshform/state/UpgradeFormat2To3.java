package io.meshform.state;

import tools.jackson.databind.node.ObjectNode;

/**
 * Format 3 adds the optional top-level {@code creating}: the addresses an apply wrote, before it created anything, that
 * it was about to create ({@link StateSnapshot#creating}). Only an object one of them names is taken as made by this
 * state when the state does not record it; a format 2 state names none. The bump keeps meshform releases that read
 * only format 2 from rewriting a format 3 state without it, which would have the next plan refuse the objects an
 * interrupted apply made (they refuse it and ask for an upgrade).
 */
final class UpgradeFormat2To3 implements FormatUpgrade {

    @Override
    public int fromVersion() {
        return 2;
    }

    @Override
    public ObjectNode upgrade(ObjectNode old) {
        if (old.has("creating")) {
            throw new FormatProblem("creating: unknown key in format 2 (format 3 added it; a file that lists it must say"
                    + " \"format_version\": 3)");
        }
        old.put("format_version", 3);
        return old;
    }
}

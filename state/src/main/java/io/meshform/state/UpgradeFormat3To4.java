package io.meshform.state;

import tools.jackson.databind.node.ObjectNode;

/**
 * Format 4 adds the optional top-level {@code deposed}: old objects of create-first replaces whose delete has not gone
 * through ({@link DeposedObject}); a format 3 state records none. The bump keeps releases that read only format 3 from
 * rewriting a format 4 state without them, which would leave those objects in the cluster with nothing recording them.
 */
final class UpgradeFormat3To4 implements FormatUpgrade {

    @Override
    public int fromVersion() {
        return 3;
    }

    @Override
    public ObjectNode upgrade(ObjectNode old) {
        if (old.has("deposed")) {
            throw new FormatProblem("deposed: unknown key in format 3 (format 4 added it; a file that lists it must say"
                    + " \"format_version\": 4)");
        }
        old.put("format_version", 4);
        return old;
    }
}

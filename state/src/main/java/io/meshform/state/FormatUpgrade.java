package io.meshform.state;

import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a state document of format {@link #fromVersion()} into format {@code fromVersion() + 1}. The codec chains
 * upgrades, so each one only knows its two neighbouring formats. Upgrades work on the JSON tree, not on records:
 * the records always describe the current format only.
 */
interface FormatUpgrade {

    int fromVersion();

    /**
     * @param old a document in format {@link #fromVersion()}; may be modified
     * @throws FormatProblem when the document is not a valid one of that format
     */
    ObjectNode upgrade(ObjectNode old);
}

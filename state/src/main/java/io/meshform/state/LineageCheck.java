package io.meshform.state;

/** Refuses to overwrite one state history with another, e.g. after pointing meshform at the wrong state. */
public final class LineageCheck {

    private LineageCheck() {
    }

    public static void require(StateSnapshot stored, StateSnapshot incoming, String location) {
        if (!stored.lineage().equals(incoming.lineage())) {
            throw new StateException("refusing to write state with lineage " + incoming.lineage() + " to "
                    + location + ", which holds a different state (lineage " + stored.lineage() + ", serial "
                    + stored.serial() + "). The two belong to different meshform projects or workspaces: check "
                    + "the state settings, or move the existing state away if you really mean to replace it.");
        }
    }
}

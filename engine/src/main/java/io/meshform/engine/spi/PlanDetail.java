package io.meshform.engine.spi;

import java.util.Objects;

/**
 * One line a type adds to its change in the plan, beyond the diff of its spec: an object behind the resource that
 * would be added, changed or removed (the Istio objects of an install), or a note. The kind is data, so renderers
 * colour and place lines without reading them back from a {@code "+ "} prefix.
 */
public record PlanDetail(Kind kind, String text) {

    /** What the line says about the cluster. */
    public enum Kind {
        ADD("+ "),
        CHANGE("~ "),
        REMOVE("- "),
        NOTE(""),
        /**
         * A note the text and Markdown plans leave out, because the line above it says what it holds in one line (an
         * addon object identical to Istio's own sample: its 240 KB of dashboards would hide, not show). The JSON plan
         * keeps it, with its index in {@code folded_details}, so a saved plan reads it back folded and {@code show}
         * prints what {@code plan} printed (docs/plan-json.md).
         */
        FOLDED(""),
        /**
         * A part of the resource drift could not compare with the cluster, because what was applied there is not
         * known (a sensitive value rotated in the stack and not applied yet: state keeps only its digest). Not a
         * difference, and not a match either; drift reports it as not checked. Plans never hold one.
         */
        UNCHECKED("? ");

        private final String symbol;

        Kind(String symbol) {
            this.symbol = symbol;
        }

        /** The mark a line of this kind starts with in text and in the JSON plan. */
        public String symbol() {
            return symbol;
        }
    }

    public PlanDetail {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
    }

    public static PlanDetail add(String text) {
        return new PlanDetail(Kind.ADD, text);
    }

    public static PlanDetail change(String text) {
        return new PlanDetail(Kind.CHANGE, text);
    }

    public static PlanDetail remove(String text) {
        return new PlanDetail(Kind.REMOVE, text);
    }

    public static PlanDetail note(String text) {
        return new PlanDetail(Kind.NOTE, text);
    }

    /** A note that only the JSON plan shows ({@link Kind#FOLDED}). */
    public static PlanDetail folded(String text) {
        return new PlanDetail(Kind.FOLDED, text);
    }

    /** A part drift could not check ({@link Kind#UNCHECKED}). */
    public static PlanDetail unchecked(String text) {
        return new PlanDetail(Kind.UNCHECKED, text);
    }

    /** True for a line about an object that differs (added, changed or removed), false for a note or a part not checked. */
    public boolean differs() {
        return kind != Kind.NOTE && kind != Kind.FOLDED && kind != Kind.UNCHECKED;
    }

    /** Whether text and Markdown show the line: all but {@link Kind#FOLDED} ones. */
    public boolean shown() {
        return kind != Kind.FOLDED;
    }

    /** The line as text and the JSON plan write it: the kind's mark, then the text. */
    public String line() {
        return kind.symbol() + text;
    }

    /**
     * Reads {@link #line()} back, for saved plans (whose JSON keeps details as lines, see docs/plan-json.md); the only
     * place a mark is read.
     */
    public static PlanDetail parse(String line) {
        for (Kind k : Kind.values()) {
            if (!k.symbol().isEmpty() && line.startsWith(k.symbol())) {
                return new PlanDetail(k, line.substring(k.symbol().length()));
            }
        }
        return note(line);
    }

    @Override
    public String toString() {
        return line();
    }
}

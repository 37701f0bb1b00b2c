package io.meshform.engine.spi;

/** What a plan will do to one resource, with the symbol Terraform users read at a glance. */
public enum Action {
    CREATE("+", "create"),
    UPDATE("~", "update in-place"),
    REPLACE("-/+", "replace"),
    DELETE("-", "destroy"),
    NOOP(" ", "no change");

    private final String symbol;
    private final String verb;

    Action(String symbol, String verb) {
        this.symbol = symbol;
        this.verb = verb;
    }

    public String symbol() {
        return symbol;
    }

    public String verb() {
        return verb;
    }

    public String jsonName() {
        return name().toLowerCase();
    }
}

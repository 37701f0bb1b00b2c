package io.meshform.engine.model;

/** What a stack is for; production stacks get stricter safety checks (no diagnostic addons, for one). */
public enum Environment {
    PRODUCTION,
    STAGING,
    DEVELOPMENT;

    public String label() {
        return name().toLowerCase();
    }
}

package io.meshform.engine.diag;

/**
 * How much a diagnostic matters. {@code INFO} is for what a tool meshform runs calls informational (an {@code istioctl
 * analyze} message of level Info): shown, never an error, not even with {@code --strict}.
 */
public enum Severity {
    ERROR,
    WARNING,
    INFO
}

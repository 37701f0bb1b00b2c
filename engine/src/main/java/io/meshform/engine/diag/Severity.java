package io.meshform.engine.diag;

public enum Severity {
    ERROR,
    WARNING
}

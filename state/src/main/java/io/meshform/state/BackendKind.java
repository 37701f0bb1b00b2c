package io.meshform.state;

import java.util.List;
import java.util.Map;

/**
 * A kind of place to keep state, named by a stack's {@code backend:} block ({@code local}, {@code kubernetes}).
 * Kinds are found with {@link java.util.ServiceLoader}, so a backend that needs a client library (the Kubernetes
 * one needs fabric8) lives in a module of its own and the core state module, and the engine above it, stay free
 * of it. A kind owns everything about its settings: which keys exist, what values are valid and how a backend is
 * opened from them, so the stack loader and the CLI never repeat those rules.
 */
public interface BackendKind {

    /** The key under {@code backend:} in a stack, e.g. {@code kubernetes}. */
    String name();

    /** The settings a stack may give, each with what it means (shown in errors and docs). */
    Map<String, String> settings();

    /**
     * What is wrong with these settings, before anything is opened: for the stack loader, which reports each at
     * the setting's line and column, and for settings given on the command line.
     */
    List<SettingProblem> check(Map<String, String> settings);

    /** Opens the backend; {@link #check} found no problem in {@code request.settings()}. */
    StateBackend open(BackendRequest request);
}

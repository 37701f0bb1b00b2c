package io.meshform.state;

/** A state location that can be both read/written and locked. */
public interface StateBackend extends StateStore, StateLock {
}

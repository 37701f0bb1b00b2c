package io.meshform.state;

/**
 * What a state entry is found by: the engine's resource address, which implements this, so callers look entries up
 * by the typed address instead of spelling it as a string. The state keeps the key's text ({@code type.name}) and
 * knows nothing else of addresses.
 */
public interface ResourceKey {

    /** The entry's key in the state file, e.g. {@code istio.install.mesh}. */
    String stateKey();
}

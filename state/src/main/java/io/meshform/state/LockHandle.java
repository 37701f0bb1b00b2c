package io.meshform.state;

/** A held state lock. Closing releases it, unless someone force-unlocked it meanwhile. */
public interface LockHandle extends AutoCloseable {

    String id();

    @Override
    void close();
}

package io.meshform.state;

/**
 * This run no longer holds the state lock (its Lease expired and was taken, it was force-unlocked, or it was
 * released on an interrupt): it must not write the state or change the cluster any more.
 */
public class LockLostException extends StateException {

    public LockLostException(String message) {
        super(message);
    }

    public LockLostException(String message, Throwable cause) {
        super(message, cause);
    }
}

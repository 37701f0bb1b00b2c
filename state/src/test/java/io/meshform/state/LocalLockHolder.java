package io.meshform.state;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A child process for LocalStateBackendTest. {@code hold STATE}: takes the local state lock, prints "LOCKED id" and
 * holds it until killed. {@code try STATE}: one attempt without waiting; prints "GOT" or "HELD holder-pid".
 */
public final class LocalLockHolder {
    private LocalLockHolder() {
    }

    public static void main(String[] args) throws Exception {
        LocalStateBackend backend = new LocalStateBackend(Path.of(args[1]));
        if (args[0].equals("hold")) {
            LockHandle lock = backend.lock(LockInfo.forOperation("apply"), Duration.ZERO);
            System.out.println("LOCKED " + lock.id());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
        try (LockHandle lock = backend.lock(LockInfo.forOperation("plan"), Duration.ZERO)) {
            System.out.println("GOT " + lock.id());
        } catch (StateLockedException e) {
            System.out.println("HELD " + e.holder().pid());
        }
    }
}

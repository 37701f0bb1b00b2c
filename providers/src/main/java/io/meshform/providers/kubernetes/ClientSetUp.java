package io.meshform.providers.kubernetes;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The client's set-up ({@code KubeConnection.connect}: kubeconfig, reachability check, build), started on a daemon
 * thread of its own before the command needs the client, and handed over by {@link #await} to the first caller. What
 * it threw is thrown there, the same exception, so an unreachable server or a broken kubeconfig reads as before, at
 * the same point of the command. A daemon: a set-up still connecting never keeps the JVM from exiting (Ctrl-C).
 */
final class ClientSetUp {
    private final CompletableFuture<KubeConnection.Connected> result = new CompletableFuture<>();

    private ClientSetUp() {
    }

    /** {@code then}: run on the set-up's thread once it ends, with the client (null when it failed). */
    static ClientSetUp start(Supplier<KubeConnection.Connected> connect, java.util.function.Consumer<KubeConnection.Connected> then) {
        ClientSetUp setUp = new ClientSetUp();
        Thread t = new Thread(() -> {
            KubeConnection.Connected c;
            try {
                c = connect.get();
            } catch (Throwable e) {
                setUp.result.completeExceptionally(e);
                then.accept(null);
                return;
            }
            setUp.result.complete(c);
            then.accept(c);
        }, "meshform-connect");
        t.setDaemon(true);
        t.start();
        return setUp;
    }

    /**
     * The connected client, or what the set-up threw. Waits without giving way to an interrupt, as the socket
     * connect it replaces did (the reachability check is bounded by the connect timeout).
     */
    KubeConnection.Connected await() {
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** Nobody will take the client: it is closed once built (at once when it already is). */
    void discard() {
        result.thenAccept(c -> c.client().close());
    }
}

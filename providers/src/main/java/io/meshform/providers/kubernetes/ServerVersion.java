package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import java.util.concurrent.CompletableFuture;

/**
 * The API server's answer to {@code GET /version}, asked at most once per run when it succeeds. The request may be
 * sent ahead, by the client's set-up ({@link #ahead}), as a run's first request: its TLS handshake then overlaps the
 * stack's load instead of following it. A failed answer is not kept: the caller that needs the version asks again and
 * gets the error from its own request.
 */
final class ServerVersion {
    private final CompletableFuture<VersionInfo> aheadAnswer = new CompletableFuture<>();
    private volatile boolean sentAhead;
    private volatile VersionInfo known;

    /** Called before the set-up starts: {@link #get} waits for {@link #ahead}'s answer rather than ask itself. */
    void expectAhead() {
        sentAhead = true;
    }

    /** Sends the request now, on the calling thread; what it fails with is dropped. Null: the set-up failed. */
    void ahead(KubernetesClient client) {
        if (client == null) {
            aheadAnswer.complete(null);
            return;
        }
        try {
            VersionInfo v = client.getKubernetesVersion();
            known = v;
            aheadAnswer.complete(v);
        } catch (RuntimeException e) {
            aheadAnswer.complete(null);
        }
    }

    VersionInfo get(KubernetesClient client) {
        if (sentAhead) {
            aheadAnswer.join();
        }
        VersionInfo v = known;
        if (v == null) {
            v = client.getKubernetesVersion();
            known = v;
        }
        return v;
    }
}

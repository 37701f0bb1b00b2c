package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.TokenRefreshInterceptor;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * fabric8's {@link TokenRefreshInterceptor} (it sets the bearer token of every request), with its answer to a 401
 * made cheap and honest. fabric8 8.0.0 re-reads the kubeconfig on a 401 through {@code Config.refresh()}, whose parse
 * is its own slow one (the model-class scan {@link KubeconfigReader} avoids: hundreds of milliseconds cold), and then
 * sends the request again even when the token read back is the one just refused, so a wrong token cost a second
 * parse and a second refusal before the user heard of it. Here the kubeconfig is read again by meshform's reader
 * ({@code reread}: the same files, context and environment), and the request is sent again only with a token that
 * differs from the refused one: a token an exec plugin or another process has renewed since is still picked up.
 * Used only where fabric8's own refresh would read nothing but the kubeconfig: not for an auth provider (OIDC's
 * remote refresh), a token provider, a token given directly, or basic auth, which keep fabric8's behaviour.
 */
final class KubeconfigTokenRefresh extends TokenRefreshInterceptor {
    private final Config config;
    private final Supplier<Config> reread;

    private KubeconfigTokenRefresh(Config config, Supplier<Config> reread) {
        // The remote refresh is OIDC's, which this interceptor is never used for (applies()).
        super(config, Instant.now(), c -> CompletableFuture.completedFuture(null));
        this.config = config;
        this.reread = reread;
    }

    /** The interceptor for {@code config}, or null where fabric8's own should stay. */
    static KubeconfigTokenRefresh of(Config config, Supplier<Config> reread) {
        boolean kubeconfigToken = config.getAuthProvider() == null && config.getOauthTokenProvider() == null
                && config.getOauthToken() == null
                && (config.getUsername() == null || config.getUsername().isEmpty()
                        || config.getPassword() == null || config.getPassword().isEmpty());
        return kubeconfigToken ? new KubeconfigTokenRefresh(config, reread) : null;
    }

    @Override
    public CompletableFuture<Boolean> afterFailure(BasicBuilder headers, HttpResponse<?> response, RequestTags tags) {
        if (response.code() != 401) {
            return CompletableFuture.completedFuture(false);
        }
        String fresh;
        try {
            fresh = reread.get().getAutoOAuthToken();
        } catch (RuntimeException e) {
            // A kubeconfig that no longer reads: the refusal stands, as fabric8's refresh would leave it.
            return CompletableFuture.completedFuture(false);
        }
        if (fresh == null || fresh.isEmpty() || fresh.equals(config.getAutoOAuthToken())) {
            return CompletableFuture.completedFuture(false);
        }
        headers.setHeader(AUTHORIZATION, "Bearer " + fresh);
        config.setAutoOAuthToken(fresh);
        return CompletableFuture.completedFuture(true);
    }
}

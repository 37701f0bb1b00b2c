package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What counts as the cluster having answered: istioctl analyze may start on it, before a plan's reads end. */
class ClusterAnsweredTest {

    private static boolean answeredAfter(int... codes) {
        ClusterAnswered answered = new ClusterAnswered();
        for (int code : codes) {
            answered.after(null, response(code), null);
        }
        return answered.event().toCompletableFuture().isDone();
    }

    @Test
    void aSuccessOrANotFoundIsAnAnswer() {
        assertTrue(answeredAfter(200));
        assertTrue(answeredAfter(404), "a kind not installed yet: a plan may get nothing else");
        assertTrue(answeredAfter(401, 200), "any later success");
    }

    @Test
    void refusedCredentialsAndServerErrorsAreNot() {
        assertFalse(answeredAfter(401, 403, 500, 503));
    }

    @Test
    void aFailedConnectionIsNot() {
        ClusterAnswered answered = new ClusterAnswered();
        answered.afterConnectionFailure(null, new java.net.ConnectException("Connection refused"));
        assertFalse(answered.event().toCompletableFuture().isDone());
    }

    @Test
    void aConnectionThatHasSentNothingHasNoAnswer() throws Exception {
        try (KubeConnection kube = new KubeConnection(new io.meshform.engine.spi.ProviderSettings(Map.of()))) {
            assertFalse(kube.answered().toCompletableFuture().isDone());
        }
    }

    private static HttpResponse<Object> response(int code) {
        return new HttpResponse<>() {
            @Override
            public int code() {
                return code;
            }

            @Override
            public Object body() {
                return null;
            }

            @Override
            public HttpRequest request() {
                return null;
            }

            @Override
            public Optional<HttpResponse<?>> previousResponse() {
                return Optional.empty();
            }

            @Override
            public List<String> headers(String key) {
                return List.of();
            }

            @Override
            public Map<String, List<String>> headers() {
                return Map.of();
            }
        };
    }
}

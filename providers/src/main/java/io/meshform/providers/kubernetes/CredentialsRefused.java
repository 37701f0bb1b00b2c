package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * A request that was not sent because the API server had already answered this client 401 Unauthorized
 * ({@link FirstRequestGate}): the same credentials would be refused again. Carries 401 so that it reads as the
 * refusal it stands for wherever a status is asked for ({@link KubeErrors#code}).
 */
final class CredentialsRefused extends KubernetesClientException {
    private static final long serialVersionUID = 1L;

    CredentialsRefused() {
        super("not sent: the API server answered this client's first request 401 Unauthorized", 401, null);
    }
}

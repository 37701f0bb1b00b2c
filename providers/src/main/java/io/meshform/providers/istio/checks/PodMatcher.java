package io.meshform.providers.istio.checks;

import java.util.Map;

/** Whether any running pod matches a policy's selector; empty when that cannot be told (no control plane yet). */
public interface PodMatcher {
    java.util.Optional<Boolean> anyRunning(String namespace, Map<String, String> matchLabels);
}

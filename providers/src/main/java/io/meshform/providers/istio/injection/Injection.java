package io.meshform.providers.istio.injection;

import java.util.Map;
import java.util.Set;

/**
 * Whether Istio's injector adds sidecars to new pods of a namespace, from the namespace's labels, with the
 * selectors Istio's webhooks use: {@code istio-injection=enabled}, or {@code istio.io/rev=<rev>} when
 * {@code istio-injection} is absent (any other istio-injection value, e.g. "disabled", turns injection off and
 * makes the revision label ineffective).
 */
public record Injection(boolean enabled, String revision) {
    public static final String INJECTION_LABEL = "istio-injection";
    public static final String REVISION_LABEL = "istio.io/rev";
    public static final Set<String> LABELS = Set.of(INJECTION_LABEL, REVISION_LABEL);
    public static final Injection OFF = new Injection(false, null);

    public static Injection of(Map<String, String> namespaceLabels) {
        Map<String, String> labels = namespaceLabels == null ? Map.of() : namespaceLabels;
        String injection = labels.get(INJECTION_LABEL);
        String revision = labels.get(REVISION_LABEL);
        if ("enabled".equals(injection)) {
            return new Injection(true, "default");
        }
        if (injection == null && revision != null && !revision.isBlank()) {
            return new Injection(true, revision);
        }
        return OFF;
    }

    /**
     * The word for a change from this state to {@code after}: "on", "off", "moves" (on in both, from one revision's
     * injector to another's, as a canary upgrade moves namespaces), or null when nothing changes for new pods.
     */
    public String turns(Injection after) {
        if (enabled && after.enabled && !revision.equals(after.revision)) {
            return "moves";
        }
        if (enabled == after.enabled) {
            return null;
        }
        return after.enabled ? "on" : "off";
    }
}

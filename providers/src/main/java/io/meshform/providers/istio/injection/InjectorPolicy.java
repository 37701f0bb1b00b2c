package io.meshform.providers.istio.injection;

import java.util.List;
import java.util.Map;

/**
 * What a revision's istiod injector decides for a pod a webhook sent it: the {@code policy},
 * {@code neverInjectSelector} and {@code alwaysInjectSelector} of its {@code istio-sidecar-injector} ConfigMap, which
 * the chart renders from {@code values.global.proxy.autoInject} and {@code values.sidecarInjectorWebhook.*InjectSelector}
 * (istiod-injector-configmap.yaml, Istio 1.30.3; `istioctl manifest generate` prints them under {@code config}).
 *
 * @param policy       {@code enabled}, {@code disabled}, or an illegal value
 * @param neverInject  {@code neverInjectSelector}
 * @param alwaysInject {@code alwaysInjectSelector}
 */
public record InjectorPolicy(String policy, List<InjectSelector> neverInject, List<InjectSelector> alwaysInject) {
    /** The chart's defaults (values.yaml): policy enabled, no selectors. */
    public static final InjectorPolicy DEFAULT = new InjectorPolicy(Injectors.POLICY_ENABLED, List.of(), List.of());

    public InjectorPolicy {
        neverInject = List.copyOf(neverInject);
        alwaysInject = List.copyOf(alwaysInject);
    }

    /**
     * Whether the injector injects the pod ({@code injectRequired}, pkg/kube/inject/inject.go, Istio 1.30.3): the
     * pod's own {@code sidecar.istio.io/inject} (label, else annotation) "true" or "false" decides; without either (or
     * with another value, which istiod warns about and ignores) the first matching {@code neverInjectSelector} entry
     * says no, else the first matching {@code alwaysInjectSelector} entry says yes, else the policy decides:
     * {@code enabled} injects and {@code disabled} does not. Any other policy is illegal ("Auto injection disabled!")
     * and injects nothing, asked or selected or not.
     */
    public boolean required(Map<String, String> podLabels, Map<String, String> podAnnotations) {
        String label = podLabels.get("sidecar.istio.io/inject");
        String asked = label != null ? label : podAnnotations.get("sidecar.istio.io/inject");
        Boolean inject = "true".equals(asked) ? Boolean.TRUE : "false".equals(asked) ? Boolean.FALSE : null;
        if (inject == null && neverInject.stream().anyMatch(s -> s.matches(podLabels))) {
            inject = Boolean.FALSE;
        }
        if (inject == null && alwaysInject.stream().anyMatch(s -> s.matches(podLabels))) {
            inject = Boolean.TRUE;
        }
        return switch (policy) {
            case Injectors.POLICY_ENABLED -> inject == null || inject;
            case Injectors.POLICY_DISABLED -> inject != null && inject;
            default -> false;
        };
    }
}

/**
 * Sidecar injection: which namespaces get sidecars (Istio's injector labels), what a label change means for running
 * pods, the restarts that move them, and proxy version skew. {@link io.meshform.providers.istio.injection.InjectionLabelEffects}
 * is what the Kubernetes namespace and labels types call, through their hook, without naming Istio.
 */
package io.meshform.providers.istio.injection;

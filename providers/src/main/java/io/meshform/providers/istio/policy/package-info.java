/**
 * Istio's security and telemetry policies as resource types, Istio's rules for their specs, and the home of the model
 * of what those policies mean: which PeerAuthentication applies to which pod and port with Istio's precedence
 * (issue #20's effective mTLS model), how AuthorizationPolicy paths match (issue #21). Written once here, asked by
 * every check in {@code istio.checks} and by the plan; it depends on no check.
 */
package io.meshform.providers.istio.policy;

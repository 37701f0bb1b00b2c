/**
 * The mesh safety checks, one per file, each a {@link io.meshform.engine.spi.PlanCheck}; {@link
 * io.meshform.providers.istio.checks.MeshChecks} lists them. Shared helpers and live readers sit beside them
 * ({@code CheckSupport}, {@code NonMtlsWorkloads}, {@code SelectorPods}); checks never call one another. Istio's own
 * validator and analyzers (issue #15) and the ingress coverage check (issue #21) land here as further files; the
 * policy semantics they need come from {@code istio.policy}.
 */
package io.meshform.providers.istio.checks;

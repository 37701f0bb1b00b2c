/**
 * {@code istio.install}: {@link io.meshform.providers.istio.install.IstioInstallType} orchestrates plan, apply and
 * delete; the spec and its IstioOperator ({@code InstallSpec}), the diff of istioctl's render against the cluster
 * ({@code RenderDiff}) with what never counts as a difference ({@code NoiseRules}), the recorded digests
 * ({@code InstallRecord}), the waits after install ({@code Readiness}), supported release moves ({@code UpgradePolicy},
 * {@code KubernetesSupport}), the addons and the auth proxies ({@code ExtAuthzProviders}) each have a file.
 */
package io.meshform.providers.istio.install;

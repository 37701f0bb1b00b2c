package io.meshform.providers;

import io.meshform.engine.spi.Provider;
import io.meshform.engine.spi.ProviderFactory;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.providers.istio.IstioProvider;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.istio.core.RunDirectory;
import io.meshform.providers.istio.injection.InjectionLabelEffects;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.KubernetesProvider;
import java.util.List;

/**
 * Creates the {@code kubernetes} and {@code istio} providers around one shared Kubernetes client. Settings:
 * {@code kubeconfig}, {@code context}, {@code istioctl} (else MESHFORM_ISTIOCTL, else istioctl on PATH),
 * {@code fieldManager} (default meshform).
 */
public final class MeshformProviderFactory implements ProviderFactory {

    @Override
    public List<Provider> create(ProviderSettings settings) {
        KubeConnection kube = new KubeConnection(settings);
        // One per run (the factory is asked once per command): closed with the istio provider, so two runs in one JVM
        // never share, nor remove, each other's files.
        Istioctl istioctl = Istioctl.fromSettings(settings, RunDirectory.underTemp());
        // Istio's kinds in a kubernetes.manifest follow the rules of the typed Istio resources.
        return List.of(new KubernetesProvider(kube, new InjectionLabelEffects(kube), IstioProvider.manifestRules(istioctl)),
                new IstioProvider(kube, istioctl));
    }
}

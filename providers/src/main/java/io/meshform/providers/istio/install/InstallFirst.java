package io.meshform.providers.istio.install;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.DependencyRule;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.LabelsType;
import io.meshform.providers.kubernetes.ManifestType;
import io.meshform.providers.kubernetes.NamespaceType;
import io.meshform.providers.istio.injection.Injection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Kubernetes resources that mean something to Istio come after the stack's Istio install: injection labels, on a
 * {@code kubernetes.labels} or on the {@code kubernetes.namespace} itself (the injector webhook must be there before
 * the restarts they cause: apply reads the webhooks live to pick the pods it restarts, and a namespace applied beside
 * an install of revision r1 would find no r1 injector yet and restart its pods out of the mesh), and manifests of Istio
 * kinds (their CRDs come with the install). The Kubernetes types cannot say so without naming Istio; this rule says it
 * for them.
 */
public final class InstallFirst implements DependencyRule {

    @Override
    public Set<ResourceAddress> dependencies(ResourceDecl resource, Stack stack) {
        if (!needsInstall(resource)) {
            return Set.of();
        }
        Set<ResourceAddress> installs = new TreeSet<>();
        stack.ofType(Mesh.INSTALL_TYPE).forEach(d -> installs.add(d.address()));
        return installs;
    }

    private static boolean needsInstall(ResourceDecl resource) {
        return switch (resource.type()) {
            case LabelsType.NAME, NamespaceType.NAME -> Json.stringMap(resource.spec().get("labels")).keySet().stream()
                    .anyMatch(Injection.LABELS::contains);
            case ManifestType.NAME -> {
                var m = resource.spec().get("manifest");
                yield m != null && Json.text(m, "apiVersion", "").contains("istio.io/");
            }
            default -> false;
        };
    }
}

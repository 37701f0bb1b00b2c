package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.Pluralize;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * fabric8's operation for a Kubernetes kind, without its scan of the model classes. {@code
 * client.genericKubernetesResources(apiVersion, kind)} and {@code client.resource(object)} ask the serializer for the
 * kind's model class (fabric8 8.0.0, io/fabric8/kubernetes/client/impl/Handlers.java, {@code
 * getResourceDefinitionContext}), and the first such question loads and reads every model class named in fabric8's
 * service files (607 classes; 70-100 ms of CPU on this machine, measured alone). An N=100 plan asked it for its first
 * ConfigMap LIST while the first request's TLS handshake ran, and needed nothing else from it; a thread that ran the
 * scan ahead once the cluster answered only moved that CPU beside istioctl analyze (BENCHMARKS.md, issue 18, late
 * session: small).
 *
 * <p>For the built-in kinds of the supported Kubernetes release ({@link KnownKinds}, Istio's CRDs aside) the answer is
 * known without the scan: fabric8's {@code ResourceDefinitionContext.fromResourceType} of the kind's model class is
 * its group, version, kind, the plural {@code Pluralize.toPlural(kind.toLowerCase())} and whether the class is
 * {@code Namespaced}, which the table records from the API server's discovery. {@code BuiltInKindsTest} checks every
 * entry against fabric8's own context from its model class. Any other kind (a CRD, or one the table lacks) goes
 * through fabric8's lookup as before: its model classes, else discovery. Typed operations ({@code
 * client.namespaces()}) never needed the scan.
 */
final class BuiltInKinds {
    private static final Map<String, ResourceDefinitionContext> CONTEXTS = contexts(KnownKinds.builtIn());

    private BuiltInKinds() {
    }

    /** The operation for {@code apiVersion} and {@code kind}: the same fabric8 would resolve, and the same failures. */
    static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
            operation(KubernetesClient client, String apiVersion, String kind) {
        ResourceDefinitionContext known = CONTEXTS.get(apiVersion + " " + kind);
        return known != null ? client.genericKubernetesResources(known) : client.genericKubernetesResources(apiVersion, kind);
    }

    /** fabric8's {@code client.resource(object)} for a generic object, through {@link #operation} for a built-in kind. */
    static Resource<GenericKubernetesResource> resource(KubernetesClient client, GenericKubernetesResource object) {
        ResourceDefinitionContext known = CONTEXTS.get(object.getApiVersion() + " " + object.getKind());
        return known != null ? client.genericKubernetesResources(known).resource(object) : client.resource(object);
    }

    /** The context this class uses for a kind, when it knows one. */
    static Optional<ResourceDefinitionContext> context(String apiVersion, String kind) {
        return Optional.ofNullable(CONTEXTS.get(apiVersion + " " + kind));
    }

    /** Every built-in kind of the table: the Istio groups are CRDs, which fabric8 resolves by discovery. */
    static Map<String, ResourceDefinitionContext> contexts(KnownKinds kinds) {
        Map<String, ResourceDefinitionContext> out = new TreeMap<>();
        for (KnownKinds.Kind k : kinds.all()) {
            if (k.group().equals("istio.io") || k.group().endsWith(".istio.io")) {
                continue;
            }
            String apiVersion = k.apiVersion();
            int slash = apiVersion.indexOf('/');
            out.put(apiVersion + " " + k.kind(), new ResourceDefinitionContext.Builder()
                    .withGroup(slash < 0 ? "" : apiVersion.substring(0, slash))
                    .withVersion(slash < 0 ? apiVersion : apiVersion.substring(slash + 1))
                    .withKind(k.kind())
                    .withPlural(Pluralize.toPlural(k.kind().toLowerCase(Locale.ROOT)))
                    .withNamespaced(k.namespaced())
                    .build());
        }
        return Map.copyOf(out);
    }
}

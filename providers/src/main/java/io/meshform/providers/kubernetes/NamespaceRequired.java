package io.meshform.providers.kubernetes;

/**
 * A manifest of a namespaced kind must name its namespace. Without one, the object went wherever the kubeconfig's
 * context pointed (fabric8, as kubectl, takes the context's namespace), so one stack named different objects on a
 * laptop and in a pipeline, and a plan made with another context created a second object and left the first
 * unmanaged; with a context that names none, the plan failed with the client's "namespace not specified" under
 * "API server says". Terraform's {@code kubernetes_manifest} refuses such a manifest too ("Namespace required").
 * Judged offline: a kind's scope is known from the served kinds ({@link KnownKinds}) or from the stack's own
 * CustomResourceDefinition ({@link ManifestKindsCheck}).
 */
final class NamespaceRequired {
    static final String HINT = "add metadata.namespace: meshform does not take the namespace of the kubeconfig's context,"
            + " so the stack names the same object whichever context plans it";

    private NamespaceRequired() {
    }

    static String summary(String kind) {
        return "a " + kind + " lives in a namespace: metadata.namespace is required";
    }
}

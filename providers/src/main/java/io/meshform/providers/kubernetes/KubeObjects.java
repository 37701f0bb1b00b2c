package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Small, uniform operations on typed and generic objects: LIST, GET and server-side apply. */
public final class KubeObjects {
    private KubeObjects() {
    }

    /** An object's coordinates; {@code namespace} is null for cluster-scoped kinds. */
    public record Target(String apiVersion, String kind, String namespace, String name) {
        public boolean isNamespace() {
            return "v1".equals(apiVersion) && "Namespace".equals(kind);
        }

        /** "Namespace cortex", "Deployment cortex/web". */
        public String describe() {
            return kind + " " + (namespace == null ? "" : namespace + "/") + name;
        }

        /** The id {@code meshform import} takes for this object: namespace/name, or the name of a cluster-scoped one. */
        public String importId() {
            return namespace == null ? name : namespace + "/" + name;
        }

        /** The LIST that finds this object: same kind, same namespace. */
        public Target collection() {
            return new Target(apiVersion, kind, namespace, null);
        }

        /** Whether both name one object: its API version may change (v1beta1 to v1), its group, kind and place not. */
        public boolean sameObject(Target other) {
            return group().equals(other.group()) && java.util.Objects.equals(kind, other.kind)
                    && java.util.Objects.equals(namespace, other.namespace) && java.util.Objects.equals(name, other.name);
        }

        /**
         * The object whatever its API version, for {@code ResourceType#declaredObject}: "ConfigMap cortex/app",
         * "VirtualService.networking.istio.io cortex/web" (kubectl's kind.group), "Namespace cortex"; empty when the
         * kind or name is missing.
         */
        public java.util.Optional<String> identity() {
            if (kind == null || kind.isBlank() || name == null || name.isBlank()) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(kind + (group().isEmpty() ? "" : "." + group()) + " "
                    + (namespace == null ? "" : namespace + "/") + name);
        }

        private String group() {
            String v = apiVersion == null ? "" : apiVersion;
            return v.contains("/") ? v.substring(0, v.indexOf('/')) : "";
        }
    }

    /**
     * One LIST of a kind in a namespace (or cluster-wide when namespace is null), as JSON trees parsed once from the
     * answer ({@link RawReads#items}): a plan reads every object of the stack this way, and reading them into generic
     * objects first cost two more conversions per object. A built-in kind's operation comes from {@link BuiltInKinds}
     * (the same fabric8 would resolve, without its model-class scan); fabric8 still resolves any other kind (discovery
     * for a CRD, which throws for a kind the cluster does not serve), as before.
     */
    public static List<JsonNode> list(KubernetesClient client, Target collection) {
        var op = BuiltInKinds.operation(client, collection.apiVersion(), collection.kind());
        return RawReads.items(client, collection.namespace() == null ? op : op.inNamespace(collection.namespace()),
                collection.apiVersion(), collection.kind(), null);
    }

    public static HasMetadata get(KubernetesClient client, Target t) {
        if (t.isNamespace()) {
            return client.namespaces().withName(t.name()).get();
        }
        var op = BuiltInKinds.operation(client, t.apiVersion(), t.kind());
        return t.namespace() == null ? op.withName(t.name()).get() : op.inNamespace(t.namespace()).withName(t.name()).get();
    }

    /** Server-side apply as {@code fieldManager}; force only when asked; dryRun=All when asked. */
    public static <T extends HasMetadata> T apply(Resource<T> resource, String fieldManager, boolean force, boolean dryRun) {
        PatchContext pc = PatchContext.of(PatchType.SERVER_SIDE_APPLY);
        pc.setFieldManager(fieldManager);
        if (force) {
            pc.setForce(true);
        }
        if (dryRun) {
            pc.setDryRun(List.of("All"));
        }
        pc.setFieldValidation("Strict");
        return resource.patch(pc);
    }

    /** Removes what must not go into an apply body: {@link ServerFields#strip(HasMetadata)}. */
    public static void stripServerFields(HasMetadata obj) {
        ServerFields.strip(obj);
    }

    public static String namespaceOf(HasMetadata o) {
        return o.getMetadata() == null ? null : o.getMetadata().getNamespace();
    }

    public static String nameOf(HasMetadata o) {
        return o.getMetadata() == null ? null : o.getMetadata().getName();
    }

    public static String nameOf(JsonNode o) {
        return Json.text(o.path("metadata"), "name");
    }

    public static String resourceVersionOf(JsonNode o) {
        return Json.text(o.path("metadata"), "resourceVersion");
    }

    /** True when {@code obj}'s {@code status.conditions} has one of {@code type} with status "True". */
    public static boolean hasCondition(JsonNode obj, String type) {
        for (JsonNode c : obj.path("status").path("conditions")) {
            if (type.equals(Json.text(c, "type")) && "True".equals(Json.text(c, "status"))) {
                return true;
            }
        }
        return false;
    }
}

package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.meshform.engine.spi.Ownership;
import tools.jackson.databind.JsonNode;

/**
 * meshform's mark on the objects it applies: annotations {@code meshform.io/lineage} (the state's lineage) and
 * {@code meshform.io/address} (the resource), owned by meshform's field manager. An object counts as marked only when
 * that manager owns the annotation, so a mark copied by hand ({@code kubectl annotate}) does not make an object
 * meshform's. Types that apply each resource as its own manager count the manager of the resource the mark names too
 * ({@link #ofResource}).
 */
public final class LineageMark {
    private LineageMark() {
    }

    /**
     * What read tells the engine about {@code live}, applied by {@code manager}; {@code object} names it in messages,
     * {@code id} is what {@code meshform import} takes for it (null when the type has no import).
     */
    public static Ownership of(HasMetadata live, String manager, String object, String id) {
        return of(Json.toNode(live), manager, object, id);
    }

    /** The same, for an object read as JSON (the one implementation of the rule). */
    public static Ownership of(JsonNode live, String manager, String object, String id) {
        return of(live, java.util.Set.of(manager), object, id);
    }

    /**
     * For the types that apply each resource as its own field manager ({@link KubeConnection#resourceManager}, e.g.
     * {@code kubernetes.namespace}): the mark counts when this resource's manager set it, or the manager of the resource
     * the mark names. The latter is that other resource's mark (another address of this state made the object, or this
     * resource under its name before a {@code meshform state mv}); read with this resource's manager alone it passed
     * for no mark at all, and the messages said "made by hand or by another tool".
     */
    public static Ownership ofResource(JsonNode live, KubeConnection kube, String address, String object, String id) {
        String named = Json.text(live.path("metadata").path("annotations"), Ownership.ADDRESS_ANNOTATION);
        java.util.Set<String> managers = new java.util.HashSet<>();
        managers.add(kube.resourceManager(address));
        if (named != null) {
            managers.add(kube.resourceManager(named));
        }
        return of(live, managers, object, id);
    }

    private static Ownership of(JsonNode live, java.util.Set<String> managers, String object, String id) {
        JsonNode annotations = live.path("metadata").path("annotations");
        String lineage = Json.text(annotations, Ownership.LINEAGE_ANNOTATION);
        // The uid names the object whichever resource reads it: the engine refuses to destroy what another resource declares.
        String uid = Json.text(live.path("metadata"), "uid");
        java.util.Set<String> owners = ManagedFields.of(live, "metadata", "annotations").owners(Ownership.LINEAGE_ANNOTATION);
        if (lineage == null || managers.stream().noneMatch(owners::contains)) {
            return Ownership.unmarked(object, id).withKey(uid);
        }
        return Ownership.marked(lineage, Json.text(annotations, Ownership.ADDRESS_ANNOTATION), object, id).withKey(uid);
    }

    /** True for the mark's annotation keys, which are meshform's bookkeeping, never part of what a spec declares. */
    public static boolean isMark(String annotationKey) {
        return Ownership.LINEAGE_ANNOTATION.equals(annotationKey) || Ownership.ADDRESS_ANNOTATION.equals(annotationKey);
    }

    /**
     * Writes {@code mark} on {@code live} as {@code manager}, with a JSON merge patch of the two annotations: the
     * object's other fields stay as they are and with their owners (a server-side apply of the annotations alone, as
     * the same manager, would drop every other field that manager owns, e.g. after another stack applied the object).
     * For {@code meshform import}; {@code what} names the resource in errors.
     */
    public static void write(KubeConnection kube, HasMetadata live, String manager, java.util.Map<String, String> mark, String what) {
        if (live == null || mark.isEmpty()) {
            return;
        }
        var patch = Json.object();
        var annotations = patch.putObject("metadata").putObject("annotations");
        annotations.put(Ownership.LINEAGE_ANNOTATION, mark.get(Ownership.LINEAGE_ANNOTATION));
        annotations.put(Ownership.ADDRESS_ANNOTATION, mark.get(Ownership.ADDRESS_ANNOTATION));
        PatchContext pc = PatchContext.of(PatchType.JSON_MERGE);
        pc.setFieldManager(manager);
        try {
            kube.client().resource(live).patch(pc, patch.toString());
        } catch (KubernetesClientException e) {
            throw kube.explain(what, "write meshform's mark on", live.getKind() + " " + KubeObjects.nameOf(live), e);
        }
    }

    /**
     * Takes the mark off an object meshform stops managing but leaves in place (an adopted one), with a JSON merge
     * patch: a server-side apply of less would also drop every other field meshform owns.
     */
    public static void remove(KubeConnection kube, HasMetadata live) {
        if (live == null || live.getMetadata() == null || live.getMetadata().getAnnotations() == null
                || live.getMetadata().getAnnotations().keySet().stream().noneMatch(LineageMark::isMark)) {
            return;
        }
        String patch = "{\"metadata\":{\"annotations\":{\"" + Ownership.LINEAGE_ANNOTATION + "\":null,\""
                + Ownership.ADDRESS_ANNOTATION + "\":null}}}";
        try {
            kube.client().resource(live).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        } catch (KubernetesClientException e) {
            if (!KubeErrors.notFound(e)) {
                throw kube.explain(Ownership.LINEAGE_ANNOTATION, "remove meshform's mark from", live.getKind() + " "
                        + KubeObjects.nameOf(live), e);
            }
        }
    }
}

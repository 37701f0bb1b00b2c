package io.meshform.engine.plan;

import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.ResourceType;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Where a resource's values are sensitive ({@link Sensitive} masks and digests them there): the paths its type marks,
 * the places its declaration's {@code sensitive} variables gave a value, and every place the state holds a digest.
 * Plan, apply, drift and import all ask here, so a place masked in one is masked in all.
 */
public final class SensitivePaths {
    private SensitivePaths() {
    }

    /**
     * The sensitive paths of every given value (a manifest's depend on its kind, which may differ between sides),
     * with every path at which a value holds a digest (recorded as sensitive: {@link Sensitive#digestPaths}).
     */
    public static Set<String> of(ResourceType type, JsonNode... values) {
        Set<String> out = new java.util.TreeSet<>(type.sensitivePaths());
        for (JsonNode v : values) {
            if (v != null) {
                out.addAll(type.sensitivePaths(v));
                out.addAll(Sensitive.digestPaths(v));
            }
        }
        return out;
    }

    /** As {@link #of(ResourceType, JsonNode...)}, with the declaration's spec and its sensitive variables' paths. */
    public static Set<String> of(ResourceType type, ResourceDecl decl, JsonNode... values) {
        Set<String> out = of(type, values);
        if (decl != null) {
            out.addAll(of(type, decl.spec()));
            out.addAll(decl.sensitivePaths());
        }
        return out;
    }

    /** A spec as the state records it: sensitive values replaced by their digests. */
    public static JsonNode recordable(ResourceType type, JsonNode spec) {
        return Sensitive.digest(spec, of(type, spec));
    }

    /** A declared spec as the state records it: also the values its sensitive variables gave, as digests. */
    public static JsonNode recordable(ResourceType type, ResourceDecl decl) {
        return recordable(type, decl, decl.spec());
    }

    /** {@code applied} (a declaration's spec as applied) as the state records it. */
    public static JsonNode recordable(ResourceType type, ResourceDecl decl, JsonNode applied) {
        return Sensitive.digest(applied, of(type, decl, applied));
    }

    /**
     * {@code details} with every one of {@code secrets} masked (a server message may quote either side); plan and
     * drift both report a type's details.
     */
    public static List<PlanDetail> redact(List<PlanDetail> details, Set<String> secrets) {
        return secrets.isEmpty() ? details
                : details.stream().map(d -> new PlanDetail(d.kind(), Sensitive.redact(d.text(), secrets))).toList();
    }
}

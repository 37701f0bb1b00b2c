package io.meshform.providers.kubernetes;

import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Checks of an object's content that depend on its kind and that another provider knows: the Istio provider
 * checks Istio's kinds inside a {@code kubernetes.manifest} with the same rules as its typed resources, so a
 * PeerAuthentication is judged alike however it is declared.
 */
@FunctionalInterface
public interface ObjectRules {
    ObjectRules NONE = (apiVersion, kind, object, c) -> false;

    /**
     * Checks {@code object} (a whole Kubernetes object; problem paths relative to it) when this knows the kind.
     *
     * @return true when the kind is one this checks
     */
    boolean check(String apiVersion, String kind, JsonNode object, SpecChecker c);

    /**
     * The paths (relative to the whole object, {@code *} for any key or index) of the values the owning provider marks
     * sensitive in its typed resource of this kind, so a manifest of the kind masks and digests them alike.
     */
    default Set<String> sensitivePaths(String apiVersion, String kind) {
        return Set.of();
    }
}

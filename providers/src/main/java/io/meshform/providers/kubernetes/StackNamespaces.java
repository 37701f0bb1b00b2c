package io.meshform.providers.kubernetes;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Which of a stack's resources create a namespace: a {@code kubernetes.namespace} or a {@code kubernetes.manifest} of a
 * v1 Namespace. Objects in that namespace depend on them (without the edge, a parallel apply raced a Namespace
 * manifest), and a plan says when none does, since the apply of an object in a missing namespace fails.
 */
final class StackNamespaces {
    private StackNamespaces() {
    }

    static List<ResourceAddress> creators(Stack stack, String namespace) {
        List<ResourceAddress> found = new ArrayList<>();
        for (ResourceDecl d : stack.ofType(NamespaceType.NAME)) {
            if (namespace.equals(Json.text(d.spec(), "name"))) {
                found.add(d.address());
            }
        }
        for (ResourceDecl d : stack.ofType(ManifestType.NAME)) {
            JsonNode m = d.spec().get("manifest");
            if (m != null && "v1".equals(Json.text(m, "apiVersion")) && "Namespace".equals(Json.text(m, "kind"))
                    && namespace.equals(Json.text(m.path("metadata"), "name"))) {
                found.add(d.address());
            }
        }
        return found;
    }
}

package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.ResourceType;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses a sensitive variable's value where it names the object a resource is ({@link ResourceType#identityPaths}):
 * {@code name: "cm-${var.suffix}"} with {@code suffix} sensitive, or given by {@code MESHFORM_VAR_suffix}. The state
 * records a sensitive value only as its digest, and a digest names no object: the apply went through, then every plan
 * of the same stack and values failed with the object "exists, not managed by meshform", drift reported it changed,
 * and a destroy said it was "already deleted" and forgot it while it stayed in the cluster. Terraform keeps such a
 * value in its state in clear; meshform's state holds none, so the name must be no secret.
 */
final class SensitiveIdentity {
    private SensitiveIdentity() {
    }

    /**
     * An error at each identity field of {@code r} a sensitive variable gives, naming the field, never the value.
     *
     * @return true when one was refused: the object {@code r} declares is then not compared with the others'
     *     (DeclaredTwice), as that would say which plain name the secret one equals
     */
    static boolean refuse(ResourceDecl r, ResourceType type, Diagnostics out) {
        Set<String> identity = type.identityPaths();
        boolean refused = false;
        for (String at : new TreeSet<>(r.sensitivePaths())) {
            if (identity.stream().noneMatch(id -> at.equals(id) || at.startsWith(id + "/"))) {
                continue;
            }
            out.error(r.address() + ": spec" + at.replace('/', '.') + " takes a sensitive value, which cannot name an object",
                    "meshform finds the object by the fields that name it, and the state records a sensitive value"
                            + " only by its digest, by which the object cannot be found again (the next plan would take it"
                            + " for an object not managed by meshform, and a destroy would forget it and leave it in the"
                            + " cluster): give this field a value that is no secret (drop `sensitive: true` from the"
                            + " variable and, for a value from the environment, which is sensitive whatever the stack"
                            + " declares, list the variable in MESHFORM_NONSENSITIVE_VARS). A state that an earlier meshform applied it to records"
                            + " the name as that digest: given the same value, no secret, the next plan finds the object"
                            + " and apply records it by name",
                    r.source().valueRange("/spec" + at));
            refused = true;
        }
        return refused;
    }
}

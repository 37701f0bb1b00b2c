package io.meshform.providers.istio.checks;

import java.util.Set;

/**
 * What a check reads of the declared istio.install as it judges it: drift gives the checks the install as applied,
 * from the state, which holds a digest wherever a sensitive variable gave the value; drift puts back in clear each value
 * the stack still gives, so a digest is left where the stack gives another value or none. {@link MeshChecks} takes only
 * checks that say what they read, and {@link DigestGuard} runs none on a digest it would read as the value.
 */
interface ReadsInstall {
    /**
     * JSON pointer patterns into the install's spec ({@code *} stands for any one key or index, as in
     * {@link io.meshform.engine.plan.Sensitive#matches}) whose values the check judges: a digest at one of them, or
     * inside one, is a value the check cannot judge. Empty for a check that reads no install, or one that judges the
     * digests it reads itself, field by field (it says which, in its Javadoc).
     */
    Set<String> installFields();
}

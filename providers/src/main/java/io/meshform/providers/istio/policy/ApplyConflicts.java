package io.meshform.providers.istio.policy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.providers.kubernetes.KubeErrors;
import io.meshform.providers.kubernetes.ServerSideApply;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * Whether the apply of a changed Istio policy would meet another field manager, asked of the API server with the
 * apply itself as a dry-run ({@code dryRun=All}). A field edited with {@code kubectl patch} or {@code kubectl edit}
 * belongs to that manager, and the server refuses meshform's apply of it (409) unless {@code force: true}: without
 * this the plan read "will be updated in-place" and the apply it promised failed, where the docs say a field owned by
 * another manager is a conflict the plan reports (as kubernetes.manifest and kubernetes.labels plans do). A dry-run
 * the server refuses for another reason (no patch right, istiod's webhook down) leaves the answer unknown, and the
 * warning says so rather than let the plan read as if nothing stood in the apply's way.
 */
final class ApplyConflicts {
    private ApplyConflicts() {
    }

    /** The plan's warnings about applying {@code object} (described as {@code what}): none when the dry-run passes. */
    static List<String> of(ServerSideApply ssa, String fieldManager, ObjectNode object, boolean force, String what) {
        try {
            ssa.apply(object, fieldManager, force, true);
            return List.of();
        } catch (KubernetesClientException e) {
            if (KubeErrors.code(e) == 409) {
                return List.of(KubeErrors.conflictWarning(e));
            }
            return unknown(what, KubeErrors.serverSays(e));
        } catch (io.meshform.engine.diag.DiagnosticsException e) {
            return unknown(what, e.getMessage()); // no connection to send it on (a kubeconfig meshform could not use)
        }
    }

    private static List<String> unknown(String what, String why) {
        return List.of("the server's dry-run of this apply failed, so whether " + what + " can be applied (another"
                + " field manager's fields, admission) is not known: " + why);
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A moved ConfigMap whose old object's delete the real API server refuses (a ValidatingAdmissionPolicy denying it), then
 * moved again before the refusal is lifted: the old object is recorded as deposed, each plan deletes it, and once the
 * policy is gone it goes; nothing is left in the namespace that the state does not record.
 */
@LiveClusterTest
class DeposedObjectIT {
    @TempDir
    Path dir;

    private LiveRun run(ClusterContext cluster, Path stack, String... args) {
        return LiveRun.of(cluster, stack, args);
    }

    private Path stack(String ns, String name) throws IOException {
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: deposed}
                resources:
                  - type: kubernetes.manifest
                    name: cm
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: %s, namespace: %s}, data: {a: b}}
                """.formatted(name, ns));
        return stack;
    }

    /** Denies deleting the ConfigMap {@code name} of {@code ns}, as a webhook of the platform team would. */
    private static void refuseDeleting(ClusterContext cluster, String ns, String name) {
        String policy = "deny-delete-" + ns;
        cluster.client().resource("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicy
                metadata: {name: %s}
                spec:
                  failurePolicy: Fail
                  matchConstraints:
                    resourceRules:
                      - {apiGroups: [""], apiVersions: [v1], operations: [DELETE], resources: [configmaps]}
                  validations:
                    - {expression: "oldObject.metadata.name != '%s'", message: "%s is protected"}
                """.formatted(policy, name, name)).create();
        cluster.client().resource("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicyBinding
                metadata: {name: %s}
                spec:
                  policyName: %s
                  validationActions: [Deny]
                  matchResources:
                    namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %s}}
                """.formatted(policy, policy, ns)).create();
        // The API server loads the policy asynchronously: wait until a dry-run delete is refused.
        long until = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                cluster.client().configMaps().inNamespace(ns).withName(name).dryRun().delete();
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getMessage().contains("protected")) {
                    return;
                }
                throw e;
            }
            if (System.nanoTime() > until) {
                fail("the ValidatingAdmissionPolicy did not take effect within 30 s");
            }
            sleep(200);
        }
    }

    private static void allowDeleting(ClusterContext cluster, String ns, String name) {
        String policy = "deny-delete-" + ns;
        cluster.client().admissionRegistration().v1().validatingAdmissionPolicyBindings().withName(policy).delete();
        cluster.client().admissionRegistration().v1().validatingAdmissionPolicies().withName(policy).delete();
        // Unloaded asynchronously too (CI saw the retry's delete refused right after): wait until a dry-run delete passes.
        long until = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                cluster.client().configMaps().inNamespace(ns).withName(name).dryRun().delete();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (!e.getMessage().contains("protected")) {
                    throw e;
                }
            }
            if (System.nanoTime() > until) {
                fail("the ValidatingAdmissionPolicy still refused deletes 30 s after it was deleted");
            }
            sleep(200);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theOldObjectOfAMoveWhoseDeleteWasRefusedIsDeletedAfterAnotherMove(ClusterContext cluster) throws Exception {
        String ns = cluster.newNamespace();
        assertEquals(0, run(cluster, stack(ns, "cm-a"), "apply", "--auto-approve").code());
        refuseDeleting(cluster, ns, "cm-a");
        try {
            LiveRun moved = run(cluster, stack(ns, "cm-b"), "apply", "--auto-approve");
            assertEquals(1, moved.code(), moved.out());
            assertTrue(moved.out().contains("the new object was created, but deleting the old one failed"), moved.out());
            // The new object is in the cluster and the state: counted, not "0 added" (HalfReplacedException).
            assertTrue(moved.out().contains("Apply failed. Resources: 1 added, 0 changed, 0 destroyed."), moved.out());
            assertTrue(moved.out().contains("(half done: the new object was created and recorded; the old one is still in"
                    + " the cluster)"), moved.out());
            assertFalse(moved.out().contains("\\n"), "the cause's line breaks are printed as such: " + moved.out());
            LiveRun list = run(cluster, stack(ns, "cm-b"), "state", "list");
            assertTrue(list.out().matches("(?s)kubernetes\\.manifest\\.cm\\nkubernetes\\.manifest\\.cm \\(deposed object [0-9a-f]{8}\\)\\n"),
                    list.out());

            // Moved again before the retry: cm-b goes, cm-a's delete is refused again and it stays deposed.
            LiveRun again = run(cluster, stack(ns, "cm-c"), "apply", "--auto-approve");
            assertEquals(1, again.code(), again.out());
            assertTrue(again.out().contains("kubernetes.manifest.cm (deposed object "), again.out());
            assertNull(cluster.client().configMaps().inNamespace(ns).withName("cm-b").get(), again.out());
            LiveRun plan = run(cluster, stack(ns, "cm-c"), "plan");
            assertTrue(plan.out().contains("- kubernetes.manifest.cm (deposed object "), plan.out());
            assertTrue(plan.out().contains("Plan: 0 to add, 0 to change, 1 to destroy."), plan.out());
            // --ignore silences the resource's own noise, not the leftover object apply still deletes
            LiveRun drift = run(cluster, stack(ns, "cm-c"), "drift", "--ignore", "kubernetes.manifest.cm");
            assertEquals(2, drift.code(), drift.out());
            assertTrue(drift.out().contains("kubernetes.manifest.cm (deposed object "), drift.out());
        } finally {
            allowDeleting(cluster, ns, "cm-a");
        }
        LiveRun retried = run(cluster, stack(ns, "cm-c"), "apply", "--auto-approve");
        assertEquals(0, retried.code(), retried.out());
        assertNull(cluster.client().configMaps().inNamespace(ns).withName("cm-a").get(), retried.out());
        assertNotNull(cluster.client().configMaps().inNamespace(ns).withName("cm-c").get());
        LiveRun list = run(cluster, stack(ns, "cm-c"), "state", "list");
        assertEquals("kubernetes.manifest.cm\n", list.out());
        LiveRun plan = run(cluster, stack(ns, "cm-c"), "plan", "--detailed-exitcode");
        assertEquals(0, plan.code(), plan.out());
    }

    /** Deleted by hand after its delete was refused: nothing is destroyed, only its record goes, and the plan says so. */
    @Test
    void aDeposedObjectDeletedByHandIsForgottenNotDestroyed(ClusterContext cluster) throws Exception {
        String ns = cluster.newNamespace();
        assertEquals(0, run(cluster, stack(ns, "cm-a"), "apply", "--auto-approve").code());
        refuseDeleting(cluster, ns, "cm-a");
        try {
            LiveRun moved = run(cluster, stack(ns, "cm-b"), "apply", "--auto-approve");
            assertEquals(1, moved.code(), moved.out());
        } finally {
            allowDeleting(cluster, ns, "cm-a");
        }
        cluster.client().configMaps().inNamespace(ns).withName("cm-a").delete();
        LiveRun plan = run(cluster, stack(ns, "cm-b"), "plan", "--detailed-exitcode");
        assertEquals(2, plan.code(), "apply has a record to remove: " + plan.out());
        assertTrue(plan.out().contains(") is already deleted; its record will be removed from the state"), plan.out());
        assertTrue(plan.out().contains("Plan: 0 to add, 0 to change, 0 to destroy, 1 to forget."), plan.out());
        LiveRun applied = run(cluster, stack(ns, "cm-b"), "apply", "--auto-approve");
        assertEquals(0, applied.code(), applied.out());
        assertTrue(applied.out().contains("0 destroyed, 1 forgotten (already gone from the cluster)."), applied.out());
        assertEquals("kubernetes.manifest.cm\n", run(cluster, stack(ns, "cm-b"), "state", "list").out());
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `meshform import` adopts an object that exists already; afterwards a plan of a matching file is a no-op. */
@LiveClusterTest
class ImportIT {
    @TempDir
    Path dir;

    private LiveRun run(ClusterContext cluster, Path stack, String... args) {
        return LiveRun.of(cluster, stack, args);
    }

    @Test
    void importedNamespaceThenPlansAsNoChange(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        cluster.client().namespaces().withName(ns).edit(n -> {
            n.getMetadata().getLabels().put("team", "platform");
            return n;
        });
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: adopt}
                resources:
                  - type: kubernetes.namespace
                    name: team
                    spec: {name: %s, labels: {team: platform}}
                """.formatted(ns));

        // Only the object the address declares: another one would be what its next destroy deletes.
        LiveRun other = run(cluster, stack, "import", "kubernetes.namespace.team", "kube-system");
        assertEquals(1, other.code());
        assertTrue(other.out().contains("cannot import `kube-system`: this resource declares Namespace " + ns), other.out());
        Path absent = dir.resolve("absent.yaml");
        Files.writeString(absent, Files.readString(stack).replace("name: " + ns, "name: " + ns + "-absent"));
        LiveRun missing = run(cluster, absent, "import", "kubernetes.namespace.team", ns + "-absent");
        assertEquals(1, missing.code());
        assertTrue(missing.out().contains("no object"), missing.out());

        LiveRun imported = run(cluster, stack, "import", "kubernetes.namespace.team", ns);
        assertEquals(0, imported.code(), imported.out());
        assertEquals("kubernetes.namespace.team\n", run(cluster, stack, "state", "list").out());
        LiveRun again = run(cluster, stack, "import", "kubernetes.namespace.team", ns);
        assertEquals(1, again.code());
        assertTrue(again.out().contains("already in the state"), again.out());

        LiveRun plan = run(cluster, stack, "plan", "--detailed-exitcode");
        assertEquals(0, plan.code(), plan.out());
    }

    /** What import records of a resource with dependencies (dependsOn here) is what apply would: no "to record" step follows. */
    @Test
    void anImportedNamespaceWithADependencyThenPlansAsNoChange(ClusterContext cluster) throws IOException {
        String first = cluster.newNamespace();
        String second = cluster.newNamespace();
        Path stack = dir.resolve("deps.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: adopt-deps}
                resources:
                  - type: kubernetes.namespace
                    name: first
                    spec: {name: %s}
                  - type: kubernetes.namespace
                    name: second
                    spec: {name: %s}
                    dependsOn: [kubernetes.namespace.first]
                """.formatted(first, second));
        assertEquals(0, run(cluster, stack, "import", "kubernetes.namespace.second", second).code());
        assertEquals(0, run(cluster, stack, "import", "kubernetes.namespace.first", first).code());
        LiveRun plan = run(cluster, stack, "plan", "--detailed-exitcode");
        assertEquals(0, plan.code(), plan.out());
    }

    /** An Istio policy is imported as the namespace/name its spec declares, never as another one. */
    @Test
    void aPolicyIsImportedOnlyAsTheObjectItDeclares(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        Path stack = dir.resolve("policy.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: adopt-policy}
                resources:
                  - type: istio.peerAuthentication
                    name: legacy
                    spec: {namespace: %s, name: legacy, mtls: {mode: PERMISSIVE}}
                """.formatted(ns));
        LiveRun other = run(cluster, stack, "import", "istio.peerAuthentication.legacy", ns + "/mongo");
        assertEquals(1, other.code(), other.out());
        assertTrue(other.out().contains("this resource declares PeerAuthentication " + ns + "/legacy"), other.out());
        assertTrue(other.out().contains("import it as " + ns + "/legacy"), other.out());
        LiveRun list = run(cluster, stack, "state", "list");
        assertEquals(1, list.code(), "nothing was recorded, not even an empty state: " + list.out());
        assertTrue(list.out().contains("no state yet in local file"), list.out());
    }

    /**
     * An object another stack applied carries that state's mark: import refuses it (plan's "adopt: true" too) and
     * leaves the state unchanged; --take-over moves it on purpose.
     */
    @Test
    void anotherStacksObjectIsRefusedUnlessTakenOver(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        String resource = """
                  - type: kubernetes.manifest
                    name: mongo
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: mongo, namespace: %s}, data: {mode: x}}
                """.formatted(ns);
        Path production = dir.resolve("production.yaml");
        Files.writeString(production, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: production}
                backend: {local: {path: production.state.json}}
                resources:
                """ + resource);
        LiveRun applied = run(cluster, production, "apply", "--auto-approve");
        assertEquals(0, applied.code(), applied.out());
        String lineage = new tools.jackson.databind.json.JsonMapper().readTree(dir.resolve("production.state.json").toFile())
                .get("lineage").asString();
        Path staging = dir.resolve("staging.yaml");
        Files.writeString(staging, Files.readString(production).replace("production", "staging"));

        String id = ns + "/mongo";
        LiveRun refused = run(cluster, staging, "import", "kubernetes.manifest.mongo", id);
        assertEquals(1, refused.code(), refused.out());
        assertTrue(refused.out().contains("cannot import `" + id + "` as `kubernetes.manifest.mongo`: ConfigMap "
                + ns + "/mongo carries meshform's mark of another state (lineage " + lineage
                + ", resource kubernetes.manifest.mongo)"), refused.out());
        assertTrue(refused.out().contains("would make two stacks manage one object"), refused.out());
        assertTrue(refused.out().contains("`meshform import --take-over kubernetes.manifest.mongo " + id + "`"),
                refused.out());
        LiveRun list = run(cluster, staging, "state", "list");
        assertEquals(1, list.code(), "nothing was recorded: " + list.out());
        assertTrue(list.out().contains("no state yet in local file"), list.out());

        // adopt: true says the same: it takes over only what carries no meshform mark.
        Path adopting = dir.resolve("adopting.yaml");
        Files.writeString(adopting, Files.readString(staging).replace("name: mongo\n", "name: mongo\n    adopt: true\n"));
        LiveRun plan = run(cluster, adopting, "plan");
        assertEquals(1, plan.code(), plan.out());
        assertTrue(plan.out().contains("exists, not managed by meshform"), plan.out());
        assertTrue(plan.out().contains("`adopt: true` takes over only objects without meshform's mark"), plan.out());
        assertTrue(plan.out().contains("lineage " + lineage), plan.out());

        LiveRun taken = run(cluster, staging, "import", "--take-over", "kubernetes.manifest.mongo", id);
        assertEquals(0, taken.code(), taken.out());
        assertTrue(taken.out().contains("Imported " + id + " as kubernetes.manifest.mongo"), taken.out());
    }
}

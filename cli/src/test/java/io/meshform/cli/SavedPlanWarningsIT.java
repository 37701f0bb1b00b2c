package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A saved plan whose warning was deleted from its {@code diagnostics} (a plan artefact edited between review and apply):
 * `show` displayed no warning, and `apply PLANFILE` applied it, since only the changes were compared with the plan made
 * again. It is now refused, naming the warning; the same plan unedited applies, and so does one made with --no-analyze
 * (whose file says so, and whose apply runs without analyze as the plan did).
 */
@LiveClusterTest
class SavedPlanWarningsIT {
    @TempDir
    Path dir;

    private LiveRun run(ClusterContext cluster, Path stack, String... args) {
        if (args[0].equals("show")) {
            return LiveRun.exactly(args);
        }
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
        all.addAll(java.util.List.of("--istioctl", cluster.istioctl().toString(), "--state", dir.resolve("state.json").toString()));
        return LiveRun.of(cluster, stack, all.toArray(String[]::new));
    }

    /** The Istio CRDs this test made (none when an install had made them): deleted when it ends. */
    private final java.util.List<String> madeCrds = new java.util.ArrayList<>();

    /**
     * Istio's CRDs, from the real istioctl's render, as providers' IstioCrds makes them (a test class of that module):
     * the policy must apply for the unedited plan to. They carry no install's labels, so `istioctl uninstall --purge`
     * (NoIstio, ExamplesIT's clean slate) would leave them: the test deletes what it made.
     */
    private void istioCrds(ClusterContext cluster) {
        var crds = cluster.client().apiextensions().v1().customResourceDefinitions();
        if (crds.withName("authorizationpolicies.security.istio.io").get() != null) {
            return;
        }
        io.meshform.providers.istio.core.Istioctl istioctl = new io.meshform.providers.istio.core.Istioctl(
                cluster.istioctl().toString(), "testkit", null, null);
        var r = istioctl.run(java.util.List.of("manifest", "generate"), java.time.Duration.ofMinutes(2),
                io.meshform.engine.spi.ProgressSink.NONE, false);
        assertEquals(0, r.exit(), r.tail(10));
        for (var o : io.meshform.providers.istio.install.RenderDiff.parseRender(r.out()).objects()) {
            if ("CustomResourceDefinition".equals(o.path("kind").asString())) {
                var crd = cluster.client().getKubernetesSerialization().unmarshal(o.toString(),
                        io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class);
                madeCrds.add(crd.getMetadata().getName());
                cluster.client().resource(crd).fieldManager("meshform-it").forceConflicts().serverSideApply();
            }
        }
        crds.withName("authorizationpolicies.security.istio.io").waitUntilCondition(crd -> crd != null
                && crd.getStatus() != null && crd.getStatus().getConditions() != null && crd.getStatus().getConditions()
                .stream().anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
                60, java.util.concurrent.TimeUnit.SECONDS);
    }

    @org.junit.jupiter.api.AfterEach
    void deleteTheCrdsItMade(ClusterContext cluster) {
        var crds = cluster.client().apiextensions().v1().customResourceDefinitions();
        for (String name : madeCrds) {
            crds.withName(name).delete();
        }
        for (String name : madeCrds) {
            crds.withName(name).waitUntilCondition(java.util.Objects::isNull, 120, java.util.concurrent.TimeUnit.SECONDS);
        }
        madeCrds.clear();
    }

    /** A DENY on `delete`, which denies nothing: authorization-method-case warns, offline, at 10:44. */
    private Path stack(ClusterContext cluster, String ns) throws IOException {
        istioCrds(cluster);
        return Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: warned}
                resources:
                  - type: istio.authorizationPolicy
                    name: deny
                    spec:
                      namespace: %s
                      action: DENY
                      rules: [{to: [{operation: {methods: ["delete"], ports: ["8080"]}}]}]
                """.formatted(ns));
    }

    @Test
    void aWarningDeletedFromTheSavedPlanIsRefusedAndTheUneditedPlanApplies(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        Path stack = stack(cluster, ns);
        Path planFile = dir.resolve("p.plan");
        LiveRun plan = run(cluster, stack, "plan", "--out", planFile.toString());
        assertEquals(0, plan.code(), plan.out());
        assertTrue(plan.out().contains("warning: istio.authorizationPolicy.deny: methods value \"delete\""), plan.out());

        JsonMapper mapper = new JsonMapper();
        ObjectNode json = (ObjectNode) mapper.readTree(Files.readString(planFile));
        ArrayNode kept = mapper.createArrayNode();
        json.get("diagnostics").forEach(d -> {
            if (!d.path("summary").asString().contains("methods value")) {
                kept.add(d);
            }
        });
        assertEquals(json.get("diagnostics").size() - 1, kept.size(), json.toString());
        json.set("diagnostics", kept);
        Path edited = dir.resolve("edited.plan");
        Files.writeString(edited, mapper.writeValueAsString(json));
        assertFalse(run(cluster, stack, "show", edited.toString()).out().contains("methods value"), "show hides it");

        LiveRun refused = run(cluster, stack, "apply", edited.toString());
        assertEquals(1, refused.code(), refused.out());
        assertTrue(refused.out().contains("refused plan: " + edited + " does not show what applying it would do now"), refused.out());
        assertTrue(refused.out().contains("  - a warning the file does not show: " + stack + ":10:44: istio.authorizationPolicy.deny:"
                + " methods value \"delete\""), refused.out());
        assertNull(cluster.client().genericKubernetesResources("security.istio.io/v1", "AuthorizationPolicy").inNamespace(ns)
                .withName("deny").get(), "nothing applied");

        // The same warning deleted, and the check that gives it named as left out: apply would leave it out of the plan
        // made again too, and the deletion would pass unseen; only what `plan --no-analyze` leaves out may be named.
        json.set("skipped_checks", mapper.createArrayNode().add("authorization-method-case"));
        Path silenced = dir.resolve("silenced.plan");
        Files.writeString(silenced, mapper.writeValueAsString(json));
        LiveRun refusedToo = run(cluster, stack, "apply", silenced.toString());
        assertEquals(1, refusedToo.code(), refusedToo.out());
        assertTrue(refusedToo.out().contains("refused plan: " + silenced + " says check `authorization-method-case` did not"
                + " run, and no plan leaves that check out"), refusedToo.out());
        assertNull(cluster.client().genericKubernetesResources("security.istio.io/v1", "AuthorizationPolicy").inNamespace(ns)
                .withName("deny").get(), "nothing applied");

        LiveRun applied = run(cluster, stack, "apply", planFile.toString());
        assertEquals(0, applied.code(), applied.out());
        assertTrue(applied.out().contains("Apply complete! Resources: 1 added"), applied.out());
    }

    /**
     * The warnings carry the stack's path as the command line spelled it: a plan made with `-f DIR/./meshform.yaml`
     * and applied with `-f DIR/meshform.yaml` shows the same warnings at the same lines, and is not refused as edited.
     */
    @Test
    void theStacksPathSpelledOtherwiseAtApplyIsNoEdit(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        Path stack = stack(cluster, ns);
        Path spelledOtherwise = dir.resolve(".").resolve(stack.getFileName());
        Path planFile = dir.resolve("p.plan");
        LiveRun plan = run(cluster, spelledOtherwise, "plan", "--out", planFile.toString());
        assertEquals(0, plan.code(), plan.out());
        var saved = new JsonMapper().readTree(Files.readString(planFile));
        boolean spelled = false;
        for (var d : saved.path("diagnostics")) {
            spelled |= spelledOtherwise.toString().equals(d.path("range").path("file").asString());
        }
        assertTrue(spelled, "the file names the stack as spelled: " + saved);
        LiveRun applied = run(cluster, stack, "apply", planFile.toString());
        assertEquals(0, applied.code(), applied.out());
        assertTrue(applied.out().contains("Apply complete! Resources: 1 added"), applied.out());
    }

    @Test
    void aPlanMadeWithoutAnalyzeSaysSoAndAppliesWithoutIt(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        Path stack = stack(cluster, ns);
        Path planFile = dir.resolve("p.plan");
        LiveRun plan = run(cluster, stack, "plan", "--no-analyze", "--out", planFile.toString());
        assertEquals(0, plan.code(), plan.out());
        ObjectNode json = (ObjectNode) new JsonMapper().readTree(Files.readString(planFile));
        assertEquals("istio-analyze", json.path("skipped_checks").path(0).asString(), json.toString());
        assertTrue(run(cluster, stack, "show", planFile.toString()).out().contains("info: check `istio-analyze` did not run"
                + " when this plan was made"), "show says analyze did not run");
        // apply without --no-analyze: the plan made again leaves analyze out as the file's did, so its warnings (a policy
        // that selects no workload) are not refused as hidden
        LiveRun applied = run(cluster, stack, "apply", planFile.toString());
        assertEquals(0, applied.code(), applied.out());
    }
}

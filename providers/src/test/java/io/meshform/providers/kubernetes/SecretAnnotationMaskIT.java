package io.meshform.providers.kubernetes;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.Lifecycle;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.SourceLocator;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanJson;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.plan.Sensitive;
import io.meshform.engine.render.PlanMarkdown;
import io.meshform.engine.render.PlanText;
import io.meshform.engine.render.Style;
import io.meshform.engine.spi.Action;
import io.meshform.providers.Harness;
import io.meshform.providers.TestSpecs;
import io.meshform.state.StateSnapshot;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Against a real API server: a Secret made as {@code kubectl apply} makes it (the last-applied copy, data in clear,
 * under another field manager, as kubectl's client-side apply does) cannot be read by a stack that points {@code kubernetes.labels} or an
 * adopted {@code kubernetes.manifest} at its annotations. The change and the conflict are still planned.
 */
@LiveClusterTest
class SecretAnnotationMaskIT {
    private static final String PASSWORD = "S3cr3tP4ss-LIVE";
    private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    @Test
    void aPlanOfAKubectlAppliedSecretsAnnotationsShowsNoValue(ClusterContext cluster) {
        String ns = cluster.newNamespace();
        String copy = "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"annotations\":{},\"name\":\"db-creds\","
                + "\"namespace\":\"" + ns + "\"},\"stringData\":{\"password\":\"" + PASSWORD + "\"}}\n";
        Secret secret = new SecretBuilder().withNewMetadata().withName("db-creds").withNamespace(ns)
                .addToAnnotations(LAST_APPLIED, copy).addToAnnotations("note", "NOTE-" + PASSWORD).endMetadata()
                .addToStringData("password", PASSWORD).build();
        // Created (an Update, as kubectl's client-side apply is) by another field manager than meshform's.
        cluster.client().secrets().inNamespace(ns).resource(secret).create();

        String peek = "kind: Secret\napiVersion: v1\nnamespace: " + ns + "\nname: db-creds\nlabels: {a: b}\n"
                + "annotations: {" + LAST_APPLIED + ": x, note: y}\n";
        String adopt = "manifest:\n  apiVersion: v1\n  kind: Secret\n  metadata:\n    name: db-creds\n    namespace: " + ns
                + "\n    annotations: {" + LAST_APPLIED + ": x}\n";
        try (Harness h = new Harness(cluster.kubeconfigPath(), Map.of())) {
            var stack = TestSpecs.stack(Environment.DEVELOPMENT,
                    new ResourceDecl(ResourceAddress.parse("kubernetes.labels.peek"), List.of(), yaml(peek),
                            SourceLocator.none("stack.yaml")),
                    new ResourceDecl(ResourceAddress.parse("kubernetes.manifest.peek"), List.of(), yaml(adopt),
                            SourceLocator.none("stack.yaml"), new Lifecycle(false, true)));
            Plan plan = new Planner(h.types, "test").plan(stack, StateSnapshot.empty("test"), PlanOptions.defaults());
            String out = new PlanText(Style.plain()).render(plan) + "\n" + new PlanJson().write(plan, true) + "\n"
                    + new PlanMarkdown().render(plan);
            System.err.println("[SecretAnnotationMaskIT]\n" + new PlanText(Style.plain()).render(plan));
            assertFalse(out.contains(PASSWORD), out);
            assertFalse(out.contains("stringData"), out);
            assertTrue(out.contains(LAST_APPLIED), "the key stays visible: " + out);
            for (ResourceChange c : plan.changes()) {
                assertEquals(Action.UPDATE, c.action(), c.address() + ": " + c.reason());
                assertFalse(c.warnings().isEmpty(), c.address() + " warns of the other manager's ownership");
                assertTrue(c.warnings().stream().allMatch(w -> w.contains("is owned by field manager")
                        || w.contains("the server reports a conflict")), c.warnings().toString());
            }
            ResourceChange labels = plan.changes().stream().filter(c -> c.address().type().equals(LabelsType.NAME))
                    .findFirst().orElseThrow();
            assertEquals(Sensitive.CHANGED, labels.after().path("annotations").path(LAST_APPLIED).asString());
            assertEquals(Sensitive.CHANGED, labels.after().path("annotations").path("note").asString());
        }
    }
}

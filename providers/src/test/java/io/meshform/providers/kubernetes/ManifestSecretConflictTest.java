package io.meshform.providers.kubernetes;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import org.junit.jupiter.api.Test;

/**
 * A changed Secret whose fields another manager owns (taken over from kubectl with adopt: true, or edited with kubectl)
 * is planned with the server's conflict, as any other kind is, instead of failing only at apply; drift, which compares
 * the state's digests or the applied values, sends nothing.
 */
@EnableKubernetesMockClient
class ManifestSecretConflictTest {
    KubernetesMockServer server;
    KubernetesClient client;

    private static final ResourceAddress ADDRESS = ResourceAddress.parse("kubernetes.manifest.sec");
    private static final String DRY_RUN = "/api/v1/namespaces/cortex/secrets/s?fieldValidation=Strict&fieldManager=meshform&dryRun=All";

    private static LiveObject live() {
        return new LiveObject(yaml("manifest: {apiVersion: v1, kind: Secret, metadata: {name: s, namespace: cortex},"
                + " data: {password: \"sha256:0f0f\"}}\n"), "7");
    }

    private PlannedChange plan(String spec) {
        return new ManifestType(new KubeConnection(client, "meshform")).plan(new PlanRequest(ADDRESS, yaml(spec), null, live()));
    }

    @Test
    void aPlanShowsTheConflictAnApplyWouldMeetWithoutTheValue() {
        server.expect().patch().withPath(DRY_RUN).andReturn(409, new StatusBuilder().withStatus("Failure").withReason("Conflict")
                .withCode(409).withMessage("Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using v1: .data.password")
                .build()).once();
        PlannedChange c = plan("manifest: {apiVersion: v1, kind: Secret, metadata: {name: s, namespace: cortex},"
                + " stringData: {password: n3w-pa55word}}\n");
        assertEquals(Action.UPDATE, c.action());
        assertEquals(1, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().get(0).contains("the server reports a conflict") && c.warnings().get(0).contains("kubectl-client-side-apply")
                && c.warnings().get(0).contains("force: true"), c.warnings().get(0));
        assertFalse(c.warnings().get(0).contains("n3w-pa55word"), c.warnings().get(0));
        assertEquals(1, server.getRequestCount());
    }

    /**
     * Drift gives the values applied in clear where the stack still gives them (their digests are the recorded ones):
     * compared with the live Secret, never sent, not even in a dry-run (drift runs with read-only rights).
     */
    @Test
    void driftComparingTheAppliedValuesSendsNothing() {
        PlannedChange c = new ManifestType(new KubeConnection(client, "meshform")).plan(new PlanRequest(ADDRESS,
                yaml("manifest: {apiVersion: v1, kind: Secret, metadata: {name: s, namespace: cortex},"
                        + " data: {password: bjN3LXBhNTV3b3Jk}}\n"), null, live(),
                io.meshform.engine.spi.StackContext.forDrift(io.meshform.engine.spi.StackContext.detached().stack())));
        assertEquals(Action.UPDATE, c.action());
        assertEquals(0, server.getRequestCount(), "drift sends nothing");
    }

    @Test
    void driftComparingDigestsSendsNothing() {
        PlannedChange c = plan("manifest: {apiVersion: v1, kind: Secret, metadata: {name: s, namespace: cortex},"
                + " data: {password: \"sha256:abab\"}}\n");
        assertEquals(Action.UPDATE, c.action());
        assertEquals(0, server.getRequestCount(), "a digest must never reach the server");
        assertTrue(c.warnings().isEmpty(), c.warnings().toString());
    }
}

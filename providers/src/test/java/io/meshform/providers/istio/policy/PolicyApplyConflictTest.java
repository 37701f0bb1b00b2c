package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.meshform.engine.spi.StackContext;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A policy field changed with kubectl belongs to kubectl's field manager. On the real cluster `kubectl patch` set the
 * mongo exception STRICT; the plan said "will be updated in-place" with no warning, and the apply failed with a
 * conflict ("field manager(s) kubectl-patch own(s) fields meshform wants to set"). The plan now asks the server with a
 * dry-run of the apply, as kubernetes.manifest plans do, and says what the apply will meet.
 */
@EnableKubernetesMockClient
class PolicyApplyConflictTest {
    KubernetesMockServer server;
    KubernetesClient client;

    private static final ResourceAddress MONGO = ResourceAddress.parse("istio.peerAuthentication.mongo");
    private static final String DRY_RUN = "/apis/security.istio.io/v1/namespaces/cortex/peerauthentications/mongo"
            + "?fieldValidation=Strict&fieldManager=meshform&dryRun=All";

    private static ObjectNode spec(String mode) {
        ObjectNode spec = JsonNodeFactory.instance.objectNode().put("namespace", "cortex").put("name", "mongo");
        spec.putObject("mtls").put("mode", mode);
        return spec;
    }

    private IstioPolicyType type() {
        return new IstioPolicyType(new KubeConnection(client, "meshform"), PolicyKind.PEER_AUTHENTICATION, Set.of());
    }

    private PlannedChange plan(StackContext context) {
        return type().plan(new PlanRequest(MONGO, spec("PERMISSIVE"), null, new LiveObject(spec("STRICT"), "7"), context));
    }

    @Test
    void aFieldAnotherManagerOwnsIsAConflictThePlanNames() {
        server.expect().patch().withPath(DRY_RUN).andReturn(409, new StatusBuilder().withStatus("Failure").withReason("Conflict")
                .withCode(409).withMessage("Apply failed with 1 conflict: conflict with \"kubectl-patch\" using security.istio.io/v1:"
                        + " .spec.mtls.mode").build()).once();
        PlannedChange c = plan(StackContext.detached());
        assertEquals(Action.UPDATE, c.action());
        assertEquals(List.of("the server reports a conflict: Apply failed with 1 conflict: conflict with \"kubectl-patch\" using"
                + " security.istio.io/v1: .spec.mtls.mode (reason: Conflict); apply will fail unless the stack sets force: true"),
                c.warnings());
    }

    @Test
    void aDryRunThatPassesAddsNothing() {
        server.expect().patch().withPath(DRY_RUN).andReturn(200, "{\"apiVersion\":\"security.istio.io/v1\","
                + "\"kind\":\"PeerAuthentication\",\"metadata\":{\"name\":\"mongo\",\"namespace\":\"cortex\"}}").once();
        PlannedChange c = plan(StackContext.detached());
        assertEquals(Action.UPDATE, c.action());
        assertEquals(List.of(), c.warnings());
        assertEquals(1, server.getRequestCount());
    }

    @Test
    void aDryRunRefusedForAnotherReasonLeavesTheAnswerUnknownAndSaysSo() {
        server.expect().patch().withPath(DRY_RUN).andReturn(403, new StatusBuilder().withStatus("Failure").withReason("Forbidden")
                .withCode(403).withMessage("peerauthentications.security.istio.io \"mongo\" is forbidden").build()).once();
        PlannedChange c = plan(StackContext.detached());
        assertEquals(1, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().get(0).startsWith("the server's dry-run of this apply failed, so whether PeerAuthentication"
                + " cortex/mongo can be applied"), c.warnings().get(0));
        assertTrue(c.warnings().get(0).contains("is forbidden"), c.warnings().get(0));
    }

    /** Drift runs with read-only rights and applies nothing: it sends no dry-run. */
    @Test
    void driftSendsNothing() {
        PlannedChange c = plan(StackContext.forDrift(StackContext.detached().stack()));
        assertEquals(Action.UPDATE, c.action());
        assertEquals(List.of(), c.warnings());
        assertEquals(0, server.getRequestCount());
    }
}

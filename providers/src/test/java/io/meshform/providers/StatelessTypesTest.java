package io.meshform.providers;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.NamespaceListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.engine.model.BackendConfig;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.ResourceType;
import io.meshform.engine.spi.StackContext;
import io.meshform.providers.istio.IstioProvider;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.LabelsType;
import io.meshform.providers.kubernetes.LabelsTypeTest;
import io.meshform.providers.kubernetes.ManifestType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Resource types keep nothing between calls: a type instance that never saw {@code implicitDependencies} or
 * {@code read} plans the same as the one that did, given what the engine hands every call (the stack context, and
 * the live object with the data its read passed along). Each test plans on a freshly made instance.
 */
@EnableKubernetesMockClient
class StatelessTypesTest {
    KubernetesMockServer server;
    KubernetesClient client;

    private static GenericKubernetesResourceList list(io.fabric8.kubernetes.api.model.GenericKubernetesResource... items) {
        GenericKubernetesResourceList l = new GenericKubernetesResourceList();
        l.setItems(List.of(items));
        return l;
    }

    private KubeConnection kube() {
        return new KubeConnection(client, "meshform");
    }

    private static LiveObject readWith(ResourceType reader, ResourceAddress a, JsonNode spec) {
        return reader.read(new ReadRequest(List.of(new ResourceRef(a, spec)))).get(a);
    }

    @Test
    void labelsOwnersTravelFromReadToPlanOnAnotherInstance() {
        server.expect().get().withPath("/api/v1/namespaces")
                .andReturn(200, new NamespaceListBuilder().withItems(LabelsTypeTest.cortex()).build()).always();
        var a = ResourceAddress.parse("kubernetes.labels.cortex");
        var spec = yaml("kind: Namespace\nname: cortex\nlabels: {team: platform}\n");
        LiveObject live = readWith(new LabelsType(kube()), a, spec);
        int afterRead = server.getRequestCount();

        var change = new LabelsType(kube()).plan(new PlanRequest(a, spec, null, live));
        assertEquals(Action.UPDATE, change.action());
        assertTrue(change.warnings().stream().anyMatch(w -> w.contains("label `team` is owned by field manager kubectl-label")),
                change.warnings().toString());
        assertEquals(afterRead, server.getRequestCount(), "the owners came with the live object; plan asked the server nothing");
    }

    @Test
    void labelsForANamespaceTheStackCreatesPlanACreateWithoutTheGraph() {
        var ns = TestSpecs.decl("kubernetes.namespace.cortex", "name: cortex\n");
        var labels = TestSpecs.decl("kubernetes.labels.cortex", "name: cortex\nlabels: {istio-injection: enabled}\n");
        var context = StackContext.of(TestSpecs.stack(Environment.STAGING, ns, labels));
        var change = new LabelsType(kube()).plan(new PlanRequest(labels.address(), labels.spec(), null, null, context));
        assertEquals(Action.CREATE, change.action(), change.reason());
    }

    @Test
    void manifestFileResolvesFromTheStackFileNotTheWorkingDirectory(@TempDir Path dir) throws Exception {
        Path stackDir = Files.createDirectories(dir.resolve("stacks/cortex"));
        Files.writeString(stackDir.resolve("reader.yaml"), """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: meshform-reader}
                rules: []
                """);
        var context = StackContext.of(new Stack("t", Environment.STAGING, stackDir.resolve("stack.yaml"),
                BackendConfig.localDefault(), List.of(), "d"));
        assertEquals(stackDir, context.baseDirectory());
        var a = ResourceAddress.parse("kubernetes.manifest.reader");
        var change = new ManifestType(kube()).plan(new PlanRequest(a, yaml("file: reader.yaml\n"), null, null, context));
        assertEquals(Action.CREATE, change.action(), change.reason());
        assertEquals("meshform-reader", change.after().path("manifest").path("metadata").path("name").asString());
    }

    @Test
    void aManifestFileThatIsADeviceOrTooLargeIsRefusedBeforeReading(@TempDir Path dir) throws Exception {
        var context = StackContext.of(new Stack("t", Environment.STAGING, dir.resolve("stack.yaml"),
                BackendConfig.localDefault(), List.of(), "d"));
        var a = ResourceAddress.parse("kubernetes.manifest.reader");
        Files.write(dir.resolve("big.yaml"), new byte[(int) io.meshform.engine.load.InputFiles.STACK_FILE_LIMIT + 1]);
        for (String[] c : new String[][] {{"/dev/zero", "/dev/zero: manifest file is not a regular file"},
                {"big.yaml", "manifest file is too large"}}) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> new ManifestType(kube()).plan(new PlanRequest(a, yaml("file: " + c[0] + "\n"), null, null, context)));
            assertTrue(e.getMessage().contains("kubernetes.manifest.reader: spec.file") && e.getMessage().contains(c[1]),
                    e.getMessage());
        }
    }

    @Test
    void policyOwnershipTravelsFromReadToPlanOnAnotherInstance() {
        var handMade = new GenericKubernetesResourceBuilder().withApiVersion("security.istio.io/v1").withKind("PeerAuthentication")
                .withNewMetadata().withNamespace("istio-system").withName("default").withResourceVersion("9").withUid("uid-of-default")
                .endMetadata().addToAdditionalProperties("spec", Map.of("mtls", Map.of("mode", "STRICT"))).build();
        String path = "/apis/security.istio.io/v1/namespaces/istio-system/peerauthentications";
        server.expect().get().withPath(path + "?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dmeshform")
                .andReturn(200, list()).always();
        server.expect().get().withPath(path)
                .andReturn(200, list(handMade)).always();
        var a = ResourceAddress.parse("istio.peerAuthentication.mesh");
        var spec = yaml("namespace: istio-system\nname: default\nmtls: {mode: STRICT}\n");
        LiveObject live = readWith(IstioProvider.peerAuthentication(kube()), a, spec);

        // What read saw travels in the LiveObject: made by hand, so the engine refuses it unless the stack adopts it.
        assertTrue(live.ownership().applies() && live.ownership().lineage() == null, live.ownership().toString());
        assertEquals("PeerAuthentication istio-system/default", live.ownership().object());
        // The object's uid is its key: read under another address (after a `state mv`), it is the same object.
        assertEquals("uid-of-default", live.ownership().key());
        LiveObject again = readWith(IstioProvider.peerAuthentication(kube()), ResourceAddress.parse("istio.peerAuthentication.moved"), spec);
        assertTrue(live.ownership().sameObject(again.ownership()), again.ownership().toString());
        var change = IstioProvider.peerAuthentication(kube()).plan(new PlanRequest(a, spec, null, live));
        assertEquals(Action.NOOP, change.action(), "the spec matches; taking it over is the engine's decision");
    }

    @Test
    void policyReadIsOneUnfilteredListPerNamespace() throws InterruptedException {
        var ours = new GenericKubernetesResourceBuilder().withApiVersion("security.istio.io/v1").withKind("PeerAuthentication")
                .withNewMetadata().withNamespace("shop").withName("ours").withResourceVersion("7")
                .addToLabels(KubeConnection.MANAGED_BY_LABEL, "meshform").endMetadata()
                .addToAdditionalProperties("spec", Map.of("mtls", Map.of("mode", "STRICT"))).build();
        var handMade = new GenericKubernetesResourceBuilder().withApiVersion("security.istio.io/v1").withKind("PeerAuthentication")
                .withNewMetadata().withNamespace("shop").withName("by-hand").withResourceVersion("8").endMetadata()
                .addToAdditionalProperties("spec", Map.of("mtls", Map.of("mode", "PERMISSIVE"))).build();
        // Only the unfiltered LIST is answered: a labelled LIST (the old first request) would get the mock's 404.
        server.expect().get().withPath("/apis/security.istio.io/v1/namespaces/shop/peerauthentications")
                .andReturn(200, list(ours, handMade)).once();
        var type = IstioProvider.peerAuthentication(kube());
        var a = ResourceAddress.parse("istio.peerAuthentication.ours");
        var b = ResourceAddress.parse("istio.peerAuthentication.hand");
        var c = ResourceAddress.parse("istio.peerAuthentication.missing");
        Map<ResourceAddress, LiveObject> live = type.read(new ReadRequest(List.of(
                new ResourceRef(a, yaml("namespace: shop\nname: ours\nmtls: {mode: STRICT}\n")),
                new ResourceRef(b, yaml("namespace: shop\nname: by-hand\nmtls: {mode: PERMISSIVE}\n")),
                new ResourceRef(c, yaml("namespace: shop\nname: missing\nmtls: {mode: STRICT}\n")))));

        assertEquals("7", live.get(a).version());
        assertEquals("8", live.get(b).version(), "an object without meshform's label is found by name");
        assertTrue(live.get(b).ownership().applies() && live.get(b).ownership().lineage() == null, live.get(b).ownership().toString());
        assertEquals(null, live.get(c), "a declared object the namespace lacks is absent: a create");
        assertEquals(1, server.getRequestCount(), "one LIST for the namespace, whatever is missing");
    }
}

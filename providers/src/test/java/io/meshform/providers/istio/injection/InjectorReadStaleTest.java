package io.meshform.providers.istio.injection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.SourceLocator;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.engine.spi.StackContext;
import io.meshform.providers.TestSpecs;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.ManifestType;
import io.meshform.state.ResourceState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The run's injector read ({@link InjectorRead#once}) is stale once a step of the same apply writes an injector webhook
 * or an injector's ConfigMap: the restarts after it read again. Without such a write the run reads once. And a
 * {@code kubernetes.labels} with injection labels is ordered after such a manifest ({@link InjectorManifestsFirst}).
 */
@EnableKubernetesMockClient
class InjectorReadStaleTest {
    static final String WEBHOOKS = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations?labelSelector=istio.io%2Frev";
    static final String TAG = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/istio-revision-tag-prod";

    KubernetesMockServer server;
    KubernetesClient client;

    private int webhookLists() throws InterruptedException {
        int n = 0;
        RecordedRequest r;
        while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            n += r.getPath().equals(WEBHOOKS) ? 1 : 0;
        }
        return n;
    }

    private static ResourceState recorded(String address, String manifest) {
        return new ResourceState(address, ManifestType.NAME, TestSpecs.yaml("manifest: " + manifest + "\n"), Map.of());
    }

    @Test
    void deletingARevisionTagInTheRunMakesTheNextRestartReadAgain() throws Exception {
        server.expect().get().withPath(WEBHOOKS).andReturn(200, "{\"items\": []}").always();
        server.expect().delete().withPath(TAG).andReturn(200, new StatusBuilder().withStatus("Success").build()).always();
        server.expect().delete().withPath("/apis/apps/v1/namespaces/cortex/deployments/web")
                .andReturn(200, new StatusBuilder().withStatus("Success").build()).always();
        KubeConnection kube = new KubeConnection(client, "meshform");
        StackContext apply = StackContext.of(TestSpecs.stack(Environment.STAGING));
        ManifestType manifests = new ManifestType(kube);

        InjectorRead.once(apply, () -> client);
        InjectorRead.once(apply, () -> client);
        manifests.delete(new DeleteRequest(ResourceAddress.parse("kubernetes.manifest.web"), recorded("kubernetes.manifest.web",
                "{apiVersion: apps/v1, kind: Deployment, metadata: {namespace: cortex, name: web}}"), ProgressSink.NONE, apply));
        InjectorRead.once(apply, () -> client);
        assertEquals(1, webhookLists(), "one read for the run while nothing it holds is written");

        manifests.delete(new DeleteRequest(ResourceAddress.parse("kubernetes.manifest.tag"), recorded("kubernetes.manifest.tag",
                "{apiVersion: admissionregistration.k8s.io/v1, kind: MutatingWebhookConfiguration,"
                        + " metadata: {name: istio-revision-tag-prod}}"), ProgressSink.NONE, apply));
        InjectorRead.once(apply, () -> client);
        InjectorRead.once(apply, () -> client);
        assertEquals(1, webhookLists(), "read again once after the tag's delete, then shared again");
    }

    @Test
    void whatMakesTheReadStale() {
        assertTrue(InjectorRead.staleAfter(new StackContext.Written("admissionregistration.k8s.io/v1",
                "MutatingWebhookConfiguration", null, "istio-revision-tag-default")));
        assertTrue(InjectorRead.staleAfter(new StackContext.Written("v1", "ConfigMap", "istio-system", "istio-sidecar-injector")));
        assertTrue(InjectorRead.staleAfter(new StackContext.Written("v1", "ConfigMap", "istio-system", "istio-sidecar-injector-r1")));
        assertFalse(InjectorRead.staleAfter(new StackContext.Written("v1", "ConfigMap", "cortex", "app-settings")));
        assertFalse(InjectorRead.staleAfter(new StackContext.Written("admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration", null, "istio-validator-istio-system")));
        assertFalse(InjectorRead.staleAfter(new StackContext.Written("example.com/v1", "ConfigMap", "istio-system",
                "istio-sidecar-injector")));
    }

    private static ResourceDecl decl(String address, String spec, ResourceAddress... dependsOn) {
        return new ResourceDecl(ResourceAddress.parse(address), List.of(dependsOn), TestSpecs.yaml(spec),
                SourceLocator.none("stack.yaml"));
    }

    @Test
    void injectionLabelsComeAfterTheManifestsThatWriteInjectors() {
        ResourceDecl tag = decl("kubernetes.manifest.tag", "manifest: {apiVersion: admissionregistration.k8s.io/v1,"
                + " kind: MutatingWebhookConfiguration, metadata: {name: istio-revision-tag-prod}}\n");
        ResourceDecl injector = decl("kubernetes.manifest.injector", "manifest: {apiVersion: v1, kind: ConfigMap,"
                + " metadata: {namespace: istio-system, name: istio-sidecar-injector-r1}}\n");
        ResourceDecl app = decl("kubernetes.manifest.app", "manifest: {apiVersion: v1, kind: ConfigMap,"
                + " metadata: {namespace: cortex, name: settings}}\n");
        ResourceDecl labels = decl("kubernetes.labels.cortex", "kind: Namespace\nname: cortex\nlabels: {istio.io/rev: prod}\n");
        ResourceDecl team = decl("kubernetes.labels.team", "kind: Namespace\nname: cortex\nlabels: {team: a}\n");
        ResourceDecl after = decl("kubernetes.manifest.after", "manifest: {apiVersion: admissionregistration.k8s.io/v1,"
                + " kind: MutatingWebhookConfiguration, metadata: {name: late}}\n", labels.address());
        Stack stack = TestSpecs.stack(Environment.STAGING, tag, injector, app, labels, team, after);
        InjectorManifestsFirst rule = new InjectorManifestsFirst();
        assertEquals(Set.of(tag.address(), injector.address()), rule.dependencies(labels, stack),
                "not the app's ConfigMap, nor a webhook the file orders after the labels (a cycle)");
        assertEquals(Set.of(), rule.dependencies(team, stack), "labels that do not touch injection");
    }
}

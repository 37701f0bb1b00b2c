package io.meshform.providers.istio.injection;

import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.LabelsType;
import io.meshform.providers.kubernetes.NamespaceType;

import io.meshform.providers.ChangeAssert;
import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.TestSpecs.errors;
import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceListBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.StackContext;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.providers.TestSpecs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** The plan of a labels change that turns sidecar injection on: the workloads to restart and the sidecars' requests. */
@EnableKubernetesMockClient
class InjectionPlanTest {
    KubernetesMockServer server;
    KubernetesClient client;

    static Pod pod(String name, String replicaSet, String hash, boolean sidecar) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace("cortex").withName(name)
                .addToLabels("pod-template-hash", hash).addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet")
                .withName(replicaSet).withUid("u").withController(true).endOwnerReference().endMetadata()
                .withNewSpec().addToContainers(new ContainerBuilder().withName("app").build()).endSpec()
                .withNewStatus().withPhase("Running").endStatus();
        if (sidecar) {
            b.editSpec().addToContainers(new ContainerBuilder().withName("istio-proxy").build()).endSpec();
        }
        return b.build();
    }

    private void serve(Map<String, String> namespaceLabels) {
        server.expect().get().withPath("/api/v1/namespaces").andReturn(200, new NamespaceListBuilder().withItems(
                new NamespaceBuilder().withNewMetadata().withName("cortex").withResourceVersion("7")
                        .addToLabels(namespaceLabels).endMetadata().build()).build()).always();
        server.expect().get().withPath("/api/v1/namespaces/cortex/pods").andReturn(200, new PodListBuilder().withItems(
                pod("api-5f7c-a", "api-5f7c", "5f7c", false), pod("api-5f7c-b", "api-5f7c", "5f7c", false),
                pod("web-88aa-a", "web-88aa", "88aa", true)).build()).always();
    }

    private KubeConnection kube() {
        return new KubeConnection(client, "meshform");
    }

    /** kubernetes.labels as the provider factory builds it: with Istio's injection effects. */
    private LabelsType labels() {
        return new LabelsType(kube(), new InjectionLabelEffects(kube()));
    }

    @Test
    void injectionLabelValuesIstioIgnoresAreWarnings() {
        assertEquals(1, TestSpecs.warnings(labels().validate(yaml("name: cortex\nlabels: {istio-injection: enabled, istio.io/rev: 1-28}\n"))).size());
        assertEquals(List.of("/labels/istio-injection: istio-injection is \"on\": Istio injects only for enabled, and any other"
                + " value turns sidecar injection off in this namespace, as disabled does, for every revision and for pods that ask"
                + " with sidecar.istio.io/inject"), TestSpecs.warnings(labels().validate(yaml("name: cortex\nlabels: {istio-injection: on}\n"))));
        assertEquals(0, TestSpecs.warnings(labels().validate(yaml("name: cortex\nlabels: {istio-injection: enabled}\n"))).size());
    }

    private PlannedChange plan(LabelsType t, String address, ObjectNode spec) {
        return plan(t, address, spec, StackContext.detached());
    }

    private PlannedChange plan(LabelsType t, String address, ObjectNode spec, StackContext context) {
        var a = ResourceAddress.parse(address);
        var live = t.read(new ReadRequest(context, List.of(new ResourceRef(a, spec)))).get(a);
        return t.plan(new PlanRequest(a, spec, null, live, context));
    }

    @Test
    void turningInjectionOnListsWorkloadsWithoutSidecarsAndWarns() {
        serve(Map.of("team", "pay"));
        LabelsType t = labels();
        var spec = yaml("kind: Namespace\nname: cortex\nlabels: {istio-injection: enabled}\n");
        // The stack's install sets the proxy requests the estimate uses.
        // The stack's install sets the sidecars' requests; the type reads them from the request's stack.
        var stack = StackContext.of(TestSpecs.stack(Environment.STAGING, decl("istio.install.mesh",
                "version: \"1.30\"\nvalues: {global: {proxy: {resources: {requests: {cpu: 200m, memory: 256Mi}}}}}\n")));
        long before = server.getRequestCount();
        var change = plan(t, "kubernetes.labels.cortex", spec, stack);
        assertEquals(Action.UPDATE, change.action());
        ChangeAssert.assertChange(change).hasDetails(List.of(
                PlanDetail.note("sidecar injection turns on for namespace cortex; 2 running pod(s) stay without a sidecar until they restart:"),
                PlanDetail.note("  Deployment cortex/api (2 pods)"),
                PlanDetail.note("sidecar requests for 2 pod(s) in cortex: 400m CPU, 512Mi memory (2 × 200m / 256Mi,"
                        + " values.global.proxy.resources.requests)")));
        assertEquals(List.of("injection takes effect only when these pods restart: Deployment cortex/api"
                + " (set restartWorkloads: true to restart them on apply, or run kubectl rollout restart)"), change.warnings());
        assertEquals(3, server.getRequestCount() - before, "one LIST of namespaces (read), one of the injector webhooks and one"
                + " of pods (plan)");
    }

    private void serveRevisionR1(int status, String configMap) {
        server.expect().get().withPath(Injectors.WEBHOOKS + "?labelSelector=istio.io%2Frev").andReturn(200,
                "{\"items\": [" + InjectorConfigMapTest.configuration("istio-sidecar-injector-r1", "{\"istio.io/rev\": \"r1\"}",
                        "{\"service\": {\"name\": \"istiod-r1\", \"namespace\": \"istio-system\"}}") + "]}").always();
        server.expect().get().withPath("/api/v1/namespaces/istio-system/configmaps/istio-sidecar-injector-r1")
                .andReturn(status, configMap).always();
    }

    /**
     * Revision r1 installed outside the stack, its ConfigMap edited with a neverInjectSelector that matches the api pods:
     * r1's istiod would not inject them, so no restart is listed. One GET of the ConfigMap more than before.
     */
    @Test
    void aRevisionInstalledOutsideTheStackIsJudgedByItsLiveConfigMap() {
        serve(Map.of("team", "pay"));
        serveRevisionR1(200, InjectorConfigMapTest.configMap("policy: enabled\nneverInjectSelector:\n- matchExpressions:"
                + " [{key: pod-template-hash, operator: In, values: [5f7c]}]\n"));
        long before = server.getRequestCount();
        var change = plan(labels(), "kubernetes.labels.cortex", yaml("kind: Namespace\nname: cortex\nlabels: {istio.io/rev: r1}\n"));
        ChangeAssert.assertChange(change).hasDetails(List.of(
                PlanDetail.note("sidecar injection turns on for namespace cortex; no running pod needs a restart")));
        assertEquals(4, server.getRequestCount() - before, "namespaces, injector webhooks, r1's injector ConfigMap, pods");
    }

    @Test
    void aConfigMapTheAccountMayNotReadIsSaidInThePlan() {
        serve(Map.of("team", "pay"));
        serveRevisionR1(403, "{\"kind\": \"Status\", \"code\": 403, \"reason\": \"Forbidden\"}");
        var change = plan(labels(), "kubernetes.labels.cortex", yaml("kind: Namespace\nname: cortex\nlabels: {istio.io/rev: r1}\n"));
        assertTrue(change.details().stream().anyMatch(d -> d.text().startsWith("the injector policy of revision r1 could not be"
                + " read (revision r1: the ConfigMap istio-system/istio-sidecar-injector-r1: forbidden (HTTP 403)), so which pods"
                + " get a sidecar assumes Istio's defaults")), change.details().toString());
        assertTrue(change.details().get(1).text().contains("Deployment cortex/api (2 pods)"), change.details().toString());
    }

    @Test
    void withRestartWorkloadsThePlanSaysApplyRestartsThem() {
        serve(Map.of());
        LabelsType t = labels();
        var spec = yaml("kind: Namespace\nname: cortex\nlabels: {istio-injection: enabled}\nrestartWorkloads: true\nrestartTimeoutSeconds: 120\n");
        var change = plan(t, "kubernetes.labels.cortex", spec);
        assertEquals(List.of(), change.warnings());
        ChangeAssert.assertChange(change).notes("restartWorkloads: apply restarts 1 workload(s) one at a time (like kubectl rollout"
                + " restart), waiting up to 120s for each rollout");
        assertTrue(change.details().get(2).text().contains("200m CPU, 256Mi memory (2 × 100m / 128Mi, Istio's default"), change.details().toString());
    }

    @Test
    void turningInjectionOffListsWorkloadsThatKeepTheirSidecar() {
        serve(Map.of("istio-injection", "enabled"));
        LabelsType t = labels();
        var change = plan(t, "kubernetes.labels.cortex", yaml("kind: Namespace\nname: cortex\nlabels: {istio-injection: disabled}\n"));
        ChangeAssert.assertChange(change).hasDetails(List.of(
                PlanDetail.note("sidecar injection turns off for namespace cortex; 1 running pod(s) stay with a sidecar until they restart:"),
                PlanDetail.note("  Deployment cortex/web (1 pod)")));
        assertEquals(1, change.warnings().size());
    }

    @Test
    void otherLabelChangesReadNoPods() {
        serve(Map.of("istio-injection", "enabled"));
        LabelsType t = labels();
        long before = server.getRequestCount();
        var change = plan(t, "kubernetes.labels.cortex", yaml("kind: Namespace\nname: cortex\nlabels: {team: pay}\n"));
        assertEquals(Action.UPDATE, change.action());
        assertEquals(List.of(), change.details());
        assertEquals(1, server.getRequestCount() - before);
    }

    @Test
    void restartSettingsAreValidated() {
        LabelsType t = labels();
        NamespaceType n = new NamespaceType(kube(), new InjectionLabelEffects(kube()));
        assertEquals(List.of(), errors(t.validate(yaml("name: cortex\nlabels: {istio-injection: enabled}\nrestartWorkloads: true\n"))));
        assertEquals(List.of("/restartWorkloads: `restartWorkloads` must be true or false",
                        "/restartTimeoutSeconds: restartTimeoutSeconds must be a positive whole number"),
                errors(n.validate(yaml("name: cortex\nrestartWorkloads: yes please\nrestartTimeoutSeconds: 0\n"))));
        assertEquals(List.of("/restartWorkloads: restartWorkloads applies only to the labels of a Namespace"),
                errors(t.validate(yaml("kind: Deployment\napiVersion: apps/v1\nname: web\nnamespace: cortex\nlabels: {a: b}\n"
                        + "restartWorkloads: true\n"))));
    }
}

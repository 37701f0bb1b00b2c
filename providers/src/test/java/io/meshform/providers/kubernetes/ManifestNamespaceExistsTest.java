package io.meshform.providers.kubernetes;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.StackContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whether a {@code kubernetes.manifest}'s namespace exists (the plan skips the server dry-run in one the stack has yet
 * to create): answered by the run's LIST of namespaces when the run made one, by a GET per namespace otherwise, with
 * the same plan either way.
 */
@EnableKubernetesMockClient
class ManifestNamespaceExistsTest {
    KubernetesMockServer server;
    KubernetesClient client;
    KubeConnection kube;

    @BeforeEach
    void cluster() {
        kube = new KubeConnection(client, "meshform");
        server.expect().get().withPath("/api/v1/namespaces")
                .andReturn(200, new NamespaceListBuilder().addToItems(new NamespaceBuilder().withNewMetadata().withName("cortex")
                        .endMetadata().build()).build()).always();
        server.expect().get().withPath("/api/v1/namespaces/cortex")
                .andReturn(200, new NamespaceBuilder().withNewMetadata().withName("cortex").endMetadata().build()).always();
        server.expect().patch().withPath("/api/v1/namespaces/cortex/configmaps/cfg?fieldValidation=Strict&fieldManager=meshform&dryRun=All")
                .andReturn(200, new ConfigMapBuilder().withNewMetadata().withName("cfg").withNamespace("cortex").endMetadata()
                        .addToData("a", "b").build()).always();
    }

    private static ResourceAddress address(String ns) {
        return ResourceAddress.parse("kubernetes.manifest.cfg-" + ns);
    }

    private static tools.jackson.databind.JsonNode spec(String ns) {
        return yaml("manifest:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cfg, namespace: " + ns + "}\n  data: {a: b}\n");
    }

    /** The namespaces read as kubernetes.namespace reads them, in the run's context. */
    private void readNamespaces(StackContext context) {
        NamespaceType namespaces = new NamespaceType(kube);
        namespaces.read(new ReadRequest(context, List.of(new ResourceRef(ResourceAddress.parse("kubernetes.namespace.n"),
                yaml("name: cortex\n")))));
    }

    private PlannedChange plan(StackContext context, String ns) {
        return new ManifestType(kube).plan(new PlanRequest(address(ns), spec(ns), null, null, context));
    }

    private List<String> paths() throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (int i = server.getRequestCount(); i > 0; i--) {
            out.add(server.takeRequest().getPath());
        }
        return out;
    }

    private static boolean skipped(PlannedChange c, String ns) {
        return c.details().stream().map(PlanDetail::text)
                .anyMatch(t -> t.equals("server dry-run skipped: namespace " + ns + " does not exist yet"));
    }

    @Test
    void aNamespaceMissingFromTheRunsListIsNotAskedForAgain() throws InterruptedException {
        StackContext context = StackContext.detached();
        readNamespaces(context);
        PlannedChange missing = plan(context, "new-team");
        assertEquals(Action.CREATE, missing.action());
        assertTrue(skipped(missing, "new-team"), missing.details().toString());
        PlannedChange listed = plan(context, "cortex");
        assertFalse(skipped(listed, "cortex"), listed.details().toString());
        List<String> paths = paths();
        assertEquals(List.of("/api/v1/namespaces",
                "/api/v1/namespaces/cortex/configmaps/cfg?fieldValidation=Strict&fieldManager=meshform&dryRun=All"), paths);
    }

    @Test
    void aMissingNamespaceNoResourceCreatesIsAWarningAndOneTheStackCreatesIsAnEdge() {
        var cfg = io.meshform.providers.TestSpecs.decl("kubernetes.manifest.cfg-new-team", spec("new-team").toString());
        var nsManifest = io.meshform.providers.TestSpecs.decl("kubernetes.manifest.ns",
                "manifest: {apiVersion: v1, kind: Namespace, metadata: {name: new-team}}\n");
        var alone = io.meshform.providers.TestSpecs.stack(io.meshform.engine.model.Environment.STAGING, cfg);
        PlannedChange lost = plan(StackContext.of(alone), "new-team");
        assertEquals(1, lost.warnings().size(), lost.warnings().toString());
        assertTrue(lost.warnings().get(0).startsWith("namespace new-team does not exist, and no kubernetes.namespace or"
                + " Namespace manifest of this stack creates it"), lost.warnings().get(0));

        var created = io.meshform.providers.TestSpecs.stack(io.meshform.engine.model.Environment.STAGING, cfg, nsManifest);
        assertEquals(List.of(), plan(StackContext.of(created), "new-team").warnings());
        assertEquals(java.util.Set.of(nsManifest.address()), new ManifestType(kube).implicitDependencies(cfg, created),
                "objects in a namespace a Namespace manifest creates are applied after it");
        assertEquals(java.util.Set.of(), new ManifestType(kube).implicitDependencies(nsManifest, created));
    }

    @Test
    void withoutTheRunsListEachNamespaceIsAskedForOnceWithTheSamePlan() throws InterruptedException {
        StackContext context = StackContext.detached();
        PlannedChange missing = plan(context, "new-team");
        assertEquals(Action.CREATE, missing.action());
        assertTrue(skipped(missing, "new-team"), missing.details().toString());
        plan(context, "new-team");
        PlannedChange listed = plan(context, "cortex");
        assertFalse(skipped(listed, "cortex"), listed.details().toString());
        assertEquals(List.of("/api/v1/namespaces/new-team", "/api/v1/namespaces/cortex",
                "/api/v1/namespaces/cortex/configmaps/cfg?fieldValidation=Strict&fieldManager=meshform&dryRun=All"), paths());
    }
}

package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceListBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.StackContext;
import io.meshform.providers.TestSpecs;
import io.meshform.providers.istio.injection.InjectionLabelEffects;
import io.meshform.providers.istio.injection.InjectorRead;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.LabelsType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * One run reads the injector webhooks once and each revision's injector ConfigMap once, however many labels
 * resources turn injection on, and the mesh checks of that run judge the same read ({@code CheckContext.run}): ten
 * labels resources sent eleven LISTs and eleven GETs before (one per plan, one for the checks). An apply is another
 * run: its restarts read again, after its changes. A refused LIST of the webhooks is said, by the plan and by the
 * checks (a warning in a plan, drift fails), where it was an unknown said nowhere.
 */
@EnableKubernetesMockClient
class RunInjectorReadsTest {
    static final String WEBHOOKS = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations?labelSelector=istio.io%2Frev";
    static final String R1_CONFIG_MAP = "/api/v1/namespaces/istio-system/configmaps/istio-sidecar-injector-r1";
    static final int NAMESPACES = 10;

    KubernetesMockServer server;
    KubernetesClient client;

    private static String ns(int i) {
        return "team-" + i;
    }

    /** Ten namespaces without injection, each with no pod; revision r1 installed with its webhooks and ConfigMap. */
    private void serve(int webhookStatus) {
        NamespaceListBuilder list = new NamespaceListBuilder();
        IntStream.range(0, NAMESPACES).forEach(i -> list.addToItems(new NamespaceBuilder().withNewMetadata().withName(ns(i))
                .withResourceVersion("1").endMetadata().build()));
        server.expect().get().withPath("/api/v1/namespaces").andReturn(200, list.build()).always();
        IntStream.range(0, NAMESPACES).forEach(i -> server.expect().get().withPath("/api/v1/namespaces/" + ns(i) + "/pods")
                .andReturn(200, new PodListBuilder().build()).always());
        if (webhookStatus == 200) {
            server.expect().get().withPath(WEBHOOKS).andReturn(200, "{\"items\": [{\"metadata\": {\"name\":"
                    + " \"istio-sidecar-injector-r1\", \"labels\": {\"istio.io/rev\": \"r1\"}}, \"webhooks\": [{\"name\":"
                    + " \"rev.namespace.sidecar-injector.istio.io\", \"clientConfig\": {\"service\": {\"name\": \"istiod-r1\","
                    + " \"namespace\": \"istio-system\"}}}]}]}").always();
        } else {
            server.expect().get().withPath(WEBHOOKS).andReturn(webhookStatus, new StatusBuilder().withCode(webhookStatus)
                    .withReason("Forbidden").withMessage("mutatingwebhookconfigurations.admissionregistration.k8s.io is"
                            + " forbidden: User \"plan\" cannot list resource").build()).always();
        }
        server.expect().get().withPath(R1_CONFIG_MAP).andReturn(200, "{\"kind\": \"ConfigMap\", \"data\": {\"config\":"
                + " \"policy: enabled\\n\"}}").always();
    }

    private KubeConnection kube() {
        return new KubeConnection(client, "meshform");
    }

    private static ObjectNode spec(int i) {
        return TestSpecs.yaml("kind: Namespace\nname: " + ns(i) + "\nlabels: {istio.io/rev: r1}\n");
    }

    /** The ten labels resources' plans, on ten threads at once as the planner runs them, in one run's context. */
    private List<PlannedChange> planAll(StackContext run) throws Exception {
        LabelsType labels = new LabelsType(kube(), new InjectionLabelEffects(kube()));
        List<ResourceRef> refs = IntStream.range(0, NAMESPACES)
                .mapToObj(i -> new ResourceRef(ResourceAddress.parse("kubernetes.labels.team_" + i), spec(i))).toList();
        var live = labels.read(new ReadRequest(run, refs));
        ExecutorService pool = Executors.newFixedThreadPool(NAMESPACES);
        try {
            List<Future<PlannedChange>> planned = new ArrayList<>();
            for (int i = 0; i < NAMESPACES; i++) {
                ResourceRef r = refs.get(i);
                planned.add(pool.submit(() -> labels.plan(new PlanRequest(r.address(), r.spec(), null, live.get(r.address()), run))));
            }
            List<PlannedChange> out = new ArrayList<>();
            for (Future<PlannedChange> f : planned) {
                out.add(f.get(30, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** How many requests of each path the server received since the last call. */
    private Map<String, Integer> requests() throws InterruptedException {
        Map<String, Integer> out = new TreeMap<>();
        RecordedRequest r;
        while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            out.merge(r.getPath(), 1, Integer::sum);
        }
        return out;
    }

    private static CheckContext checks(StackContext run, CheckContext.Purpose purpose) {
        return new CheckContext(run.stack(), Map.of(), Map.of(), purpose, run);
    }

    @Test
    void tenLabelsPlansAndTheChecksReadTheWebhooksOnceAndTheConfigMapOnce() throws Exception {
        serve(200);
        requests();
        StackContext plan = StackContext.of(TestSpecs.stack(Environment.STAGING));
        List<PlannedChange> changes = planAll(plan);
        for (int i = 0; i < NAMESPACES; i++) {
            assertTrue(changes.get(i).details().contains(PlanDetail.note("sidecar injection turns on for namespace " + ns(i)
                    + "; no running pod needs a restart")), changes.get(i).details().toString());
        }
        ClusterView view = new LiveCluster.Runs(kube()).of(checks(plan, CheckContext.Purpose.PLAN));
        assertTrue(view.injectors().resolve("r1").isPresent(), "the checks see r1's webhooks");
        assertEquals(Map.of(), view.unread());
        Map<String, Integer> sent = requests();
        assertEquals(1, sent.get(WEBHOOKS), "one LIST of the webhooks for the run: " + sent);
        assertEquals(1, sent.get(R1_CONFIG_MAP), "one GET of r1's ConfigMap for the run: " + sent);
        IntStream.range(0, NAMESPACES).forEach(i -> assertEquals(1, sent.get("/api/v1/namespaces/" + ns(i) + "/pods"), ns(i)));

        // The apply is another run: its restarts read the webhooks as its changes left them, once for all ten.
        StackContext apply = StackContext.of(TestSpecs.stack(Environment.STAGING));
        InjectionLabelEffects effects = new InjectionLabelEffects(kube());
        for (int i = 0; i < NAMESPACES; i++) {
            effects.afterApply("kubernetes.labels.team_" + i, ns(i), Map.of(), Map.of("istio.io/rev", "r1"), spec(i), apply,
                    ProgressSink.NONE);
        }
        Map<String, Integer> applied = requests();
        assertEquals(1, applied.get(WEBHOOKS), "the apply reads again, once: " + applied);
        assertEquals(1, applied.get(R1_CONFIG_MAP), "the apply reads again, once: " + applied);
    }

    @Test
    void aRefusedListOfTheWebhooksIsSaidByThePlanAndTheChecks() throws Exception {
        serve(403);
        StackContext plan = StackContext.of(TestSpecs.stack(Environment.STAGING));
        List<PlannedChange> changes = planAll(plan);
        String note = "the injector webhooks (" + InjectorRead.WEBHOOKS + ") could not be read: forbidden (HTTP 403); namespace "
                + ns(0) + "'s injection is taken to be by the revision its labels name, whether or not it is installed, and its"
                + " injector policy to be Istio's default; grant list on mutatingwebhookconfigurations to have them read";
        assertTrue(changes.get(0).details().contains(PlanDetail.note(note)), changes.get(0).details().toString());
        ClusterView view = new LiveCluster.Runs(kube()).of(checks(plan, CheckContext.Purpose.PLAN));
        assertEquals(Map.of(InjectorRead.WEBHOOKS, "forbidden (HTTP 403)"), view.unread());
        var warned = ClusterUnread.findings(new PlannedMesh(checks(plan, CheckContext.Purpose.PLAN), view));
        assertTrue(warned.get(0).summary().contains("could not read " + InjectorRead.WEBHOOKS), warned.toString());
        assertEquals(1, requests().get(WEBHOOKS), "the refusal too is one LIST for the run");

        // drift does not pass green over webhooks it could not read
        StackContext drift = StackContext.forDrift(TestSpecs.stack(Environment.STAGING));
        ClusterView driftView = new LiveCluster.Runs(kube()).of(checks(drift, CheckContext.Purpose.DRIFT));
        var failed = assertThrows(DiagnosticsException.class, () -> ClusterUnread.findings(
                new PlannedMesh(checks(drift, CheckContext.Purpose.DRIFT), driftView)));
        assertTrue(failed.diagnostics().get(0).detail().contains(InjectorRead.WEBHOOKS + ": forbidden (HTTP 403)"),
                failed.diagnostics().get(0).detail());
    }
}

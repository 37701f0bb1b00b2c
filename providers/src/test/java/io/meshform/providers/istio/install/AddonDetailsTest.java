package io.meshform.providers.istio.install;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanJson;
import io.meshform.engine.plan.ResourceChange;
import io.meshform.engine.render.PlanMarkdown;
import io.meshform.engine.render.PlanText;
import io.meshform.engine.render.Style;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.istio.install.IstioAddons.Addon;
import io.meshform.providers.kubernetes.KubeConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Audit A, H3: an addon object in a plan shows what it will be (its body when created, a diff of what changes when it
 * differs), masked as a manifest is, in text, JSON and Markdown, not only its kind and name.
 */
@EnableKubernetesMockClient
class AddonDetailsTest {
    KubernetesClient client;

    static final String BINDING = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: kiali}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kiali}
            subjects: [{kind: ServiceAccount, name: kiali, namespace: istio-system}]
            """;

    private static ObjectNode object(String text) {
        return (ObjectNode) yaml(text);
    }

    private static String notes(List<PlanDetail> details) {
        StringBuilder sb = new StringBuilder();
        details.stream().filter(d -> d.kind() == PlanDetail.Kind.NOTE).forEach(d -> sb.append(d.text()).append('\n'));
        return sb.toString();
    }

    @Test
    void anObjectToCreateShowsItsWholeBodyUnderItsLine() {
        var details = AddonDetails.details(Addon.KIALI, object(BINDING), null);
        assertEquals(PlanDetail.add("ClusterRoleBinding kiali [addon kiali]"), details.get(0));
        String body = notes(details);
        assertTrue(body.contains("    roleRef:\n      apiGroup: rbac.authorization.k8s.io\n      kind: ClusterRole\n      name: kiali\n"), body);
        assertTrue(body.contains("    subjects:\n") && body.contains("name: kiali") && body.contains("namespace: istio-system"), body);
        assertEquals(1, details.stream().filter(PlanDetail::differs).count(), "the body lines are notes, not more objects");
        for (PlanDetail d : details) {
            assertEquals(d, PlanDetail.parse(d.line()), "a saved plan reads each line back as it was: " + d.line());
        }
    }

    @Test
    void sensitiveValuesAreMaskedAsAManifestsAre() {
        var cm = object("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: kiali
                  namespace: istio-system
                  annotations: {kubectl.kubernetes.io/last-applied-configuration: '{"token":"hunter2-secret"}'}
                data: {config.yaml: "auth: {strategy: anonymous}"}
                """);
        String created = notes(AddonDetails.details(Addon.KIALI, cm, null));
        assertFalse(created.contains("hunter2-secret"), created);
        assertTrue(created.contains("(sensitive)") && created.contains("strategy: anonymous"), created);
        var secret = object("apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: istio-system}\ndata: {password: aHVudGVyMg==}\n");
        String shown = notes(AddonDetails.details(Addon.KIALI, secret, null));
        assertFalse(shown.contains("aHVudGVyMg=="), shown);
        assertTrue(shown.contains("password: (sensitive)"), shown);
    }

    @Test
    void anObjectThatDiffersShowsTheFieldsThatChange() {
        var want = object("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: kiali, namespace: istio-system}
                spec:
                  replicas: 1
                  template:
                    spec:
                      serviceAccountName: kiali
                      containers: [{name: kiali, image: "quay.io/kiali/kiali:v2.2"}]
                """);
        JsonNode live = yaml("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: kiali, namespace: istio-system, resourceVersion: "7", uid: u}
                spec:
                  replicas: 1
                  progressDeadlineSeconds: 600
                  template:
                    spec:
                      serviceAccountName: kiali
                      containers: [{name: kiali, image: "quay.io/kiali/kiali:v2.1", imagePullPolicy: IfNotPresent}]
                status: {replicas: 1}
                """);
        var details = AddonDetails.details(Addon.KIALI, want, live);
        assertEquals(PlanDetail.change("Deployment istio-system/kiali (spec.template.spec.containers[0].image) [addon kiali]"),
                details.get(0));
        String diff = notes(details);
        assertTrue(diff.lines().anyMatch(l -> l.startsWith("    -") && l.contains("kiali:v2.1")), diff);
        assertTrue(diff.lines().anyMatch(l -> l.startsWith("    +") && l.contains("kiali:v2.2")), diff);
        assertFalse(diff.contains("progressDeadlineSeconds") || diff.contains("status") || diff.contains("resourceVersion"),
                "only the fields the addon file sets: " + diff);
        assertEquals(List.of(), AddonDetails.details(Addon.KIALI, want, yaml(AddonDetails.yaml(want))), "nothing differs, no lines");
    }

    /** A live object being put back to Istio's sample: its change line says so and the diff is folded, kept in JSON. */
    @Test
    void aChangeToAnObjectIdenticalToTheSampleFoldsItsDiff() {
        var want = object("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: grafana, namespace: istio-system}\ndata: {a: sample}\n");
        JsonNode live = yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: grafana, namespace: istio-system}\ndata: {a: edited}\n");
        var identical = new AddonSampleCheck.Verdict(AddonSampleCheck.Match.IDENTICAL, "1.30.3", "grafana.yaml", "c4a60c58e6ab".repeat(6),
                List.of());
        var details = AddonDetails.details(Addon.GRAFANA, want, live, identical);
        assertEquals(PlanDetail.change("ConfigMap istio-system/grafana (data.a) [addon grafana]: identical to Istio 1.30.3"
                + " samples/addons/grafana.yaml (sha256 c4a60c58e6ab…)"), details.get(0));
        assertTrue(details.size() > 1 && details.stream().skip(1).allMatch(d -> d.kind() == PlanDetail.Kind.FOLDED), details.toString());
        assertTrue(details.stream().anyMatch(d -> d.text().contains("+  a: sample")), details.toString());
    }

    @Test
    void rbacComesFirstAndConfigMapsLastAcrossAddons() {
        Map<Addon, List<ObjectNode>> wanted = new LinkedHashMap<>();
        wanted.put(Addon.GRAFANA, List.of(object("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dashboards, namespace: istio-system}\n")));
        wanted.put(Addon.KIALI, List.of(object(BINDING)));
        var lines = AddonDetails.compare(wanted, collection -> Map.of(), AddonSampleCheck.none()).stream().filter(PlanDetail::differs).toList();
        assertEquals(List.of(PlanDetail.add("ClusterRoleBinding kiali [addon kiali]"),
                PlanDetail.add("ConfigMap istio-system/dashboards [addon grafana]")), lines);
    }

    /** The whole path: istio.install's plan, then the three outputs a reviewer reads. */
    @Test
    void thePlanShowsAddonBodiesInTextJsonAndMarkdown(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("addons"));
        Files.writeString(dir.resolve("addons/kiali.yaml"), IstioAddonsTest.KIALI_RBAC);
        var type = new IstioInstallType(new KubeConnection(client, "meshform"),
                new Istioctl(IstioInstallFakeIstioctlTest.fake(dir).toString(), "test", null, null));
        var address = ResourceAddress.parse("istio.install.mesh");
        var spec = yaml("version: \"1.28\"\naddons: {kiali: true, manifests: \"" + dir.resolve("addons") + "\"}\n");
        var planned = type.plan(new PlanRequest(address, spec, null, null));
        var change = new ResourceChange(address, planned.action(), planned.reason(), planned.before(), planned.after(),
                planned.details(), planned.warnings(), planned.privateData(), null, List.of());
        var plan = new Plan("test", "s", "sha256:d", "l", 1, false, List.of(change), List.of());

        String text = new PlanText(Style.plain()).render(plan);
        assertTrue(text.contains("+ ClusterRoleBinding kiali [addon kiali]"), text);
        assertTrue(text.contains("roleRef:") && text.contains("quay.io/kiali/kiali:v2"), text);
        String json = new PlanJson().write(plan, false);
        assertTrue(json.contains("\"+ ClusterRoleBinding kiali [addon kiali]\"") && json.contains("\"    roleRef:\""), json);
        assertTrue(json.contains("serviceAccountName: kiali"), json);
        String markdown = new PlanMarkdown().render(plan);
        assertTrue(markdown.contains("roleRef:") && markdown.contains("serviceAccountName: kiali"), markdown);
        // A saved plan reads the lines back with their kinds: the bodies stay notes.
        var read = new PlanJson().read(new PlanJson().write(plan, true));
        assertEquals(planned.details(), read.changes().get(0).details());
    }

    private Plan planWithKiali(Path dir, String kiali) throws Exception {
        Files.createDirectories(dir.resolve("addons"));
        Files.writeString(dir.resolve("addons/kiali.yaml"), kiali);
        Path istioctl = IstioInstallFakeIstioctlTest.fake(dir);
        Files.writeString(istioctl, Files.readString(istioctl).replace("1.28.5", "1.30.3"));
        var type = new IstioInstallType(new KubeConnection(client, "meshform"), new Istioctl(istioctl.toString(), "test", null, null));
        var address = ResourceAddress.parse("istio.install.mesh");
        // The minor only: the samples compared are those of the release istioctl installs.
        var spec = yaml("version: \"1.30\"\naddons: {kiali: true, manifests: \"" + dir.resolve("addons") + "\"}\n");
        var planned = type.plan(new PlanRequest(address, spec, null, null));
        var change = new ResourceChange(address, planned.action(), planned.reason(), planned.before(), planned.after(),
                planned.details(), planned.warnings(), planned.privateData(), null, List.of());
        return new Plan("test", "s", "sha256:d", "l", 1, false, List.of(change), List.of());
    }

    /** Istio's own kiali.yaml is six lines in the text and Markdown plans; the JSON plan keeps every body line. */
    @Test
    void objectsIdenticalToIstiosSampleAreFoldedExceptInJson(@TempDir Path dir) throws Exception {
        Plan plan = planWithKiali(dir, AddonSampleCheckTest.istioKiali());
        String text = new PlanText(Style.plain()).render(plan);
        assertTrue(text.contains("+ ClusterRole kiali [addon kiali]: identical to Istio 1.30.3 samples/addons/kiali.yaml (sha256 "), text);
        assertEquals(6, text.lines().filter(l -> l.contains("identical to Istio 1.30.3 samples/addons/kiali.yaml")).count(), text);
        assertFalse(text.contains("rules:") || text.contains("quay.io/kiali/kiali") || text.contains("warning: kiali.yaml"), text);
        String markdown = new PlanMarkdown().render(plan);
        assertFalse(markdown.contains("quay.io/kiali/kiali"), markdown);
        String json = new PlanJson().write(plan, false);
        assertTrue(json.contains("\"    rules:\"") && json.contains("quay.io/kiali/kiali:v2.26"), "the JSON plan keeps the bodies");
        assertTrue(plan.changes().get(0).warnings().stream().noneMatch(w -> w.contains("kiali") || w.contains("addons")),
                plan.changes().get(0).warnings().toString());
    }

    /** A tampered object is shown in full and warned about; the untouched ones stay folded. */
    @Test
    void anObjectThatDiffersFromTheSampleIsShownInFullWithAWarning(@TempDir Path dir) throws Exception {
        String tampered = AddonSampleCheckTest.istioKiali().replaceFirst("  - watch\n", "  - watch\n  - delete\n");
        Plan plan = planWithKiali(dir, tampered);
        String text = new PlanText(Style.plain()).render(plan);
        assertTrue(text.contains("+ ClusterRole kiali [addon kiali]\n") && text.contains("      - delete\n"), text);
        assertTrue(text.contains("warning: kiali.yaml: ClusterRole kiali differs from Istio 1.30.3's sample: rules[0]"), text);
        assertTrue(text.contains("+ Deployment istio-system/kiali [addon kiali]: identical to Istio 1.30.3"), text);
        assertFalse(text.contains("quay.io/kiali/kiali"), text);
    }
}

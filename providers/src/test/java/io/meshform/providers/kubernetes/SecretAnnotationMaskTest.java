package io.meshform.providers.kubernetes;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.engine.drift.DriftDetector;
import io.meshform.engine.drift.DriftReport;
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
import io.meshform.engine.plan.SensitivePaths;
import io.meshform.engine.render.DriftFormats;
import io.meshform.engine.render.PlanMarkdown;
import io.meshform.engine.render.PlanText;
import io.meshform.engine.render.Style;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.Provider;
import io.meshform.engine.spi.ResourceType;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.providers.TestSpecs;
import io.meshform.state.ResourceState;
import io.meshform.state.StateSnapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stack must not read a live Secret through its annotations: {@code kubectl apply} keeps a copy of the whole object,
 * data in clear, in {@code kubectl.kubernetes.io/last-applied-configuration}, and a {@code kubernetes.labels} (kind
 * Secret) or an adopted {@code kubernetes.manifest} that declares that key reads its live value into the plan's
 * "before". Every annotation value of a Secret, and that annotation on every kind, is masked in the text, JSON and
 * Markdown plans (so the saved plan too), in the conflict warning, in state and in drift; a change still shows.
 */
@EnableKubernetesMockClient
class SecretAnnotationMaskTest {
    KubernetesMockServer server;
    KubernetesClient client;

    private static final String PASSWORD = "S3cr3tP4ss-LIVE";
    private static final String TOKEN = "ghp_LIVETOKEN1234567890";
    private static final String OTHER = "OPENSHIFT-TOKEN-VALUE-42";
    private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    private static final String SECRETS = "/api/v1/namespaces/victim/secrets";

    /** A Secret as {@code kubectl apply -f} leaves it: data, the last-applied copy, kubectl owning both. */
    private static String liveSecret() {
        String copy = "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"annotations\":{},\"name\":\"db-creds\","
                + "\"namespace\":\"victim\"},\"stringData\":{\"password\":\"" + PASSWORD + "\",\"token\":\"" + TOKEN + "\"}}\n";
        ObjectNode secret = Json.object();
        secret.put("apiVersion", "v1").put("kind", "Secret");
        ObjectNode md = secret.putObject("metadata");
        md.put("name", "db-creds").put("namespace", "victim").put("resourceVersion", "806").put("uid", "u-1");
        md.putObject("annotations").put(LAST_APPLIED, copy).put("openshift.io/token-secret.value", OTHER);
        ObjectNode f = Json.object();
        ObjectNode annotations = f.putObject("f:metadata").putObject("f:annotations");
        annotations.putObject(".");
        annotations.putObject("f:" + LAST_APPLIED);
        annotations.putObject("f:openshift.io/token-secret.value");
        f.putObject("f:data").putObject("f:password");
        ObjectNode entry = md.putArray("managedFields").addObject();
        entry.put("manager", "kubectl-client-side-apply").put("operation", "Update").put("apiVersion", "v1")
                .put("time", "2026-12-03T10:00:00Z").put("fieldsType", "FieldsV1").set("fieldsV1", f);
        secret.putObject("data").put("password", java.util.Base64.getEncoder().encodeToString(PASSWORD.getBytes()));
        secret.put("type", "Opaque");
        return secret.toString();
    }

    private TypeRegistry registry() {
        KubeConnection kube = new KubeConnection(client, "meshform");
        List<ResourceType> types = List.of(new LabelsType(kube), new ManifestType(kube));
        return new TypeRegistry(List.of(new Provider() {
            @Override
            public String name() {
                return "kubernetes";
            }

            @Override
            public List<ResourceType> resourceTypes() {
                return types;
            }
        }));
    }

    private static ResourceDecl decl(String address, String spec, boolean adopt) {
        return new ResourceDecl(ResourceAddress.parse(address), List.of(), yaml(spec), SourceLocator.none("stack.yaml"),
                new Lifecycle(false, adopt));
    }

    private static final String PEEK = "kind: Secret\napiVersion: v1\nnamespace: victim\nname: db-creds\nlabels: {a: b}\n"
            + "annotations: {" + LAST_APPLIED + ": x, openshift.io/token-secret.value: y}\n";
    private static final String ADOPT = "manifest:\n  apiVersion: v1\n  kind: Secret\n"
            + "  metadata:\n    name: db-creds\n    namespace: victim\n    annotations: {" + LAST_APPLIED + ": x}\n";

    /** Every output of the plan: the text and Markdown a reviewer sees, and the JSON a saved plan holds. */
    private static String outputs(Plan plan) {
        return new PlanText(Style.plain()).render(plan) + "\n" + new PlanJson().write(plan, true) + "\n"
                + new PlanMarkdown().render(plan);
    }

    private static void assertHidden(String text) {
        for (String secret : List.of(PASSWORD, TOKEN, OTHER, "stringData")) {
            assertFalse(text.contains(secret), "`" + secret + "` leaked:\n" + text);
        }
    }

    @Test
    void aPlanNeverShowsALiveSecretsAnnotations() {
        server.expect().get().withPath(SECRETS + "/db-creds").andReturn(200, liveSecret()).always();
        server.expect().patch().withPath(SECRETS + "/db-creds?fieldValidation=Strict&fieldManager=meshform&dryRun=All")
                .andReturn(409, new StatusBuilder().withStatus("Failure").withReason("Conflict").withCode(409)
                        .withMessage("Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using v1:"
                                + " .metadata.annotations." + LAST_APPLIED).build()).always();
        var stack = TestSpecs.stack(Environment.DEVELOPMENT, decl("kubernetes.labels.peek", PEEK, false),
                decl("kubernetes.manifest.peek", ADOPT, true));
        Plan plan = new Planner(registry(), "test").plan(stack, StateSnapshot.empty("test"), PlanOptions.defaults());

        String out = outputs(plan);
        assertHidden(out);
        ResourceChange labels = plan.changes().stream().filter(c -> c.address().toString().equals("kubernetes.labels.peek"))
                .findFirst().orElseThrow();
        ResourceChange manifest = plan.changes().stream().filter(c -> c.address().toString().equals("kubernetes.manifest.peek"))
                .findFirst().orElseThrow();
        // The change is still planned and visible, by key: only the values are masked, both sides.
        assertEquals(Action.UPDATE, labels.action());
        assertEquals(Action.UPDATE, manifest.action());
        assertEquals(Sensitive.MASK, labels.before().path("annotations").path(LAST_APPLIED).asString());
        assertEquals(Sensitive.CHANGED, labels.after().path("annotations").path(LAST_APPLIED).asString());
        assertEquals(Sensitive.CHANGED, labels.after().path("annotations").path("openshift.io/token-secret.value").asString());
        assertEquals(Sensitive.CHANGED,
                manifest.after().path("manifest").path("metadata").path("annotations").path(LAST_APPLIED).asString());
        assertEquals("b", labels.after().path("labels").path("a").asString(), "labels stay visible");
        assertTrue(out.contains(LAST_APPLIED), "the key stays visible:\n" + out);
        // The conflict is still reported, without the value it has now.
        String warning = String.join("\n", labels.warnings());
        assertTrue(warning.contains("annotation `" + LAST_APPLIED + "` is owned by field manager kubectl-client-side-apply"),
                warning);
        assertTrue(warning.contains("(now set, value (sensitive))"), warning);
        assertTrue(String.join("\n", manifest.warnings()).contains("the server reports a conflict"), manifest.warnings().toString());
    }

    @Test
    void theTypesWarningNamesNoSensitiveValueBeforeTheEngineRedacts() {
        server.expect().get().withPath(SECRETS + "/db-creds").andReturn(200, liveSecret()).always();
        LabelsType t = new LabelsType(new KubeConnection(client, "meshform"));
        var address = ResourceAddress.parse("kubernetes.labels.peek");
        var spec = yaml(PEEK);
        var live = t.read(new io.meshform.engine.spi.ReadRequest(List.of(new io.meshform.engine.spi.ResourceRef(address, spec))))
                .get(address);
        var change = t.plan(new io.meshform.engine.spi.PlanRequest(address, spec, null, live));
        assertEquals(2, change.warnings().size(), change.warnings().toString());
        assertHidden(String.join("\n", change.warnings()));
    }

    @Test
    void lastAppliedIsSensitiveOnEveryKindAndEveryAnnotationOfASecret() {
        var registry = registry();
        ResourceType labels = registry.get(LabelsType.NAME);
        ResourceType manifest = registry.get(ManifestType.NAME);
        JsonNode deployment = yaml("kind: Deployment\napiVersion: apps/v1\nnamespace: a\nname: web\nlabels: {a: b}\n"
                + "annotations: {" + LAST_APPLIED + ": \"{}\", note: visible}\n");
        String masked = Sensitive.mask(deployment, SensitivePaths.of(labels, deployment)).toString();
        assertTrue(masked.contains("\"note\":\"visible\"") && masked.contains("\"" + LAST_APPLIED + "\":\"(sensitive)\""), masked);

        JsonNode namespace = yaml("name: cortex\nlabels: {istio-injection: enabled}\nannotations: {" + LAST_APPLIED + ": \"{}\"}\n");
        assertTrue(Sensitive.mask(namespace, SensitivePaths.of(labels, namespace)).toString().contains("(sensitive)"));

        JsonNode configMap = yaml("manifest:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c\n"
                + "    annotations: {" + LAST_APPLIED + ": \"{}\", note: visible}\n  data: {k: visible}\n");
        String cm = Sensitive.mask(configMap, SensitivePaths.of(manifest, configMap)).toString();
        assertTrue(cm.contains("\"note\":\"visible\"") && cm.contains("\"k\":\"visible\"") && cm.contains("(sensitive)"), cm);

        JsonNode secret = yaml(ADOPT.replace("{" + LAST_APPLIED + ": x}", "{team: " + OTHER + "}"));
        String recorded = SensitivePaths.recordable(manifest, secret).toString();
        assertFalse(recorded.contains(OTHER), "state keeps digests of a Secret's annotations: " + recorded);
        assertTrue(recorded.contains("\"team\":\"sha256:"), recorded);
    }

    /** Drift plans the recorded Secret, whose annotations the state holds as digests: none is sent to the server. */
    @Test
    void aDigestedAnnotationNeverReachesTheServer() {
        ManifestType t = new ManifestType(new KubeConnection(client, "meshform"));
        var address = ResourceAddress.parse("kubernetes.manifest.peek");
        JsonNode recorded = SensitivePaths.recordable(t, yaml(ADOPT));
        assertTrue(recorded.toString().contains("sha256:"), recorded.toString());
        var live = new io.meshform.engine.spi.LiveObject(yaml(ADOPT.replace(": x}", ": \"sha256:" + "0".repeat(64) + "\"}")), "7");
        var change = t.plan(new io.meshform.engine.spi.PlanRequest(address, recorded, null, live));
        assertEquals(Action.UPDATE, change.action());
        assertEquals(0, server.getRequestCount(), "a digest must never reach the server");
    }

    /** Drift digests the live value as the state did, so a changed annotation shows as changed, neither value shown. */
    @Test
    void driftShowsAChangedSecretAnnotationWithoutEitherValue() {
        server.expect().get().withPath(SECRETS + "/db-creds").andReturn(200, liveSecret()).always();
        var registry = registry();
        var decl = decl("kubernetes.labels.peek", PEEK.replace(": x,", ": \"recorded-" + PASSWORD + "\","), false);
        JsonNode recorded = SensitivePaths.recordable(registry.get(LabelsType.NAME), decl);
        assertFalse(recorded.toString().contains(PASSWORD), recorded.toString());
        var state = StateSnapshot.empty("test").with(new ResourceState("kubernetes.labels.peek", LabelsType.NAME,
                (ObjectNode) recorded, Map.of()));
        var stack = TestSpecs.stack(Environment.DEVELOPMENT, decl);
        DriftReport report = new DriftDetector(registry).detect(stack, state, List.of());
        assertEquals(1, report.entries().size(), report.entries().toString());
        DriftFormats formats = new DriftFormats();
        for (String format : DriftFormats.NAMES) {
            assertHidden(formats.render(report, format, Style.plain()));
        }
        assertTrue(formats.render(report, "json", Style.plain()).contains(Sensitive.CHANGED));
    }
}

package io.meshform.providers.istio.injection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.testkit.Testbed;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The injector policy read from where istiod reads it, the {@code config} key of its revision's
 * {@code istio-sidecar-injector} ConfigMap (pilot/pkg/bootstrap/sidecarinjector.go, pkg/kube/inject/watcher.go, Istio
 * 1.30.3), as {@link Injectors#read} reads it for every revision the webhooks call.
 */
@EnableKubernetesMockClient
class InjectorConfigMapTest {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final String VALUES = "values:\n  global: {proxy: {autoInject: disabled}}\n  sidecarInjectorWebhook:\n"
            + "    neverInjectSelector: [{matchLabels: {app: mongo}}]\n"
            + "    alwaysInjectSelector: [{matchExpressions: [{key: app, operator: In, values: [mongo, api]}]}]\n";

    KubernetesMockServer server;
    KubernetesClient client;

    /** The ConfigMap key the test bed's istioctl renders for an install, its templates and all. */
    static String renderedConfig(String revision, String values) throws Exception {
        java.nio.file.Path iop = java.nio.file.Files.createTempFile("mf-iop", ".yaml");
        try {
            java.nio.file.Files.writeString(iop, "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  profile: minimal\n"
                    + "  revision: " + revision + "\n  " + values.replace("\n", "\n  ").stripTrailing() + "\n");
            Process p = new ProcessBuilder(Testbed.istioctl().toString(), "manifest", "generate", "-f", iop.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0, "istioctl manifest generate failed");
            for (JsonNode doc : YAML.readValues(YAML.createParser(out), JsonNode.class).readAll()) {
                if ("ConfigMap".equals(doc.path("kind").asString())
                        && InjectorConfigMap.name(revision).equals(doc.path("metadata").path("name").asString())) {
                    return doc.path("data").path("config").asString();
                }
            }
            throw new AssertionError("no " + InjectorConfigMap.name(revision) + " ConfigMap in the render");
        } finally {
            java.nio.file.Files.deleteIfExists(iop);
        }
    }

    @Test
    void theRenderedConfigKeyCarriesWhatTheInstallsValuesSay() throws Exception {
        InjectorPolicy fromConfigMap = InjectorConfigMap.parse(renderedConfig("r2", VALUES));
        JsonNode spec = YAML.readTree("version: \"1.30\"\nrevision: r2\n" + VALUES);
        InjectorPolicy fromInstall = Injectors.of(List.of(Map.of("istio.io/rev", "r2"))).plusInstalls(List.of(spec)).injectorPolicy("r2");
        assertEquals("disabled", fromConfigMap.policy());
        assertEquals(fromInstall, fromConfigMap, "the live ConfigMap and the stack's render agree on the same values");
        assertEquals(InjectorPolicy.DEFAULT, InjectorConfigMap.parse(renderedConfig("r3", "values: {}\n")));
    }

    @Test
    void aConfigWithoutPolicyInjectsNothingAndOneThatDoesNotParseIsNotTaken() {
        InjectorPolicy noPolicy = InjectorConfigMap.parse("neverInjectSelector: []\n");
        assertEquals("", noPolicy.policy(), "inject.Config's Policy unmarshals to \"\"");
        assertFalse(noPolicy.required(Map.of(), Map.of("sidecar.istio.io/inject", "true")), "\"Illegal value for autoInject\"");
        org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> InjectorConfigMap.parse("policy: [unclosed"));
    }

    public static String configuration(String name, String labels, String clientConfig) {
        return "{\"metadata\": {\"name\": \"" + name + "\", \"labels\": " + labels + "}, \"webhooks\": [{\"name\":"
                + " \"rev.namespace.sidecar-injector.istio.io\", \"clientConfig\": " + clientConfig + "}]}";
    }

    public static String configMap(String config) {
        return "{\"kind\": \"ConfigMap\", \"data\": {\"config\": " + tools.jackson.databind.json.JsonMapper.builder().build()
                .writeValueAsString(config) + ", \"values\": \"{}\"}}";
    }

    /**
     * Revision r1 installed by hand with a neverInjectSelector, the default revision whose ConfigMap the account may not
     * read, and a revision whose webhooks call a URL: one LIST and one GET per revision with a Service, and what could
     * not be read is named.
     */
    @Test
    void readsEachRevisionsConfigMapWhereItsWebhooksServiceIs() {
        server.expect().get().withPath(Injectors.WEBHOOKS + "?labelSelector=istio.io%2Frev").andReturn(200, "{\"items\": ["
                + configuration("istio-sidecar-injector-r1", "{\"istio.io/rev\": \"r1\"}",
                        "{\"service\": {\"name\": \"istiod-r1\", \"namespace\": \"mesh-system\"}}") + ", "
                + configuration("istio-sidecar-injector", "{\"istio.io/rev\": \"default\"}",
                        "{\"service\": {\"name\": \"istiod\", \"namespace\": \"istio-system\"}}") + ", "
                + configuration("istio-sidecar-injector-ext", "{\"istio.io/rev\": \"ext\"}", "{\"url\": \"https://istiod.example:15017/inject\"}")
                + "]}").once();
        server.expect().get().withPath("/api/v1/namespaces/mesh-system/configmaps/istio-sidecar-injector-r1")
                .andReturn(200, configMap("policy: enabled\nneverInjectSelector:\n  - matchLabels: {app: mongo}\n")).once();
        server.expect().get().withPath("/api/v1/namespaces/istio-system/configmaps/istio-sidecar-injector")
                .andReturn(403, "{\"kind\": \"Status\", \"code\": 403, \"reason\": \"Forbidden\"}").once();
        Injectors read = Injectors.read(client);
        assertEquals(3, server.getRequestCount(), "one LIST of webhooks, one GET per revision they call by Service");

        assertEquals(List.of(new InjectSelector(Map.of("app", "mongo"), List.of(), true)), read.injectorPolicy("r1").neverInject());
        assertFalse(read.injectorPolicy("r1").required(Map.of("app", "mongo"), Map.of()), "the hand-installed selector counts");
        assertEquals(Map.of("default", "the ConfigMap istio-system/istio-sidecar-injector: forbidden (HTTP 403)",
                "ext", "its webhooks call istiod by URL, not by a Service of this cluster, so where its istio-sidecar-injector-ext"
                        + " ConfigMap is is not known"), read.unreadPolicies());
        assertEquals(InjectorPolicy.DEFAULT, read.injectorPolicy("default"), "counts as the defaults, and says so");
        assertEquals(Map.of("default", "the ConfigMap istio-system/istio-sidecar-injector: forbidden (HTTP 403)"),
                read.assumed(List.of(Map.of("istio-injection", "enabled"), Map.of("istio.io/rev", "r1"), Map.of())));
        assertTrue(Injectors.assumedNote(read.assumed(List.of(Map.of("istio-injection", "enabled")))).orElseThrow()
                .startsWith("the injector policy of revision default could not be read (revision default: the ConfigMap"
                        + " istio-system/istio-sidecar-injector: forbidden (HTTP 403)), so which pods get a sidecar assumes"
                        + " Istio's defaults"));

        Injectors stack = read.plusInstalls(List.of(YAML.readTree("version: \"1.30\"\nvalues: {global: {proxy: {autoInject: disabled}}}\n"),
                YAML.readTree("version: \"1.30\"\nrevision: r1\n")));
        assertEquals(Map.of(), stack.assumed(List.of(Map.of("istio-injection", "enabled"))), "the stack's render stands in");
        assertEquals("disabled", stack.policy("default"));
        assertEquals(InjectorPolicy.DEFAULT, stack.injectorPolicy("r1"), "the plan leaves r1 as the stack renders it");
    }

    @Test
    void anAbsentConfigMapIsNamedAsSuch() {
        server.expect().get().withPath(Injectors.WEBHOOKS + "?labelSelector=istio.io%2Frev").andReturn(200, "{\"items\": ["
                + configuration("istio-revision-tag-prod", "{\"istio.io/rev\": \"r1\", \"istio.io/tag\": \"prod\"}",
                        "{\"service\": {\"name\": \"istiod-r1\", \"namespace\": \"istio-system\"}}") + "]}").once();
        Injectors read = Injectors.read(client);
        assertEquals(Map.of("r1", "the ConfigMap istio-system/istio-sidecar-injector-r1 is absent (an istiod started without it"
                + " runs no injector; one started before keeps what it read)"), read.assumed(List.of(Map.of("istio.io/rev", "prod"))),
                "a tag's webhooks name the revision whose ConfigMap counts");
    }
}

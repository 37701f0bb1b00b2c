package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each example stack end to end on the live cluster with the real istioctl: validate, plan, apply, a second plan
 * with no changes, an outside change that drift reports with exit 2, destroy. The examples act on the real
 * Cortex namespaces and istio-system, so these tests run one after the other.
 */
@LiveClusterTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExamplesIT {
    private static final ResourceDefinitionContext PEER_AUTH = new ResourceDefinitionContext.Builder()
            .withGroup("security.istio.io").withVersion("v1").withKind("PeerAuthentication")
            .withPlural("peerauthentications").withNamespaced(true).build();

    @TempDir
    Path dir;
    /** The staging stack's addon directory when a test tampers with a copy; else the test bed's copy of Istio's samples. */
    private Path addons;

    record Result(int code, String out, String err) {
    }

    private static Path repo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("examples/cortex-base.yaml"))) {
            p = p.getParent();
        }
        assertNotNull(p, "run from inside the meshform checkout");
        return p;
    }

    private Result meshform(ClusterContext cluster, String stack, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", repo().resolve("examples").resolve(stack).toString(),
                "--kubeconfig", cluster.kubeconfigPath().toString(),
                "--istioctl", cluster.istioctl().toString()));
        if (!args[0].equals("validate")) {
            // validate reads no state and refuses --state rather than ignore it
            all.addAll(List.of("--state", dir.resolve(stack + ".state.json").toString()));
        }
        if (stack.equals("cortex-staging.yaml")) {
            // The test bed's copy of Istio's samples lives outside the examples directory, the stack's root.
            all.addAll(List.of("--var", "istioAddons=" + (addons != null ? addons : io.meshform.testkit.Testbed.istioAddons()),
                    "--allow-outside-root"));
        }
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void cortexNamespacesExist(KubernetesClient client) {
        for (String ns : List.of("cortex", "cortex-compute")) {
            if (client.namespaces().withName(ns).get() == null) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            }
        }
        // The Cortex installation runs the auth proxy the examples' extAuthz provider names; without its Service the
        // plan and drift say (truly) that every ingress request would get 403.
        client.services().inNamespace("cortex").resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata().withName("cortex-auth-proxy").endMetadata()
                .withNewSpec().addToSelector("app", "cortex-auth-proxy").addNewPort().withName("http").withPort(8080).endPort().endSpec()
                .build()).createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
    }

    /**
     * Starts each cycle from a cluster with Cortex but without Istio: no install, no policies (other tests and
     * earlier runs leave them behind, some with fields owned by other managers), no injection labels.
     */
    private static void cleanSlate(ClusterContext cluster) throws IOException, InterruptedException {
        KubernetesClient client = cluster.client();
        cortexNamespacesExist(client);
        // --purge removes the CRDs and with them every policy. It waited here 10 s for one CRD, then went on silently:
        // an install applied onto a CRD still terminating sees it vanish afterwards.
        NoIstio.uninstall(cluster);
        for (String ns : List.of("cortex", "cortex-compute")) {
            client.namespaces().withName(ns).edit(n -> {
                if (n.getMetadata().getLabels() != null) {
                    n.getMetadata().getLabels().remove("istio-injection");
                }
                return n;
            });
        }
        awaitSettled(client);
    }

    /**
     * Waits until no pod is on its way out: Istio's pods after the uninstall (the garbage collector deletes them after
     * their Deployments) and those of namespaces earlier tests deleted. The plan of an example lists running pods (the
     * mTLS reachability preview, proxies on an old revision), and applying a saved plan refuses it when planning again
     * gives other details, so a pod that goes between the two (CI, 2026-12-04: ExamplesIT.production after other
     * tests' namespaces) failed the saved-plan apply. The same for the last install's objects (CI, 2026-12-05:
     * ExamplesIT.staging's saved plan refused for the install's details after production's uninstall).
     */
    private static void awaitSettled(KubernetesClient client) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String pending = "";
        while (System.nanoTime() < deadline) {
            List<String> going = new java.util.ArrayList<>();
            client.namespaces().list().getItems().stream().filter(n -> n.getMetadata().getDeletionTimestamp() != null)
                    .forEach(n -> going.add("namespace " + n.getMetadata().getName()));
            client.pods().inAnyNamespace().list().getItems().stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() != null
                            || "istio-system".equals(p.getMetadata().getNamespace())
                            && p.getMetadata().getLabels() != null
                            && p.getMetadata().getLabels().containsKey("operator.istio.io/component"))
                    .forEach(p -> going.add("pod " + p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()));
            // The install's plan compares istioctl's render with the live objects of those names, so one the uninstall
            // or the garbage collector removes between the plan and the saved plan's apply changes its details.
            String owned = "install.operator.istio.io/owning-resource";
            java.util.stream.Stream.of(client.apps().deployments().inNamespace("istio-system").withLabel(owned).list().getItems(),
                            client.services().inNamespace("istio-system").withLabel(owned).list().getItems(),
                            client.configMaps().inNamespace("istio-system").withLabel(owned).list().getItems(),
                            client.serviceAccounts().inNamespace("istio-system").withLabel(owned).list().getItems(),
                            client.admissionRegistration().v1().mutatingWebhookConfigurations().withLabel(owned).list().getItems(),
                            client.admissionRegistration().v1().validatingWebhookConfigurations().withLabel(owned).list().getItems())
                    .flatMap(List::stream)
                    .forEach(o -> going.add(o.getClass().getSimpleName() + " " + o.getMetadata().getName() + " of the last install"));
            if (going.isEmpty()) {
                return;
            }
            pending = String.join(", ", going);
            Thread.sleep(250);
        }
        throw new AssertionError("still going after 120 s: " + pending);
    }

    private void fullCycle(ClusterContext cluster, String stack) throws IOException, InterruptedException {
        KubernetesClient client = cluster.client();
        cleanSlate(cluster);

        Result validate = meshform(cluster, stack, "validate");
        assertEquals(0, validate.code(), validate.err());

        Result plan = meshform(cluster, stack, "plan", "--detailed-exitcode");
        assertEquals(2, plan.code(), plan.out() + plan.err());
        assertTrue(plan.out().contains("istio.peerAuthentication.mesh-strict"), plan.out());
        if (stack.contains("staging")) {
            addonsAreFoldedAndTamperingIsCaught(cluster, stack, plan.out());
        }

        // Through a saved plan: apply plans the stack again and compares it with the file, change by change (the
        // istioctl-rendered install, the checks' warnings and details included), so this plan must come back exactly.
        Path planFile = dir.resolve("example.plan");
        Result saved = meshform(cluster, stack, "plan", "--out", planFile.toString());
        assertEquals(0, saved.code(), saved.out() + saved.err());
        Result apply = meshform(cluster, stack, "apply", planFile.toString());
        assertEquals(0, apply.code(), apply.out() + apply.err());
        assertTrue(apply.out().contains("Apply complete!"), apply.out());
        String mesh = client.configMaps().inNamespace("istio-system").withName("istio").get().getData().get("mesh");
        assertTrue(mesh.contains("envoyExtAuthzHttp") && mesh.contains("cortex-auth-proxy.cortex.svc.cluster.local"),
                "the auth proxy is an extension provider in the mesh config:\n" + mesh);
        boolean staging = stack.contains("staging");
        for (String addon : List.of("kiali", "prometheus", "grafana", "jaeger")) {
            assertEquals(staging, client.apps().deployments().inNamespace("istio-system").withName(addon).get() != null,
                    addon + " runs in staging only");
        }
        assertEquals("enabled", client.namespaces().withName("cortex").get().getMetadata().getLabels().get("istio-injection"));
        GenericKubernetesResource strict = client.genericKubernetesResources(PEER_AUTH).inNamespace("istio-system").withName("default").get();
        assertEquals("STRICT", ((Map<?, ?>) strict.get("spec", "mtls")).get("mode"));
        assertNotNull(client.genericKubernetesResources(PEER_AUTH).inNamespace("cortex-compute").withName("spark-executor").get());

        Result again = meshform(cluster, stack, "plan", "--detailed-exitcode");
        assertEquals(0, again.code(), again.out() + again.err());
        assertTrue(again.out().contains("No changes."), again.out());
        // A plan that leaves the CUSTOM policy out (it stays as it is live) judges the paths its coverage block
        // declares, as the full plan does, not a generic /app/x.
        Result targeted = meshform(cluster, stack, "plan", "--target", "istio.peerAuthentication.mongo");
        assertEquals(0, targeted.code(), targeted.out() + targeted.err());
        assertEquals(coverageLine(again.out() + again.err()), coverageLine(targeted.out() + targeted.err()),
                targeted.out() + targeted.err());
        assertTrue((targeted.out() + targeted.err()).contains("the coverage paths istio.authorizationPolicy.ingress-auth"
                + " declares, judged against its live object (this plan leaves it out)"), targeted.out() + targeted.err());

        // What `kubectl label namespace cortex istio-injection-` would do.
        client.namespaces().withName("cortex").edit(n -> {
            n.getMetadata().getLabels().remove("istio-injection");
            return n;
        });
        Result drift = meshform(cluster, stack, "drift", "--format", "json");
        assertEquals(2, drift.code(), drift.out() + drift.err());
        assertTrue(drift.out().contains("\"address\" : \"kubernetes.labels.cortex-injection\""), drift.out());

        // An object meshform does not manage that weakens the declared STRICT mTLS is drift too.
        GenericKubernetesResource open = new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
                .withApiVersion("security.istio.io/v1").withKind("PeerAuthentication")
                .withNewMetadata().withName("debug-open").withNamespace("cortex").endMetadata()
                .addToAdditionalProperties("spec", Map.of("mtls", Map.of("mode", "PERMISSIVE"))).build();
        client.genericKubernetesResources(PEER_AUTH).inNamespace("cortex").resource(open).create();
        Result weakened = meshform(cluster, stack, "drift");
        assertEquals(2, weakened.code(), weakened.out() + weakened.err());
        assertTrue(weakened.out().contains("PeerAuthentication cortex/debug-open, which the stack does not manage"), weakened.out());
        // The JSON report names the check and says it weakens (other checks' findings are "degraded" or "unchecked").
        Result weakenedJson = meshform(cluster, stack, "drift", "--format", "json");
        assertTrue(tools.jackson.databind.json.JsonMapper.builder().build().readTree(weakenedJson.out()).path("drift")
                .valueStream().anyMatch(e -> e.path("kind").asString("").equals("weakened")
                        && e.path("check").asString("").equals("unmanaged-weaker-mtls")), weakenedJson.out());
        client.genericKubernetesResources(PEER_AUTH).inNamespace("cortex").withName("debug-open").delete();

        // Putting the label back is the one step, and apply runs only what its plan showed: no "Recording" of the
        // unchanged install (its recorded numbers, read back from the state's JSON, once looked different).
        Result fix = meshform(cluster, stack, "apply", "--auto-approve");
        assertEquals(0, fix.code(), fix.out() + fix.err());
        assertTrue(fix.out().contains("Resources: 0 added, 1 changed, 0 destroyed."), fix.out());
        assertFalse(fix.out().contains("istio.install.mesh:"), fix.out());
        if (stack.contains("production")) {
            envoyFilterMakesTheCoverageUnknown(cluster, stack);
        }

        Result destroy = meshform(cluster, stack, "destroy", "--auto-approve");
        boolean protectedInstall = stack.contains("production");
        if (protectedInstall) {
            // Production protects its Istio install: destroy stops before changing anything.
            assertEquals(1, destroy.code(), destroy.out() + destroy.err());
            assertTrue((destroy.out() + destroy.err()).contains("`istio.install.mesh` has lifecycle.preventDestroy"),
                    destroy.out() + destroy.err());
            assertNotNull(client.genericKubernetesResources(PEER_AUTH).inNamespace("cortex").withName("mongo").get(), "nothing changed");
            destroy = meshform(cluster, stack, "destroy", "--auto-approve", "--exclude", "istio.install.mesh");
        }
        assertEquals(0, destroy.code(), destroy.out() + destroy.err());
        assertNull(client.genericKubernetesResources(PEER_AUTH).inNamespace("cortex").withName("mongo").get());
        assertNotNull(client.namespaces().withName("cortex").get(), "destroy removes meshform's labels, never the Cortex namespace");
        var istiod = client.apps().deployments().inNamespace("istio-system").withName("istiod").get();
        if (protectedInstall) {
            assertTrue(istiod != null && istiod.getMetadata().getDeletionTimestamp() == null, "the protected install keeps running");
        } else {
            // Destroy returns once the objects istioctl uninstall deleted in the foreground are gone (UninstallWait).
            assertNull(istiod, "istiod is gone once destroy returns:\n" + destroy.out());
        }
        for (String addon : List.of("kiali", "prometheus", "grafana", "jaeger")) {
            assertNull(client.apps().deployments().inNamespace("istio-system").withName(addon).get(),
                    "destroy returns once the " + addon + " addon is gone");
        }
    }

    /**
     * The attacker audit's EnvoyFilter: it REMOVEs the ext_authz filter from the ingress gateway, so the gateway calls no
     * auth proxy whatever the AuthorizationPolicies say. drift was green with it ("No drift", exit 0, "0 let through");
     * now it is a finding that names it, and without it drift is green again.
     */
    private void envoyFilterMakesTheCoverageUnknown(ClusterContext cluster, String stack) {
        Result clean = meshform(cluster, stack, "drift");
        assertEquals(0, clean.code(), clean.out() + clean.err());
        assertTrue(clean.out().contains("No drift"), clean.out());
        ResourceDefinitionContext envoyFilters = new ResourceDefinitionContext.Builder().withGroup("networking.istio.io")
                .withVersion("v1alpha3").withKind("EnvoyFilter").withPlural("envoyfilters").withNamespaced(true).build();
        GenericKubernetesResource removeAuthz = new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
                .withApiVersion("networking.istio.io/v1alpha3").withKind("EnvoyFilter")
                .withNewMetadata().withName("no-ext-authz").withNamespace("istio-system").endMetadata()
                .addToAdditionalProperties("spec", Map.of("workloadSelector", Map.of("labels", Map.of("istio", "ingressgateway")),
                        "configPatches", List.of(Map.of("applyTo", "HTTP_FILTER",
                                "match", Map.of("context", "GATEWAY", "listener", Map.of("filterChain", Map.of("filter", Map.of(
                                        "name", "envoy.filters.network.http_connection_manager",
                                        "subFilter", Map.of("name", "envoy.filters.http.ext_authz"))))),
                                "patch", Map.of("operation", "REMOVE"))))).build();
        cluster.client().genericKubernetesResources(envoyFilters).inNamespace("istio-system").resource(removeAuthz).create();
        try {
            Result patched = meshform(cluster, stack, "drift");
            String all = patched.out() + patched.err();
            assertEquals(2, patched.code(), all);
            assertFalse(all.contains("No drift"), all);
            assertTrue(all.contains("ingress coverage of istio-system/istio-ingressgateway is not known: EnvoyFilter"
                    + " istio-system/no-ext-authz patches the gateway's Envoy config"), all);
            assertTrue(all.contains("HTTP_FILTER REMOVE envoy.filters.http.ext_authz"), all);
            assertTrue(coverageLine(all).contains("not known, EnvoyFilter istio-system/no-ext-authz patches it"), all);
            assertFalse(coverageLine(all).matches(".*paths checked, \\d+ let through.*"), "no count is the gateway's: " + all);
        } finally {
            cluster.client().genericKubernetesResources(envoyFilters).inNamespace("istio-system").withName("no-ext-authz").delete();
        }
        Result again = meshform(cluster, stack, "drift");
        assertEquals(0, again.code(), again.out() + again.err());
    }

    /** The ingress coverage note's summary line ("... N paths checked, ..."), which says what was judged. */
    private static String coverageLine(String output) {
        return output.lines().filter(l -> l.contains("ingress coverage of istio-system/istio-ingressgateway:")).findFirst()
                .orElseThrow(() -> new AssertionError("no ingress coverage note in:\n" + output));
    }

    /**
     * The test bed's addon files are Istio 1.30.3's own: each of their objects is one line of the plan, not 240 KB of
     * Grafana dashboards. A tampered copy is shown and warned about, and --strict refuses it.
     */
    private void addonsAreFoldedAndTamperingIsCaught(ClusterContext cluster, String stack, String planText) throws IOException {
        List<String> addonLines = planText.lines().filter(l -> l.contains("[addon ")).toList();
        assertEquals(23, addonLines.size(), planText);
        assertTrue(addonLines.stream().allMatch(l -> l.contains(": identical to Istio 1.30.3 samples/addons/")), planText);
        int addonPart = addonLines.stream().mapToInt(l -> l.length() + 1).sum();
        assertTrue(addonPart < 4096, "the addon part of the plan is " + addonPart + " bytes:\n" + planText);
        assertFalse(planText.contains("differs from Istio") || planText.contains("could not be compared"), planText);

        Path tampered = dir.resolve("addons");
        Files.createDirectories(tampered);
        for (String f : List.of("kiali.yaml", "prometheus.yaml", "grafana.yaml", "jaeger.yaml")) {
            Files.copy(io.meshform.testkit.Testbed.istioAddons().resolve(f), tampered.resolve(f));
        }
        String kiali = Files.readString(tampered.resolve("kiali.yaml"));
        Files.writeString(tampered.resolve("kiali.yaml"), kiali.replaceFirst("  - watch\n", "  - watch\n  - delete\n"));
        addons = tampered;
        try {
            Result shown = meshform(cluster, stack, "plan");
            assertEquals(0, shown.code(), shown.out() + shown.err());
            assertTrue(shown.out().contains("warning: kiali.yaml: ClusterRole kiali differs from Istio 1.30.3's sample: rules[0]"),
                    shown.out());
            assertTrue(shown.out().contains("+ ClusterRole kiali [addon kiali]\n") && shown.out().contains("- delete"), shown.out());
            Result strict = meshform(cluster, stack, "plan", "--strict");
            assertEquals(1, strict.code(), strict.out() + strict.err());
            assertTrue(strict.err().contains("ClusterRole kiali differs from Istio 1.30.3's sample: rules[0]"), strict.err());
        } finally {
            addons = null;
        }
    }

    @Test
    @Order(1)
    void production(ClusterContext cluster) throws IOException, InterruptedException {
        fullCycle(cluster, "cortex-production.yaml");
    }

    @Test
    @Order(2)
    void staging(ClusterContext cluster) throws IOException, InterruptedException {
        fullCycle(cluster, "cortex-staging.yaml");
    }

    @Test
    @Order(3)
    void quickStartThroughTheLauncher(ClusterContext cluster) throws IOException, InterruptedException {
        cleanSlate(cluster);
        Path state = dir.resolve("launcher.state.json");
        List<String> common = List.of("-f", "examples/cortex-production.yaml", "--state", state.toString(),
                "--kubeconfig", cluster.kubeconfigPath().toString(), "--istioctl", cluster.istioctl().toString());
        assertEquals(0, launch(List.of("apply", "--auto-approve"), common));
        assertEquals(0, launch(List.of("plan", "--detailed-exitcode"), common));
        assertEquals(1, launch(List.of("destroy", "--auto-approve"), common), "the production install is protected");
        assertEquals(0, launch(List.of("destroy", "--auto-approve", "--exclude", "istio.install.mesh"), common));
        assertFalse(Files.readString(state).contains("istio.peerAuthentication"), "the rest is gone from the state");
        assertTrue(Files.readString(state).contains("istio.install.mesh"), "the protected install stays recorded");
    }

    @Test
    @Order(4)
    void driftCronJobManifestIsAcceptedByTheServer(ClusterContext cluster) throws IOException {
        KubernetesClient client = cluster.client();
        if (client.namespaces().withName("cortex-ops").get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("cortex-ops").endMetadata().build()).create();
        }
        var objects = client.load(Files.newInputStream(repo().resolve("examples/drift-cronjob.yaml"))).items();
        assertEquals(6, objects.size());
        for (var o : objects) {
            // A server-side dry run validates each object against the real schema without creating it.
            assertNotNull(client.resource(o).dryRun().fieldManager("meshform-test").serverSideApply(), o.getKind());
        }
    }

    @Test
    @Order(5)
    void stateInTheClusterWithStateSecret(ClusterContext cluster) throws IOException, InterruptedException {
        cleanSlate(cluster);
        String namespace = cluster.newNamespace();
        List<String> state = List.of("--state-secret", namespace + "/production");
        Result apply = meshformWith(cluster, "cortex-production.yaml", state, "apply", "--auto-approve");
        assertEquals(0, apply.code(), apply.out() + apply.err());
        assertNotNull(cluster.client().secrets().inNamespace(namespace).withName("meshform-state-production").get());
        Result plan = meshformWith(cluster, "cortex-production.yaml", state, "plan", "--detailed-exitcode");
        assertEquals(0, plan.code(), plan.out() + plan.err());
        Result destroy = meshformWith(cluster, "cortex-production.yaml", state, "destroy", "--auto-approve",
                "--exclude", "istio.install.mesh");
        assertEquals(0, destroy.code(), destroy.out() + destroy.err());
    }

    /**
     * The drift CronJob's service account, with exactly the example's RBAC, runs drift against state the pipeline
     * applied with admin rights: the read-only grants are enough, and an apply with them is refused.
     */
    @Test
    @Order(6)
    void driftRunsWithTheCronJobsReadOnlyServiceAccount(ClusterContext cluster) throws IOException, InterruptedException {
        cleanSlate(cluster);
        KubernetesClient client = cluster.client();
        if (client.namespaces().withName("cortex-ops").get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("cortex-ops").endMetadata().build()).create();
        }
        List<String> state = List.of("--state-secret", "cortex-ops/production");
        Result apply = meshformWith(cluster, "cortex-production.yaml", state, "apply", "--auto-approve");
        assertEquals(0, apply.code(), apply.out() + apply.err());

        for (var o : client.load(Files.newInputStream(repo().resolve("examples/drift-cronjob.yaml"))).items()) {
            if (!o.getKind().equals("CronJob")) {
                client.resource(o).fieldManager("meshform-test").forceConflicts().serverSideApply();
            }
        }
        String token = client.serviceAccounts().inNamespace("cortex-ops").withName("meshform-drift")
                .tokenRequest(new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder()
                        .withNewSpec().withExpirationSeconds(600L).endSpec().build())
                .getStatus().getToken();
        var admin = io.fabric8.kubernetes.client.Config.fromKubeconfig(Files.readString(cluster.kubeconfigPath()));
        String ca = admin.getCaCertData() != null ? admin.getCaCertData()
                : java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(admin.getCaCertFile())));
        Path kubeconfig = dir.resolve("drift-sa.kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: dev, cluster: {server: "%s", certificate-authority-data: %s}}]
                users: [{name: meshform-drift, user: {token: %s}}]
                contexts: [{name: drift, context: {cluster: dev, user: meshform-drift}}]
                current-context: drift
                """.formatted(admin.getMasterUrl(), ca, token));

        // The CronJob's own arguments, but the stack's path, the text format and the istioctl under test.
        Result drift = meshformAs(kubeconfig, "drift", "-f", repo().resolve("examples/cortex-production.yaml").toString(),
                "--state-secret", "cortex-ops/production", "--no-analyze", "--fail-on-pending", "--istioctl",
                cluster.istioctl().toString());
        assertEquals(0, drift.code(), "drift with the CronJob's rights:\n" + drift.out() + drift.err());
        assertTrue(drift.out().contains("No drift."), drift.out());
        // Every check ran with these rights: a check that could not read what it needs says "did not run", and a
        // nightly job that exits 0 with that note is a silent pass.
        assertFalse((drift.out() + drift.err()).contains("did not run"), drift.out() + drift.err());
        assertTrue(drift.out().contains("istioctl analyze skipped (--no-analyze)"), drift.out());
        assertTrue(Files.readString(repo().resolve("examples/drift-cronjob.yaml")).contains(
                "markdown,\n                --no-analyze, --fail-on-pending]"),
                "the CronJob runs drift with --no-analyze and --fail-on-pending, as tested here");

        Result denied = meshformAs(kubeconfig, "apply", "--auto-approve", "-f",
                repo().resolve("examples/cortex-production.yaml").toString(), "--state-secret", "cortex-ops/production",
                "--istioctl", cluster.istioctl().toString());
        assertEquals(1, denied.code(), denied.out() + denied.err());
        assertTrue((denied.out() + denied.err()).toLowerCase().contains("forbidden"), denied.out() + denied.err());

        Result destroy = meshformWith(cluster, "cortex-production.yaml", state, "destroy", "--auto-approve",
                "--exclude", "istio.install.mesh");
        assertEquals(0, destroy.code(), destroy.out() + destroy.err());
    }

    /**
     * An install whose meshConfig holds a sensitive variable's value: the state keeps its digest, never the value, yet
     * drift right after the apply finds nothing (it once rendered the digest with istioctl and found it differs from
     * the value in the istio ConfigMap, every night), and a value changed in the ConfigMap by hand is drift, masked.
     */
    @Test
    @Order(7)
    void aSensitiveValueInMeshConfigIsNoDriftUntilChangedByHand(ClusterContext cluster) throws IOException, InterruptedException {
        cleanSlate(cluster);
        String token = "Mesh-T0ken-4e8b1c";
        String byHand = "changed-by-kubectl-7";
        Path stack = dir.resolve("sensitive-mesh.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: sensitive-mesh}
                variables:
                  token: {type: string, sensitive: true}
                resources:
                  - type: istio.install
                    name: mesh
                    spec:
                      version: "%s"
                      profile: default
                      meshConfig:
                        defaultConfig:
                          proxyMetadata: {AUTH_TOKEN: "${var.token}"}
                """.formatted(io.meshform.testkit.Testbed.versions().get("ISTIO_VERSION")));
        Path state = dir.resolve("sensitive-mesh.state.json");
        java.util.function.Function<String[], Result> run = args -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            List<String> all = new ArrayList<>(List.of(args));
            all.addAll(List.of("-f", stack.toString(), "--state", state.toString(),
                    "--kubeconfig", cluster.kubeconfigPath().toString(), "--istioctl", cluster.istioctl().toString()));
            // From the environment, as a CI job passes its secrets.
            int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]),
                    Map.of("MESHFORM_VAR_token", token), false), all.toArray(String[]::new));
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        };
        java.util.function.BiConsumer<String, String> clean = (where, text) -> {
            assertFalse(text.contains(token), where + " shows the value:\n" + text);
            assertFalse(text.contains(byHand), where + " shows the value changed by hand:\n" + text);
        };

        Result apply = run.apply(new String[] {"apply", "--auto-approve"});
        assertEquals(0, apply.code(), apply.out() + apply.err());
        clean.accept("apply", apply.out() + apply.err());
        KubernetesClient client = cluster.client();
        String mesh = client.configMaps().inNamespace("istio-system").withName("istio").get().getData().get("mesh");
        assertTrue(mesh.contains("AUTH_TOKEN: " + token), "istioctl put the value in the mesh config:\n" + mesh);
        assertFalse(Files.readString(state).contains(token), "the state keeps a digest, never the value");

        Result plan = run.apply(new String[] {"plan", "--detailed-exitcode"});
        assertEquals(0, plan.code(), plan.out() + plan.err());
        Result drift = run.apply(new String[] {"drift"});
        assertEquals(0, drift.code(), "what was applied is what runs:\n" + drift.out() + drift.err());
        assertTrue(drift.out().contains("No drift."), drift.out());

        // What `kubectl edit configmap istio -n istio-system` would do.
        client.configMaps().inNamespace("istio-system").withName("istio").edit(c -> {
            c.getData().put("mesh", c.getData().get("mesh").replace(token, byHand));
            return c;
        });
        for (String format : List.of("text", "json", "markdown", "junit")) {
            Path report = dir.resolve("sensitive-drift." + format);
            Result changed = run.apply(new String[] {"drift", "--format", format, "--output", report.toString()});
            assertEquals(2, changed.code(), format + ": " + changed.out() + changed.err());
            String text = Files.readString(report);
            assertTrue(text.contains("istio.install.mesh") && text.contains("ConfigMap istio-system/istio"), format + ":\n" + text);
            clean.accept("drift " + format, text + changed.out() + changed.err());
        }
    }

    /**
     * The stack's sensitive meshConfig value rotated and not applied yet: state knows the applied value only by its
     * digest and istioctl cannot render a digest. Drift used to say "changed outside meshform (rendered manifests
     * changed; 3 object(s) differ from the cluster)" of a cluster exactly as applied; it now checks all the rest of the
     * install, names what the value reaches as not checked (failing with --fail-on-pending), still finds a hand change
     * to a checked part, and plan shows the rotation as an update. No output, report, saved plan, state or kept
     * istioctl answer holds either value.
     */
    @Test
    @Order(8)
    void aRotatedSensitiveValueIsNotCheckedUntilAppliedAndSaysSo(ClusterContext cluster) throws IOException, InterruptedException {
        cleanSlate(cluster);
        String applied = "Applied-T0ken-9c2d41";
        String rotated = "Rotated-T0ken-5e7f03";
        Path stack = dir.resolve("rotated-mesh.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: rotated-mesh}
                variables:
                  token: {type: string, sensitive: true}
                resources:
                  - type: istio.install
                    name: mesh
                    spec:
                      version: "%s"
                      profile: default
                      meshConfig:
                        defaultConfig:
                          proxyMetadata: {AUTH_TOKEN: "${var.token}"}
                """.formatted(io.meshform.testkit.Testbed.versions().get("ISTIO_VERSION")));
        Path state = dir.resolve("rotated-mesh.state.json");
        java.util.function.BiFunction<String, String[], Result> run = (token, args) -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            List<String> all = new ArrayList<>(List.of(args));
            all.addAll(List.of("-f", stack.toString(), "--state", state.toString(),
                    "--kubeconfig", cluster.kubeconfigPath().toString(), "--istioctl", cluster.istioctl().toString()));
            int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]),
                    Map.of("MESHFORM_VAR_token", token), false), all.toArray(String[]::new));
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        };
        java.util.function.BiConsumer<String, String> clean = (where, text) -> {
            assertFalse(text.contains(applied), where + " shows the applied value:\n" + text);
            assertFalse(text.contains(rotated), where + " shows the stack's new value:\n" + text);
        };
        Result apply = run.apply(applied, new String[] {"apply", "--auto-approve"});
        assertEquals(0, apply.code(), apply.out() + apply.err());

        Result drift = run.apply(rotated, new String[] {"drift"});
        assertEquals(0, drift.code(), "the cluster is as applied:\n" + drift.out() + drift.err());
        assertTrue(drift.out().startsWith("No drift in what was checked of the 1 applied resource; 1 resource is not"
                + " checked in full.\n"), drift.out());
        assertTrue(drift.out().contains("? istio.install.mesh: the stack's value of meshConfig.defaultConfig.proxyMetadata"
                + ".AUTH_TOKEN is not the one applied (the state records only its digest); apply it, then drift can check it"),
                drift.out());
        assertTrue(drift.out().contains("? ConfigMap istio-system/istio (mesh.defaultConfig.proxyMetadata.AUTH_TOKEN)"), drift.out());
        assertFalse(drift.out().contains("changed outside meshform"), drift.out());
        clean.accept("drift", drift.out() + drift.err());

        for (String format : List.of("text", "json", "markdown", "junit")) {
            Path report = dir.resolve("rotated-drift." + format);
            Result pending = run.apply(rotated, new String[] {"drift", "--fail-on-pending", "--format", format, "--output", report.toString()});
            assertEquals(2, pending.code(), format + ": " + pending.out() + pending.err());
            String text = Files.readString(report);
            assertFalse(text.contains("No drift"), format + ":\n" + text);
            assertTrue(text.contains("not checked in full") || text.contains("\"not_checked\" : [ {"), format + ":\n" + text);
            clean.accept("drift --fail-on-pending " + format, text + pending.out() + pending.err());
        }
        String junit = Files.readString(dir.resolve("rotated-drift.junit"));
        assertTrue(junit.contains("failures=\"1\"") && junit.contains("type=\"not_checked\""), junit);
        assertTrue(Files.readString(dir.resolve("rotated-drift.json")).contains("\"failed\" : true"));

        Path saved = dir.resolve("rotated.plan");
        Result plan = run.apply(rotated, new String[] {"plan", "--detailed-exitcode", "--out", saved.toString()});
        assertEquals(2, plan.code(), plan.out() + plan.err());
        assertTrue(plan.out().contains("# istio.install.mesh will be updated in-place"), plan.out());
        assertTrue(plan.out().contains("AUTH_TOKEN: (sensitive value changed)"), plan.out());
        clean.accept("plan", plan.out() + plan.err() + Files.readString(saved) + Files.readString(state));

        // A hand change to a part the rotated value does not reach is drift, masked; the rest is still not checked.
        KubernetesClient client = cluster.client();
        client.configMaps().inNamespace("istio-system").withName("istio").edit(c -> {
            c.getData().put("mesh", c.getData().get("mesh").replace("enablePrometheusMerge: true", "enablePrometheusMerge: false"));
            return c;
        });
        Result changed = run.apply(rotated, new String[] {"drift"});
        assertEquals(2, changed.code(), changed.out() + changed.err());
        assertTrue(changed.out().contains("~ ConfigMap istio-system/istio (mesh.enablePrometheusMerge)"), changed.out());
        assertTrue(changed.out().contains("\nDrift: 1 finding in 1 resource checked; 1 resource is not checked in full (not drift).\n"),
                changed.out());
        clean.accept("drift of a hand change", changed.out() + changed.err());

        // Once applied, the value is known again and everything is checked.
        Result rotate = run.apply(rotated, new String[] {"apply", "--auto-approve"});
        assertEquals(0, rotate.code(), rotate.out() + rotate.err());
        clean.accept("apply", rotate.out() + rotate.err() + Files.readString(state));
        Result after = run.apply(rotated, new String[] {"drift"});
        assertEquals(0, after.code(), after.out() + after.err());
        assertTrue(after.out().startsWith("No drift. 1 resource matches what meshform applied."), after.out());
        Path kept = cacheDirectory();
        if (Files.isDirectory(kept)) {
            try (var files = Files.walk(kept)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    clean.accept("kept istioctl answer " + f, Files.readString(f, StandardCharsets.ISO_8859_1));
                }
            }
        }
    }

    /** Where meshform keeps istioctl's answers for this process's environment (OfflineOutputs.standard()). */
    private static Path cacheDirectory() {
        Map<String, String> env = System.getenv();
        String base = env.get("MESHFORM_CACHE");
        if (base == null || base.isBlank()) {
            String xdg = env.get("XDG_CACHE_HOME");
            base = xdg != null && !xdg.isBlank() ? xdg + "/meshform" : System.getProperty("user.home") + "/.cache/meshform";
        }
        return Path.of(base, "istioctl");
    }

    private Result meshformAs(Path kubeconfig, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--kubeconfig", kubeconfig.toString()));
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Result meshformWith(ClusterContext cluster, String stack, List<String> extra, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(extra);
        all.addAll(List.of("-f", repo().resolve("examples").resolve(stack).toString(),
                "--kubeconfig", cluster.kubeconfigPath().toString(), "--istioctl", cluster.istioctl().toString()));
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static int launch(List<String> command, List<String> common) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(repo().resolve("bin/meshform").toString()));
        argv.addAll(command);
        argv.addAll(common);
        ProcessBuilder pb = new ProcessBuilder(argv).directory(repo().toFile()).redirectErrorStream(true);
        pb.environment().put("MESHFORM_NO_BUILD", "1");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "bin/meshform " + command + " did not finish");
        if (p.exitValue() != 0) {
            System.err.println(output);
        }
        return p.exitValue();
    }
}

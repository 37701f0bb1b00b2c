package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
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
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plan and drift of a stack that declares a Secret, run with a service account's token whose Role has {@code get} but
 * not {@code list} on secrets: meshform reads a declared Secret by its name, so these rights see the Secret as applied
 * and then its change by someone else. The plan needs nothing outside the namespace; drift's mesh checks read what the
 * drift CronJob's ClusterRole grants, no Secrets. Without {@code get} the plan fails
 * naming the verb, the resource, the namespace and the rule to add.
 */
@LiveClusterTest
class SecretGetOnlyIT {
    private static final String CHANGED = "Ch4nged-0utside";

    @TempDir
    Path dir;

    private record Result(int code, String out) {
    }

    private Result run(Path kubeconfig, Path stack, String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", stack.toString(), "--state", dir.resolve("state.json").toString(),
                "--kubeconfig", kubeconfig.toString(), "--no-color"));
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false),
                all.toArray(String[]::new));
        return new Result(code, buf.toString(StandardCharsets.UTF_8));
    }

    @Test
    void getWithoutListReadsDeclaredSecrets(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        KubernetesClient client = cluster.client();
        // A Secret the stack does not declare: these rights cannot read it, and a plan never asks for it.
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("not-declared")
                .endMetadata().addToStringData("token", "someone-else's").build()).create();
        Path stack = Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: secret-get}
                resources:
                  - type: kubernetes.manifest
                    name: db
                    spec:
                      manifest: {apiVersion: v1, kind: Secret, metadata: {name: db, namespace: %1$s},
                        data: {password: cGFzc3dvcmQtMQ==}, stringData: {user: cortex-app}}
                  - type: kubernetes.manifest
                    name: settings
                    spec:
                      manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: settings, namespace: %1$s}, data: {a: b}}
                """.formatted(ns));
        Result apply = run(cluster.kubeconfigPath(), stack, "apply", "--auto-approve");
        assertEquals(0, apply.code(), apply.out());

        Path reader = account(cluster, ns, "reader", new PolicyRuleBuilder().withApiGroups("").withResources("secrets")
                .withVerbs("get").build());
        Result plan = run(reader, stack, "plan", "--detailed-exitcode");
        assertEquals(0, plan.code(), "get, not list, secrets is enough for a plan:\n" + plan.out());
        assertTrue(plan.out().contains("No changes."), plan.out());
        // Drift also runs the mesh checks, which read cluster-wide what the drift CronJob's ClusterRole grants (no
        // Secrets), and istioctl analyze, which needs every Secret: --no-analyze, as the CronJob runs it.
        String checks = ns + "-mesh-checks";
        client.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName(checks).endMetadata()
                .withRules(new PolicyRuleBuilder().withApiGroups("").withResources("namespaces", "pods", "services",
                                "configmaps").withVerbs("get", "list").build(),
                        new PolicyRuleBuilder().withApiGroups("apps").withResources("deployments").withVerbs("get", "list").build(),
                        new PolicyRuleBuilder().withApiGroups("security.istio.io").withResources("peerauthentications",
                                "requestauthentications", "authorizationpolicies").withVerbs("get", "list").build(),
                        new PolicyRuleBuilder().withApiGroups("networking.istio.io").withResources("destinationrules",
                                "envoyfilters").withVerbs("get", "list").build(),
                        new PolicyRuleBuilder().withApiGroups("gateway.networking.k8s.io").withResources("gateways")
                                .withVerbs("get", "list").build(),
                        new PolicyRuleBuilder().withApiGroups("admissionregistration.k8s.io").withResources(
                                "mutatingwebhookconfigurations", "validatingwebhookconfigurations").withVerbs("get", "list")
                                .build())
                .build()).create();
        client.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(checks)
                .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", checks)
                .addNewSubject().withKind("ServiceAccount").withName("reader").withNamespace(ns).endSubject().build()).create();
        try {
            Result drift = run(reader, stack, "drift", "--no-analyze");
            assertEquals(0, drift.code(), drift.out());
            assertTrue(drift.out().contains("No drift."), drift.out());

            client.secrets().inNamespace(ns).withName("db").edit(s -> new SecretBuilder(s)
                    .addToData("password", Base64.getEncoder().encodeToString(CHANGED.getBytes(StandardCharsets.UTF_8)))
                    .build());
            Result changed = run(reader, stack, "drift", "--no-analyze");
            assertEquals(2, changed.code(), changed.out());
            assertTrue(changed.out().contains("kubernetes.manifest.db"), changed.out());
            assertFalse(changed.out().contains(CHANGED), changed.out());
        } finally {
            client.rbac().clusterRoleBindings().withName(checks).delete();
            client.rbac().clusterRoles().withName(checks).delete();
        }

        Path refused = account(cluster, ns, "no-secrets");
        Result denied = run(refused, stack, "plan");
        assertEquals(1, denied.code(), denied.out());
        assertTrue(denied.out().contains("kubernetes.manifest.db: get Secret " + ns + "/db failed (HTTP 403): the"
                + " credentials may not get secrets in namespace " + ns), denied.out());
        assertTrue(denied.out().contains("cannot get resource \"secrets\" in API group \"\" in the namespace \"" + ns
                + "\""), denied.out());
        assertTrue(denied.out().contains("grant `get` on secrets in namespace " + ns + ", a Role rule `{apiGroups: [\"\"],"
                + " resources: [secrets], verbs: [get]}`"), denied.out());
    }

    /**
     * A kubeconfig with the token of a new service account of {@code ns} whose Role there has {@code more} and reads
     * ConfigMaps (get, list): no right outside the namespace, no {@code list secrets}.
     */
    private Path account(ClusterContext cluster, String ns, String name, PolicyRule... more) throws IOException {
        KubernetesClient client = cluster.client();
        client.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata().withName(name)
                .endMetadata().build()).create();
        List<PolicyRule> rules = new ArrayList<>(List.of(more));
        rules.add(new PolicyRuleBuilder().withApiGroups("").withResources("configmaps").withVerbs("get", "list").build());
        client.rbac().roles().inNamespace(ns).resource(new RoleBuilder().withNewMetadata().withName(name).endMetadata()
                .withRules(rules).build()).create();
        client.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder().withNewMetadata().withName(name)
                .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
                .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(ns).endSubject().build()).create();
        String token = client.serviceAccounts().inNamespace(ns).withName(name).tokenRequest(new TokenRequestBuilder()
                .withNewSpec().withExpirationSeconds(3600L).endSpec().build()).getStatus().getToken();
        Config admin = client.getConfiguration();
        String ca = admin.getCaCertData() != null && !admin.getCaCertData().isEmpty() ? admin.getCaCertData()
                : Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(admin.getCaCertFile())));
        return Files.writeString(dir.resolve(name + ".kubeconfig"), """
                apiVersion: v1
                kind: Config
                current-context: %1$s
                clusters: [{name: c, cluster: {server: "%2$s", certificate-authority-data: "%3$s"}}]
                contexts: [{name: %1$s, context: {cluster: c, user: %1$s}}]
                users: [{name: %1$s, user: {token: "%4$s"}}]
                """.formatted(name, admin.getMasterUrl(), ca, token));
    }
}

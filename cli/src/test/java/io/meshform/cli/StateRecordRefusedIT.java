package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials that may create the state's Secret but not update it (RBAC get, list, create on secrets): the apply's
 * first write creates the state, the object of the first step is created, and its record is refused. The summary
 * said "Apply failed … 0 added" of an object that exists; it says the object was created and not recorded, and the
 * next plan records it.
 */
@LiveClusterTest
class StateRecordRefusedIT {
    @TempDir
    Path dir;

    private record Result(int code, String out) {
    }

    private static Result run(Path kubeconfig, Path stack, String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("-f", stack.toString(), "--kubeconfig", kubeconfig.toString(), "--no-color"));
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false), all.toArray(String[]::new));
        return new Result(code, buf.toString(StandardCharsets.UTF_8));
    }

    @Test
    void objectsCreatedButNotRecordedAreSaidToExist(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        var client = cluster.client();
        String clusterRole = ns + "-reader";
        client.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata().withName("deployer")
                .endMetadata().build()).create();
        client.rbac().roles().inNamespace(ns).resource(new RoleBuilder().withNewMetadata().withName("deployer").endMetadata()
                .withRules(new PolicyRuleBuilder().withApiGroups("").withResources("secrets")
                                .withVerbs("get", "list", "watch", "create").build(),
                        new PolicyRuleBuilder().withApiGroups("coordination.k8s.io").withResources("leases")
                                .withVerbs("get", "list", "watch", "create", "update", "patch", "delete").build(),
                        new PolicyRuleBuilder().withApiGroups("").withResources("configmaps")
                                .withVerbs("get", "list", "watch", "create", "update", "patch", "delete").build())
                .build()).create();
        client.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder().withNewMetadata().withName("deployer")
                .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role", "deployer")
                .addNewSubject().withKind("ServiceAccount").withName("deployer").withNamespace(ns).endSubject().build()).create();
        client.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName(clusterRole).endMetadata()
                .withRules(new PolicyRuleBuilder().withApiGroups("").withResources("namespaces", "pods", "services", "configmaps")
                        .withVerbs("get", "list", "watch").build(),
                        new PolicyRuleBuilder().withApiGroups("apiextensions.k8s.io").withResources("customresourcedefinitions")
                                .withVerbs("get", "list").build())
                .build()).create();
        client.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(clusterRole)
                .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", clusterRole)
                .addNewSubject().withKind("ServiceAccount").withName("deployer").withNamespace(ns).endSubject().build()).create();
        try {
            String token = client.serviceAccounts().inNamespace(ns).withName("deployer").tokenRequest(new TokenRequestBuilder()
                    .withNewSpec().withExpirationSeconds(3600L).endSpec().build()).getStatus().getToken();
            Path deployer = Files.writeString(dir.resolve("deployer.kubeconfig"), """
                    apiVersion: v1
                    kind: Config
                    current-context: deployer
                    clusters: [{name: c, cluster: {server: "%s", certificate-authority-data: "%s"}}]
                    contexts: [{name: deployer, context: {cluster: c, user: deployer}}]
                    users: [{name: deployer, user: {token: "%s"}}]
                    """.formatted(client.getConfiguration().getMasterUrl(), caData(client.getConfiguration()), token));
            Path stack = Files.writeString(dir.resolve("meshform.yaml"), """
                    apiVersion: meshform.io/v1alpha1
                    kind: Stack
                    metadata: {name: refused}
                    backend: {kubernetes: {namespace: %1$s, name: refused}}
                    resources:
                      - type: kubernetes.manifest
                        name: first
                        spec:
                          manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: first, namespace: %1$s}, data: {a: b}}
                      - type: kubernetes.manifest
                        name: second
                        dependsOn: [kubernetes.manifest.first]
                        spec:
                          manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: second, namespace: %1$s}, data: {a: b}}
                    """.formatted(ns));

            Result apply = run(deployer, stack, "apply", "--auto-approve");
            assertEquals(1, apply.code(), apply.out());
            assertTrue(apply.out().contains("Apply stopped: the state could not record what was applied. Resources: 0 added,"
                    + " 0 changed, 0 destroyed, 1 applied in the cluster but not recorded in the state."), apply.out());
            assertTrue(apply.out().contains("  not recorded: kubernetes.manifest.first (created in the cluster)"), apply.out());
            assertTrue(apply.out().contains("cannot update resource \"secrets\""), apply.out());
            assertTrue(apply.out().contains("the next plan shows them as to record, and the next apply records them"),
                    apply.out());
            assertTrue(apply.out().contains("  not started: kubernetes.manifest.second"), apply.out());
            assertNotNull(client.configMaps().inNamespace(ns).withName("first").get(), "what the summary says: it exists");

            Result plan = run(cluster.kubeconfigPath(), stack, "plan");
            assertTrue(plan.out().contains("Plan: 1 to add, 0 to change, 0 to destroy, 1 to record."), plan.out());
        } finally {
            client.rbac().clusterRoleBindings().withName(clusterRole).delete();
            client.rbac().clusterRoles().withName(clusterRole).delete();
        }
    }

    private static String caData(Config config) throws IOException {
        if (config.getCaCertData() != null && !config.getCaCertData().isEmpty()) {
            return config.getCaCertData();
        }
        return Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(config.getCaCertFile())));
    }
}

package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Config;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link PlainKubeconfig} gives the model fabric8's own parse gives (the model classes compare every property), and
 * leaves to fabric8 every document it cannot map one to one.
 */
class PlainKubeconfigTest {
    private static Config fabric8(String yaml) throws Exception {
        return new KubeconfigReader().parseWithFabric8(yaml.getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<Config> plain(String yaml) {
        return PlainKubeconfig.read(yaml.getBytes(StandardCharsets.UTF_8));
    }

    private static void readAsFabric8(String yaml) throws Exception {
        Optional<Config> ours = plain(yaml);
        assertTrue(ours.isPresent(), "a plain kubeconfig is read without fabric8's parse:\n" + yaml);
        assertEquals(fabric8(yaml), ours.get());
    }

    private static void leftToFabric8(String yaml) {
        assertEquals(Optional.empty(), plain(yaml), yaml);
    }

    /** Every property this reader maps, with the shapes kubectl, kind and the cloud CLIs write. */
    private static final String EVERY_PROPERTY = """
            apiVersion: v1
            kind: Config
            current-context: a
            preferences: {}
            clusters:
            - name: a
              cluster:
                server: https://127.0.0.1:1111
                certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
                tls-server-name: api.internal
                disable-compression: true
            - name: b
              cluster:
                server: "https://10.0.0.1:6443"
                certificate-authority: pki/ca.crt
                insecure-skip-tls-verify: false
                proxy-url: http://proxy:3128
            - name: no-cluster-value
            contexts:
            - name: a
              context: {cluster: a, user: admin, namespace: team}
            - name: b
              context:
                cluster: b
                user: exec
                namespace:
            users:
            - name: admin
              user:
                client-certificate-data: Y2VydA==
                client-key-data: a2V5
                client-certificate: c.crt
                client-key: c.key
                token: abc
                tokenFile: /var/run/token
                username: u
                password: 'p: w'
                as: someone
                as-uid: "1000"
                as-groups: [g1, g2]
                as-user-extra:
                  scopes: [view, edit]
            - name: exec
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: ./bin/get-token
                  args:
                  - --cluster
                  - b
                  env:
                  - name: A
                    value: "1"
                  - name: B
                    value:
                  installHint: install get-token
                  interactiveMode: Never
                  provideClusterInfo: true
            - name: oidc
              user:
                auth-provider:
                  name: oidc
                  config:
                    client-id: meshform
                    id-token: t
            - name: empty
              user: {}
            """;

    @Test
    void everyPropertyItMapsIsReadAsFabric8ReadsIt() throws Exception {
        readAsFabric8(EVERY_PROPERTY);
    }

    @Test
    void theKubeconfigsOfKindAndOfTheDevClusterAreReadAsFabric8() throws Exception {
        readAsFabric8("""
                apiVersion: v1
                kind: Config
                clusters:
                - name: meshform-dev
                  cluster:
                    server: https://127.0.0.1:16643
                    certificate-authority-data: Q0E=
                users:
                - name: admin
                  user:
                    client-certificate-data: Q0VSVA==
                    client-key-data: S0VZ
                contexts:
                - name: meshform-dev
                  context:
                    cluster: meshform-dev
                    user: admin
                current-context: meshform-dev
                """);
        readAsFabric8("""
                ---
                # comments and a document start
                apiVersion: v1
                clusters: []
                contexts: []
                users: []
                current-context: ""
                """);
    }

    /** Values Jackson would coerce or read by rules of its own, and keys this reader does not map. */
    @Test
    void whatItCannotMapOneToOneIsLeftToFabric8() {
        leftToFabric8("apiVersion: v1\nextensions:\n- name: x\n  extension: {a: 1}\n");
        leftToFabric8("clusters:\n- name: a\n  cluster:\n    server: https://h\n    extensions: []\n");
        leftToFabric8("clusters:\n- name: a\n  cluster:\n    server: https://h\n    insecure-skip-tls-verify: \"true\"\n");
        leftToFabric8("contexts:\n- name: a\n  context:\n    namespace: 123\n");
        leftToFabric8("contexts:\n- name: a\n  context:\n    namespace: true\n");
        leftToFabric8("users:\n- name: a\n  user:\n    exec:\n      command: x\n      args: [1]\n");
        leftToFabric8("users:\n- name: a\n  user:\n    token: abc\n    unknown: x\n");
        leftToFabric8("clusters:\n- name: a\n  cluster:\n");
        leftToFabric8("clusters:\n");
        leftToFabric8("preferences:\n  colors: true\n");
        leftToFabric8("{\"apiVersion\": \"v1\", \"clusters\": []}");
        leftToFabric8("apiVersion: v1\n---\napiVersion: v1\n");
        leftToFabric8("# nothing\n");
        leftToFabric8("- a\n- b\n");
        leftToFabric8("clusters: [\n");
    }

    /** YAML's own scalars (null, booleans, numbers spelled in other ways) agree with fabric8's wherever this reader reads them. */
    @Test
    void yamlScalarsAgreeWithFabric8WhereTheyAreRead() throws Exception {
        for (String value : new String[] {"~", "null", "Null", "NULL", "True", "TRUE", "yes", "no", "on", "0x10", "0o7",
                "1e3", ".inf", "'123'", "\"\"", "2024-01-01", "!!str 5", "&a x"}) {
            String yaml = "contexts:\n- name: a\n  context:\n    namespace: " + value + "\n    cluster: c\n"
                    + "clusters:\n- name: c\n  cluster:\n    server: https://h\n    insecure-skip-tls-verify: " + value + "\n";
            Optional<Config> ours = plain(yaml);
            if (ours.isPresent()) {
                assertEquals(fabric8(yaml), ours.get(), value);
            }
        }
    }
}

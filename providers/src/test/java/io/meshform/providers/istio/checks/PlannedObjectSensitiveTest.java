package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.load.StackLoader;
import io.meshform.engine.load.VariableInputs;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.providers.MeshformProviderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio objects can hold sensitive values, which an istioctl refusal quotes: such objects are known, so that their
 * validate answer is not remembered in clear (audit A, M2).
 */
class PlannedObjectSensitiveTest {
    @TempDir
    Path dir;

    private List<Boolean> sensitive(String resources) throws Exception {
        Path file = dir.resolve("stack.yaml");
        Files.writeString(file, "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\n"
                + "variables:\n  dbpass: {type: string, sensitive: true}\nresources:\n" + resources);
        TypeRegistry types = new TypeRegistry(new MeshformProviderFactory().create(new ProviderSettings(Map.of())));
        var stack = new StackLoader(types).load(file, new VariableInputs(Map.of(), List.of(), Map.of("dbpass", "Pa\"ss\\wo<rd"))).stack();
        return PlannedObject.of(Stacks.plan(stack)).stream().map(PlannedObject::holdsSensitive).toList();
    }

    @Test
    void objectsWithSensitiveValuesAreKnown() throws Exception {
        assertEquals(List.of(false, true), sensitive("""
                  - type: istio.authorizationPolicy
                    name: plain
                    spec: {namespace: foo, rules: [{to: [{operation: {ports: ["8080"]}}]}]}
                  - type: istio.authorizationPolicy
                    name: withvar
                    spec: {namespace: foo, rules: [{to: [{operation: {ports: ["${var.dbpass}"]}}]}]}
                """));
        assertEquals(List.of(true), sensitive("""
                  - type: istio.requestAuthentication
                    name: ra
                    spec: {namespace: foo, jwtRules: [{issuer: i, jwks: "{\\"keys\\": []}"}]}
                """));
        assertEquals(List.of(true), sensitive("""
                  - type: kubernetes.manifest
                    name: pa
                    spec:
                      manifest:
                        apiVersion: security.istio.io/v1
                        kind: PeerAuthentication
                        metadata:
                          name: pa
                          namespace: foo
                          annotations: {kubectl.kubernetes.io/last-applied-configuration: "{\\"data\\": 1}"}
                """));
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.Testbed;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sensitive value where Istio reads JSON (an install's {@code values.pilot.replicaCount}, a RequestAuthentication's
 * {@code jwks}): the real istioctl refuses it with "invalid character 'S' looking for beginning of value", which
 * meshform quoted, so the value's first character reached validate's text and JSON. Now the message is withheld and
 * names the field; no part of the value is printed.
 */
class SensitiveIstioctlMessageTest {
    static final String TOKEN = "S3cr3tToken-4711";
    static final String VERSION = Testbed.versions().get("ISTIO_VERSION");

    static final String JWKS_STACK = """
            apiVersion: meshform.io/v1alpha1
            kind: Stack
            metadata: {name: leak}
            variables:
              tok: {type: string, sensitive: true}
            resources:
              - type: istio.requestAuthentication
                name: jwt
                spec:
                  namespace: istio-system
                  selector: {matchLabels: {istio: ingressgateway}}
                  jwtRules:
                    - {issuer: "https://id.example.com", jwks: "${var.tok}"}
            """;

    @TempDir
    Path dir;

    static String installStack() {
        return """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: leak}
                variables:
                  tok: {type: string, sensitive: true}
                resources:
                  - type: istio.install
                    name: mesh
                    spec:
                      version: "%s"
                      profile: default
                      values:
                        pilot: {replicaCount: "${var.tok}"}
                """.formatted(VERSION);
    }

    /** No quoted character, and nothing of the token (its first four characters, or the start an error spells out). */
    static void clean(String where, String text) {
        assertFalse(text.contains("'S'") || text.contains(TOKEN.substring(0, 4)) || text.contains("literal"),
                where + " shows part of the sensitive value:\n" + text);
    }

    private String run(String stack, String... args) throws IOException {
        Path file = dir.resolve("meshform.yaml");
        Files.writeString(file, stack);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", file.toString(), "--istioctl", Testbed.istioctl().toString(), "--var", "tok=" + TOKEN));
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false),
                all.toArray(String[]::new));
        assertEquals(1, code, out.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anInstallValueIstioctlCannotParseIsNamedNotQuoted() throws IOException {
        for (List<String> args : List.of(List.of("validate"), List.of("validate", "--json"),
                List.of("validate", "--log-level", "debug"))) {
            String out = run(installStack(), args.toArray(String[]::new));
            clean(String.join(" ", args), out);
            assertTrue(out.contains("while decoding JSON: values.pilot.replicaCount (a sensitive value, not shown): istioctl could not read a value"
                    + " as JSON (a number, or a JSON document, where Istio expects one), and its message is withheld: it"
                    + " quotes a character that this field's value holds. Give the field a value of the type Istio expects"),
                    String.join(" ", args) + ":\n" + out);
        }
    }

    @Test
    void aJwksIstioctlValidateCannotParseIsNamedNotQuoted() throws IOException {
        String out = run(JWKS_STACK, "validate");
        clean("validate", out);
        assertTrue(out.contains("RequestAuthentication istio-system/jwt spec.jwtRules[0].jwks: jwks parse error: failed to"
                + " unmarshal JWK set: jwtRules[0].jwks (a sensitive value, not shown): istioctl could not read a value as"
                + " JSON"), out);
    }
}

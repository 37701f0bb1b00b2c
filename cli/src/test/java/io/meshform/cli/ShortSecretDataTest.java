package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Secret's {@code data} value whose base64 decodes to 1-3 characters is refused at its place in the file, as a
 * {@code stringData} value that short is: the masker finds a Secret's decoded text in free text only from 4
 * characters on. Neither the value nor its decoded text is printed.
 */
class ShortSecretDataTest {
    @TempDir
    Path dir;

    private record Result(int code, String text) {
    }

    private Result validate(String data) throws IOException {
        Path stack = Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: short}
                resources:
                  - type: kubernetes.manifest
                    name: db
                    spec:
                      manifest:
                        apiVersion: v1
                        kind: Secret
                        metadata: {name: db, namespace: cortex}
                        data: {%s}
                """.formatted(data));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false),
                "validate", "-f", stack.toString(), "--no-color");
        return new Result(code, buf.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aDataValueDecodingToThreeCharactersIsRefusedWithoutBeingPrinted() throws IOException {
        Result r = validate("pin: UXo5");  // "Qz9"
        assertEquals(1, r.code(), r.text());
        assertTrue(r.text().contains("meshform.yaml:12:16: error: kubernetes.manifest.db: spec.manifest.data.pin: data `pin`"
                + " decodes to a sensitive value shorter than 4 characters, which meshform cannot keep out of its messages"),
                r.text());
        assertTrue(r.text().contains("give a value whose decoded text has at least 4 characters"), r.text());
        assertFalse(r.text().contains("UXo5") || r.text().contains("Qz9"), r.text());
    }

    @Test
    void blanksAroundCountAsTheMaskerCountsThem() throws IOException {
        Result r = validate("pin: ICBR");  // "  Q"
        assertEquals(1, r.code(), r.text());
        assertTrue(r.text().contains("data `pin` decodes to a sensitive value shorter than 4 characters"), r.text());
    }

    @Test
    void fourCharactersAndEmptyValuesPass() throws IOException {
        Result r = validate("pin: UXo5aw==, empty: \"\"");  // "Qz9k", ""
        assertEquals(0, r.code(), r.text());
        assertFalse(r.text().contains("shorter than"), r.text());
    }
}

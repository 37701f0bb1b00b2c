package io.meshform.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * kube-apiserver and istioctl quote the values they echo (Go's %q, JSON, HTML-safe JSON): the escaped copy of a
 * sensitive value is masked as the value itself is (audit A, M2).
 */
class SensitiveQuotedFormsTest {
    private static Set<String> secretsOf(String value) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("p", value);
        return Sensitive.secrets(o, Set.of("/p"));
    }

    private static String redact(String value, String text) {
        return Sensitive.redact(text, secretsOf(value));
    }

    @Test
    void goQuotedAndJsonEscapedCopiesAreMasked() {
        String v = "Pa\"ss\\wo<rd&Zq9";
        // istioctl validate: strconv.ParseUint's %q
        assertEquals("bad port: parsing \"(sensitive)\": invalid syntax",
                redact(v, "bad port: parsing \"Pa\\\"ss\\\\wo<rd&Zq9\": invalid syntax"));
        // kube-apiserver field error: HTML-safe JSON
        assertEquals("spec.type: Unsupported value: \"(sensitive)\"",
                redact(v, "spec.type: Unsupported value: \"Pa\\\"ss\\\\wo\\u003crd\\u0026Zq9\""));
        // the same message quoted once more (a webhook's message inside another %q)
        String twice = "denied: \"spec.type: Unsupported value: \\\"Pa\\\\\\\"ss\\\\\\\\wo<rd&Zq9\\\"\"";
        assertFalse(redact(v, twice).contains("Zq9"), redact(v, twice));
    }

    @Test
    void controlsAndNonAsciiInEveryEncodersForm() {
        String v = "line1\nline2\tp\u00e4ss\u0001>end";
        for (String form : new String[] {
            "line1\\nline2\\tp\u00e4ss\\u0001>end",           // JSON
            "line1\\nline2\\tp\u00e4ss\\u0001\\u003eend",     // Go's HTML-safe JSON
            "line1\\nline2\\tp\\u00E4ss\\u0001>end",          // JSON, ASCII only, upper-case hex
            "line1\\nline2\\tp\u00e4ss\\x01>end",             // Go's %q
            "line1\\nline2\\tp\\u00e4ss\\x01>end",            // Go's %+q
        }) {
            assertEquals("value \"(sensitive)\" refused", redact(v, "value \"" + form + "\" refused"), form);
        }
        String emoji = "key\uD83D\uDD11\u2028tail";
        assertEquals("x \"(sensitive)\"", redact(emoji, "x \"key\\U0001f511\\u2028tail\""));  // %+q
        assertEquals("x \"(sensitive)\"", redact(emoji, "x \"key\\ud83d\\udd11\\u2028tail\""));  // JSON, ASCII only
    }

    @Test
    void theDecodedFormOfABase64ValueIsQuotedToo() {
        String clear = "s3\"cr<et";
        String b64 = Base64.getEncoder().encodeToString(clear.getBytes(StandardCharsets.UTF_8));
        assertEquals("data: \"(sensitive)\"", redact(b64, "data: \"s3\\\"cr\\u003cet\""));
    }

    @Test
    void valuesWithNothingToEscapeAddNoForms() {
        assertEquals(Set.of(), QuotedForms.of("plainvalue123"));
        assertEquals(Set.of("plainvalue123", "cGxhaW52YWx1ZTEyMw=="), secretsOf("plainvalue123"));
    }

    /** A diagnostic escapes control characters before the redactor reads it: the escaped value is masked too (L4). */
    @Test
    void aValueWithControlsIsMaskedInADiagnostic() {
        String v = "tok\u001ben\rX";
        var d = io.meshform.engine.diag.Diagnostic.error("apply failed: value \"" + v + "\" refused", null, null);
        assertEquals("error: apply failed: value \"(sensitive)\" refused", redact(v, d.format()));
    }

    /** A value printed in another letter case (a check's "Write \"DELETE\"", an upper-case path variant) is masked. */
    @Test
    void aCopyInAnotherLetterCaseIsMasked() {
        assertEquals("Write \"(sensitive)\"", redact("delete", "Write \"DELETE\""));
        assertEquals("GET (sensitive)/x and (sensitive)/y", redact("/Hidden-Admin", "GET /HIDDEN-ADMIN/x and /hidden-admin/y"));
        // a character that lower-cases to two (U+0130) does not shift what is masked
        assertEquals("\u0130 x (sensitive) y", redact("Zq9secret", "\u0130 x zQ9SECRET y"));
    }
}

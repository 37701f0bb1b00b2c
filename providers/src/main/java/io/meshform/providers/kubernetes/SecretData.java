package io.meshform.providers.kubernetes;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Secret as the API server stores it: {@code stringData} is write-only, merged into {@code data} as base64, its
 * keys winning over {@code data}'s ({@code k8s.io/kubernetes pkg/apis/core/v1/conversion.go}, Convert_v1_Secret_To_core_Secret).
 * meshform applies and compares this form, so a password changed under {@code stringData} is a changed
 * {@code data} value, in plans and in drift, instead of a field the server never returns.
 */
final class SecretData {
    private SecretData() {
    }

    /**
     * True when the Secret's {@code data} holds values (base64), false when it holds the state's digests
     * ({@code sha256:...}, which drift compares and which must never reach the server): a digest is never base64,
     * whose alphabet has no colon. A Secret's annotation values are digested in state too
     * ({@link ManifestSensitive#SECRET_PATHS}); any free text can hold a colon, so there only a digest counts.
     */
    static boolean holdsValues(JsonNode secret) {
        JsonNode data = secret.path("data");
        for (Map.Entry<String, JsonNode> e : data.properties()) {
            if (!e.getValue().isString() || e.getValue().asString().indexOf(':') >= 0) {
                return false;
            }
        }
        for (Map.Entry<String, JsonNode> e : secret.path("metadata").path("annotations").properties()) {
            if (io.meshform.engine.plan.Sensitive.isDigest(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    static void fold(ObjectNode secret) {
        JsonNode stringData = secret.get("stringData");
        if (stringData == null || !stringData.isObject()) {
            return;
        }
        ObjectNode data = secret.get("data") instanceof ObjectNode d ? d : secret.putObject("data");
        for (Map.Entry<String, JsonNode> e : stringData.properties()) {
            if (e.getValue().isString()) {
                data.put(e.getKey(), Base64.getEncoder().encodeToString(e.getValue().asString().getBytes(StandardCharsets.UTF_8)));
            }
        }
        secret.remove("stringData");
    }
}

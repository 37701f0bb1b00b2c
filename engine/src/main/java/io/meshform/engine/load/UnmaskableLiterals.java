package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.plan.Sensitive;
import io.meshform.engine.spi.ResourceType;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Refuses a value written in the stack at a place its type marks sensitive (a Secret's {@code data}, a JWKS) when it is
 * too short for {@link Sensitive#redact} to find in free text ({@link Sensitive#maskableInText}). Such a value was
 * accepted and left out of the redactor's secrets, so an API server's or istioctl's message that quoted it printed it
 * in the plan, its file and {@code --json}. The plan masks it and the state digests it wherever it lands; only free
 * text cannot be kept clean, so the value is refused rather than printed now and then, as a short sensitive variable
 * is ({@link StackVariables#refuseUnmaskable}). An empty value has nothing to keep out and passes; so does a bool.
 * A Secret's {@code data} value is checked here as written (its base64 text); that its decoded text, which
 * {@link Sensitive#secrets} masks too, is long enough is the Kubernetes provider's check, which knows the value is
 * base64 (a {@code stringData} value that happens to be valid base64 is not decoded text).
 */
final class UnmaskableLiterals {
    private UnmaskableLiterals() {
    }

    /** An error at each such value of {@code r}'s spec, naming its path, never the value or its length. */
    static void refuse(ResourceDecl r, ResourceType type, Diagnostics out) {
        refuse(r, type, at -> false, out);
    }

    /** As above, leaving out the values {@code unknown} holds: a reference to a variable with no value, not a literal. */
    static void refuse(ResourceDecl r, ResourceType type, java.util.function.Predicate<String> unknown, Diagnostics out) {
        Set<String> paths = type.secretValuePaths(r.spec());
        // A sensitive variable's value is checked where the variable is declared; its place is not the author's.
        Set<String> fromVariables = r.sensitivePaths();
        Map<String, JsonNode> leaves = new java.util.TreeMap<>();
        Sensitive.matches(r.spec(), paths).forEach((at, v) -> leavesOf(v, at, leaves));
        leaves.forEach((at, v) -> {
            if (fromVariables.contains(at) || unknown.test(at) || Sensitive.maskableInText(v) || (v.isString() && v.asString().isEmpty())) {
                return;
            }
            out.error(r.address() + ": spec" + at.replace('/', '.') + ": a sensitive value shorter than "
                            + Sensitive.MIN_REDACTED_LENGTH + " characters, which meshform cannot keep out of its messages",
                    "meshform masks a sensitive value in free text (an API server's or istioctl's message that quotes it)"
                            + " by finding its text there, and a text this short is found inside other words, so it could"
                            + " be printed: give a value of at least " + Sensitive.MIN_REDACTED_LENGTH + " characters",
                    r.source().valueRange("/spec" + at));
        });
    }

    private static void leavesOf(JsonNode v, String at, Map<String, JsonNode> out) {
        if (v.isObject()) {
            v.properties().forEach(e -> leavesOf(e.getValue(), at + "/" + e.getKey().replace("~", "~0").replace("/", "~1"), out));
        } else if (v.isArray()) {
            for (int i = 0; i < v.size(); i++) {
                leavesOf(v.get(i), at + "/" + i, out);
            }
        } else {
            out.put(at, v);
        }
    }
}

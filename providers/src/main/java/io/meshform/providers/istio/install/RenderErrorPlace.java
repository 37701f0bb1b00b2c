package io.meshform.providers.istio.install;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.StackContext;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Where in the stack istioctl's refusal of an install's spec stands. {@code istioctl manifest generate} names a field
 * it does not know ({@code unknown field "autoscaleEnabeld" in istio.operator.v1alpha1.PilotConfig}, as istioctl
 * 1.30.3 says of a misspelt {@code values.pilot} key) but no path: the error stood at the install's
 * {@code version} (validate) or had no position (plan), far from the misspelt key under {@code values}. It now stands at
 * the first key of that name in the spec, where there is one.
 */
final class RenderErrorPlace {
    private static final Pattern UNKNOWN_FIELD = Pattern.compile("unknown field \\\\?\"([^\"\\\\]+)\\\\?\"");

    private RenderErrorPlace() {
    }

    static DiagnosticsException placed(DiagnosticsException e, StackContext context, ResourceAddress address, JsonNode spec) {
        Optional<SourceRange> at = context.stack().find(address).flatMap(d -> e.diagnostics().stream()
                .map(x -> pointer(spec, x.summary() + "\n" + x.detail())).flatMap(Optional::stream).findFirst()
                .map(p -> d.source().range("/spec" + p)));
        return at.isEmpty() ? e : e.placedAt(at.get());
    }

    /** The pointer (relative to the spec) of the first key the message calls unknown, depth first. */
    static Optional<String> pointer(JsonNode spec, String message) {
        Matcher m = UNKNOWN_FIELD.matcher(message == null ? "" : message);
        return m.find() ? find(spec, m.group(1), "") : Optional.empty();
    }

    private static Optional<String> find(JsonNode node, String key, String at) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String here = at + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
                if (e.getKey().equals(key)) {
                    return Optional.of(here);
                }
                Optional<String> below = find(e.getValue(), key, here);
                if (below.isPresent()) {
                    return below;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                Optional<String> below = find(node.get(i), key, at + "/" + i);
                if (below.isPresent()) {
                    return below;
                }
            }
        }
        return Optional.empty();
    }
}

package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.StackContext;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where in the stack the API server's refusal of a manifest stands: at the field its 422 names ({@code
 * status.details.causes[].field}, as {@code spec.ports[0].port}; kubectl prints the same path), inside the manifest as
 * the stack or its {@code file:} writes it. The error said no file or line, where the stack's own errors do.
 */
final class ServerFieldRange {
    private static final Pattern STEP = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]");

    private ServerFieldRange() {
    }

    /** {@code e}'s diagnostics without a position, placed at the field the server names (or left as they are). */
    static DiagnosticsException placed(DiagnosticsException e, KubernetesClientException cause, StackContext context,
                                       ResourceAddress address) {
        Optional<SourceRange> at = field(cause).flatMap(pointer -> context.stack().find(address)
                .map(d -> d.source().valueRange("/spec/manifest" + pointer)));
        return at.isEmpty() ? e : e.placedAt(at.get());
    }

    /** The first field the server's Status names, as a JSON pointer ({@code /spec/ports/0/port}). */
    static Optional<String> field(KubernetesClientException e) {
        Status status = e.getStatus();
        if (status == null || status.getDetails() == null || status.getDetails().getCauses() == null) {
            return Optional.empty();
        }
        for (StatusCause c : status.getDetails().getCauses()) {
            if (c.getField() != null && !c.getField().isBlank()) {
                return Optional.of(pointer(c.getField()));
            }
        }
        return Optional.empty();
    }

    static String pointer(String field) {
        StringBuilder out = new StringBuilder();
        Matcher m = STEP.matcher(field);
        while (m.find()) {
            out.append('/').append(m.group(1) != null ? m.group(1).replace("~", "~0").replace("/", "~1") : m.group(2));
        }
        return out.toString();
    }
}

package io.meshform.engine.drift;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Sensitive;
import io.meshform.engine.spi.CheckContext;
import io.meshform.state.StateSnapshot;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * What drift's mesh checks are given of each declared resource: what was applied, from the state alone (so it is known
 * before the cluster is read), with each sensitive value the stack still gives put back in clear ({@link
 * Sensitive#restore}). State keeps only a digest of a sensitive value; where the stack's value has that very digest it is
 * provably the value applied, and a check can judge it instead of saying it cannot. A digest whose value the stack no
 * longer gives (rotated and not applied, or removed) stays a digest, and the checks say they cannot judge it.
 *
 * <p>The values put back are then the checks' to quote: {@code secrets} holds the texts they may appear as
 * ({@link Sensitive#secrets}), with those of the values the stack gives in place of a digest it does not match, and
 * {@link #redact} masks them in what the checks say, as a plan's output is masked, before drift reports it.
 */
public record AppliedForChecks(CheckContext context, Set<String> secrets) {

    public AppliedForChecks {
        secrets = Set.copyOf(secrets);
    }

    /** Drift's checks' context for {@code stack}, applied as {@code state} records it, without the run's context. */
    public static AppliedForChecks of(Stack stack, StateSnapshot state) {
        return of(stack, state, null);
    }

    /** Drift's checks' context for {@code stack}, applied as {@code state} records it, in the run of {@code run}. */
    public static AppliedForChecks of(Stack stack, StateSnapshot state, io.meshform.engine.spi.StackContext run) {
        Map<ResourceAddress, JsonNode> applied = new TreeMap<>();
        Set<String> secrets = new TreeSet<>();
        for (ResourceDecl d : stack.resources()) {
            state.find(d.address()).ifPresent(r -> {
                JsonNode recorded = r.attributes();
                // What the stack gives where a sensitive value was applied: the value put back, or a rotated one,
                // which a check reading the stack itself could quote as well.
                secrets.addAll(Sensitive.secrets(d.spec(), Sensitive.digestPaths(recorded)));
                applied.put(d.address(), Sensitive.restore(recorded, d.spec()));
            });
        }
        return new AppliedForChecks(new CheckContext(stack, applied, Map.of(), CheckContext.Purpose.DRIFT, run), secrets);
    }

    /** {@code found} with every value put back in clear masked in its summary and detail. */
    public List<Diagnostic> redact(List<Diagnostic> found) {
        if (secrets.isEmpty()) {
            return found;
        }
        return found.stream().map(d -> new Diagnostic(d.severity(), Sensitive.redact(d.summary(), secrets),
                d.detail() == null ? null : Sensitive.redact(d.detail(), secrets), d.range())).toList();
    }
}

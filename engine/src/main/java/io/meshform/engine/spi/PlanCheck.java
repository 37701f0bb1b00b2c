package io.meshform.engine.spi;

import io.meshform.engine.diag.Diagnostic;
import java.util.List;

/**
 * A safety check across the whole plan: things the cluster would accept silently but that break the mesh
 * (a STRICT policy over workloads that cannot speak mTLS, say). Warnings by default; {@code --strict}
 * makes them errors.
 */
public interface PlanCheck {

    String name();

    /**
     * False for checks that read nothing from the cluster (only the stack, or a tool that works offline): {@code
     * validate} runs those too, so a stack that passes validate fails plan only for reasons that need the cluster.
     */
    default boolean needsCluster() {
        return true;
    }

    /**
     * True for a check that judges each object of {@link CheckContext#after} alone, never how objects go together
     * (Istio's own validation of each object): a {@code validate} run without some variable values runs it on the
     * objects whose values are all known. False, the default, for the others, which such a run skips and says so, since
     * an object left out would change what they find of the rest.
     */
    default boolean judgesEachObjectAlone() {
        return false;
    }

    /**
     * True for checks only {@code validate} runs, because plan makes the same check in its own course (istioctl's
     * render of an install, which the install's plan runs anyway).
     */
    default boolean validateOnly() {
        return false;
    }

    /**
     * When this check may start before the run's reads of the cluster have ended, an event that allows it (empty,
     * the default: the check starts once the reads have ended). A plan's and drift's checks need only the stack and
     * the state to know their context, so a check that spends its time waiting on a child process ({@code istioctl
     * analyze}) can run beside the reads instead of after them; what it waits for is its own business (analyze: the
     * cluster has answered a request, so a cluster that does not answer is still reported without starting
     * istioctl). The engine starts the check at whichever comes first, this event or the end of the reads; a run that
     * fails before then never starts it.
     */
    default java.util.Optional<java.util.concurrent.CompletionStage<?>> earlyStart() {
        return java.util.Optional.empty();
    }

    /**
     * What one of this check's warnings says about the cluster, which drift reports as the finding's kind: that it
     * weakens what the stack declares (the default: a policy that lets through what the stack denies, a workload left
     * out of mTLS), that the mesh does not work as declared (istiod without replicas, connections that STRICT breaks),
     * or that the check could not judge the cluster. Neither of the last two is a weakening, and a nightly reader who
     * filters on the kind must not be told so.
     */
    default Concern concern(Diagnostic finding) {
        return Concern.WEAKENS;
    }

    /** See {@link #concern}. */
    enum Concern {
        /** What the stack declares is weaker in the cluster: traffic or callers let through that it does not allow. */
        WEAKENS,
        /** The mesh does not work as the stack declares: something fails or is refused, nothing is let through. */
        DEGRADES,
        /** The check could not judge the cluster (a tool it runs did not run): nothing is known either way. */
        UNCHECKED
    }

    List<Diagnostic> check(CheckContext context);
}

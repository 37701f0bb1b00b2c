package io.meshform.engine.drift;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.PlanDetail;
import java.util.List;

/**
 * A resource drift could check only in part: {@code summary} says why the rest could not be checked and what to do
 * ("the stack's value of meshConfig.x is not the one applied; apply it, then drift can check it"), {@code parts} which
 * parts were left out (the type's {@link PlanDetail.Kind#UNCHECKED} lines, e.g. the Istio objects and fields the
 * value reaches). Not drift (nothing is known to have changed), and not a match; {@code --fail-on-pending} fails on it
 * as on a resource not applied.
 */
public record NotChecked(ResourceAddress address, String summary, List<PlanDetail> parts) {
    public NotChecked {
        parts = List.copyOf(parts);
    }
}

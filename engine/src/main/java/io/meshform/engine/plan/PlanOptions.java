package io.meshform.engine.plan;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.SortedCopies;
import java.util.Set;

/**
 * How to plan: {@code targets} limit the plan to those resources and what they depend on; {@code excludes}
 * drop those resources and what depends on them; {@code replace} forces delete-then-create; {@code destroy}
 * plans removal of everything recorded; {@code strict} turns safety warnings into errors; {@code deleteAdopted}
 * deletes adopted objects that leave management, which are otherwise left in the cluster.
 */
public record PlanOptions(Set<ResourceAddress> targets, Set<ResourceAddress> excludes, Set<ResourceAddress> replace,
                          boolean destroy, boolean strict, boolean deleteAdopted) {

    public PlanOptions {
        // In address order: the planner reports unknown --target/--exclude/--replace addresses in this order.
        targets = SortedCopies.of(targets);
        excludes = SortedCopies.of(excludes);
        replace = SortedCopies.of(replace);
    }

    public PlanOptions(Set<ResourceAddress> targets, Set<ResourceAddress> excludes, Set<ResourceAddress> replace,
                       boolean destroy, boolean strict) {
        this(targets, excludes, replace, destroy, strict, false);
    }

    public static PlanOptions defaults() {
        return new PlanOptions(Set.of(), Set.of(), Set.of(), false, false);
    }

    public PlanOptions asDestroy() {
        return new PlanOptions(targets, excludes, replace, true, strict, deleteAdopted);
    }
}

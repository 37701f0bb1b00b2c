package io.meshform.engine.plan;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.ResourceType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The steps of types that run one at a time ({@link ResourceType#oneAtATime}): in a plan's order, each such step
 * waits for the one of its type before it, whatever either does. The graph orders only creates after creates and deletes
 * after deletes, so without this an apply that updates one {@code istio.install} and destroys another ran
 * {@code istioctl install} and {@code istioctl uninstall} against the same cluster at once.
 *
 * <p>The plan's order puts creates and updates (dependency order) before deletes (reverse dependency order), so the
 * new goes in before the old goes out, as a canary upgrade is done by hand; and a step that fails stops the apply, so
 * the old one stays when the new one does not come up. The wait is written into the plan ({@link #AFTER} and
 * {@link #WHY} in the change's private data), which the applier follows and the plan text shows, so a saved plan runs in
 * the order it was shown and reviewed.
 */
public final class SerialSteps {
    /** Private data of a step: the address of the step it starts after. */
    public static final String AFTER = "meshform/after";
    /** Private data of a step with {@link #AFTER}: why, from its type ({@link ResourceType#oneAtATime}). */
    public static final String WHY = "meshform/after_why";

    private SerialSteps() {
    }

    /**
     * {@code ordered} (a plan's changes, in its order) with each step of a one-at-a-time type made to wait for the one
     * of the same type before it. Only steps that act on the cluster take part: no-op and record-only entries, records of
     * objects already gone and deposed objects (which run last, one by one, already) neither wait nor are waited for.
     *
     * @param oneAtATime a type's name to why its steps run one at a time; empty for the others
     */
    public static List<ResourceChange> chain(List<ResourceChange> ordered, Function<String, Optional<String>> oneAtATime) {
        Map<String, Optional<String>> why = new HashMap<>();
        Map<String, ResourceAddress> last = new HashMap<>();
        List<ResourceChange> out = new ArrayList<>(ordered.size());
        for (ResourceChange c : ordered) {
            if (!acts(c)) {
                out.add(c);
                continue;
            }
            Optional<String> reason = why.computeIfAbsent(c.type(), oneAtATime);
            if (reason.isEmpty()) {
                out.add(c);
                continue;
            }
            ResourceAddress before = last.put(c.type(), c.address());
            out.add(before == null ? c : after(c, before, reason.get()));
        }
        return out;
    }

    /** The step {@code c} waits for by {@link #chain}, if any. */
    public static Optional<ResourceAddress> waitsFor(ResourceChange c) {
        return Optional.ofNullable(c.privateData().get(AFTER)).map(ResourceAddress::parse);
    }

    private static boolean acts(ResourceChange c) {
        return c.action() != Action.NOOP && !c.deposed() && !c.dropsRecord();
    }

    private static ResourceChange after(ResourceChange c, ResourceAddress before, String why) {
        Map<String, String> data = new TreeMap<>(c.privateData());
        data.put(AFTER, before.toString());
        data.put(WHY, why);
        return new ResourceChange(c.address(), c.action(), c.reason(), c.before(), c.after(), c.details(), c.warnings(),
                data, c.liveVersion(), c.dependsOn());
    }
}

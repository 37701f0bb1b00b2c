package io.meshform.engine.plan;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.ResourceType;
import io.meshform.engine.spi.StackContext;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.state.DeposedObject;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A deposed object ({@link DeposedObject}) as the cluster has it now, judged by one rule for the plan's deletes
 * ({@link DeposedDeletes}) and drift's findings alike: it is this state's to delete only while it carries this state's
 * mark, or none its type applies (as any delete, {@link ForeignDelete}).
 *
 * @param deposed what the state records
 * @param type    its type
 * @param live    the object read from the cluster, null when it is gone
 */
public record DeposedLive(DeposedObject deposed, ResourceType type, LiveObject live) {

    /**
     * Reads the one object: a read of its own, since the registry answers by address and the resource's own object may
     * be read under the same address.
     */
    public static DeposedLive read(TypeRegistry types, StackContext context, ResourceType type, DeposedObject deposed) {
        ResourceAddress a = ResourceAddress.parse(deposed.address());
        LiveObject live = types.read(context, Map.of(type.name(), List.of(new ResourceRef(a, deposed.object().attributes()))))
                .get(a);
        return new DeposedLive(deposed, type, live);
    }

    public boolean gone() {
        return live == null;
    }

    /** Whether the live object (not {@link #gone}) is this state's: it carries the mark of {@code lineage}, or none applies. */
    public boolean ours(String lineage) {
        return !live.ownership().applies() || lineage.equals(live.ownership().lineage());
    }

    /** The live value (not {@link #gone}) masked as every plan masks a delete's before side. */
    public JsonNode masked() {
        return Sensitive.mask(live.value(), SensitivePaths.of(type, live.value(), deposed.object().attributes()));
    }
}

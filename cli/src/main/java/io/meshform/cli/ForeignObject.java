package io.meshform.cli;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.ForeignMark;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.StackContext;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.state.StateSnapshot;
import java.util.List;
import java.util.Map;

/**
 * The object {@code meshform import} is about to record, read as plan reads it, so that import refuses what plan
 * refuses for {@code adopt: true}: an object that carries another resource's meshform mark ({@link ForeignMark}).
 * Taking it over without a word had two stacks manage one object, each apply undoing the other's.
 */
record ForeignObject(TypeRegistry types, Stack stack, StateSnapshot state, ResourceAddress address, String id) {

    /** Throws when the object carries a foreign mark; the state is not written then. */
    void refuse() {
        var decl = stack.find(address).orElseThrow();
        Map<ResourceAddress, LiveObject> live = types.read(StackContext.of(stack),
                Map.of(address.type(), List.of(new ResourceRef(address, decl.spec()))));
        LiveObject object = live.get(address);
        if (object == null) {
            return;
        }
        ForeignMark.of(object.ownership(), state.lineage(), address).ifPresent(mark -> {
            String what = object.ownership().object() == null ? "`" + id + "`" : object.ownership().object();
            throw new UserError("cannot import `" + id + "` as `" + address + "`: " + what + " carries " + mark.describe()
                    + ", so " + (mark.sameState() ? "another resource of this state" : "another meshform state")
                    + " made it and may still manage it; importing it would make " + (mark.sameState() ? "two resources" : "two stacks")
                    + " manage one object, and the next apply of either would undo the other. The state is unchanged. "
                    + mark.remedy(address, id));
        });
    }
}

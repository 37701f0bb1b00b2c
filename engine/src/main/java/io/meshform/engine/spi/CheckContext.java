package io.meshform.engine.spi;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What a {@link PlanCheck} sees: the stack, and the value each resource will have after apply
 * ({@code after}; absent for resources being destroyed).
 */
public record CheckContext(Stack stack, Map<ResourceAddress, JsonNode> after) {

    public List<ResourceDecl> declared(String type) {
        return stack.ofType(type).stream().filter(r -> after.containsKey(r.address())).toList();
    }
}

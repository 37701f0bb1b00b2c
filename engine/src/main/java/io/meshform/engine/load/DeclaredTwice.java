package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.TypeRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Two resources of the stack, in one file or across imports, that declare the same object in the cluster
 * ({@link io.meshform.engine.spi.ResourceType#declaredObject}): refused by validate, and so before any plan reads the
 * cluster or the state. Two addresses for one object would apply it in turn (each undoing the other's fields), both be
 * recorded, and a destroy of either, or a stack that drops one, would delete the object the other still declares; the
 * plan said nothing of it, whether both were new, both recorded or one of each. Which one to keep is the user's call,
 * so the error names both declarations and what to do with the state entry of the one removed.
 */
final class DeclaredTwice {
    private DeclaredTwice() {
    }

    static void refuse(List<ResourceDecl> resources, TypeRegistry types, Set<ResourceAddress> unchecked,
                       Diagnostics out) {
        Map<String, ResourceDecl> first = new LinkedHashMap<>();
        for (ResourceDecl r : resources) {
            if (unchecked.contains(r.address())) {
                continue;
            }
            String object = types.get(r.type()).declaredObject(r.address(), r.spec()).orElse(null);
            if (object == null) {
                continue;
            }
            ResourceDecl earlier = first.putIfAbsent(object, r);
            if (earlier == null) {
                continue;
            }
            String one = "`" + earlier.address() + "`";
            String two = "`" + r.address() + "`";
            out.error(two + " declares the same object as " + one + ": " + object,
                    one + " is declared at " + earlier.source().range() + " and " + two + " at " + r.source().range()
                            + "; both name that one object in the cluster, as their types identify it (whatever API version"
                            + " each writes). Two resources would each apply it over the other and each record it, and"
                            + " destroying either would delete the object the other declares. Keep one of them and"
                            + " remove the other from the stack; if the state records the one removed, forget that entry"
                            + " (`meshform state rm " + r.address() + "`, or `meshform state rm " + earlier.address()
                            + "`): the object stays in the cluster, managed by the one kept.",
                    r.source().range());
        }
    }
}

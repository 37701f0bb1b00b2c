package io.meshform.engine.plan;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.ResourceType;
import io.meshform.state.ResourceState;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A state entry whose object's name (or another field that says which object it is: {@link ResourceType#identityPaths})
 * is recorded only as a digest. meshform before the change that refuses it (9f7161cd) applied a sensitive value there
 * and recorded its digest, by which no object can be found: every later plan took the applied object for one "not
 * managed by meshform" and a destroy said it was "already deleted" while it stayed. The loader refuses such a value
 * since (SensitiveIdentity), so the stack that goes on with this state gives the name in clear. Where it gives the very value applied (its keyed digest is the
 * recorded one), that value is put back in the entry the plan reads ({@link #restored}): the plan finds the object,
 * and, the entry differing from the declaration, apply records it by its name ("its state entry is out of date").
 * Where it gives another value, or no longer declares the resource (a destroy included: apply deletes by the entry),
 * the object applied is not known, and the plan refuses the resource ({@link #unknown}) rather than create a second
 * object or forget the first. Drift reads the object by the entry as {@link #restored} too, and leaves one it cannot
 * find so unchecked rather than call it "deleted outside meshform".
 */
public final class DigestedIdentity {
    private DigestedIdentity() {
    }

    /** The identity paths of {@code recorded} that hold a digest, in order; empty for none or no entry. */
    public static List<String> of(ResourceType type, ResourceState recorded) {
        if (recorded == null) {
            return List.of();
        }
        return type.identityPaths().stream().filter(p -> Sensitive.isDigest(recorded.attributes().at(p))).sorted().toList();
    }

    /**
     * {@code recorded} with each digest at an identity path put back in clear where {@code declared} gives the value
     * whose digest it is ({@link Sensitive#restore}); {@code recorded} itself when there is none to put back.
     */
    public static ResourceState restored(ResourceType type, ResourceState recorded, JsonNode declared) {
        List<String> digested = of(type, recorded);
        if (digested.isEmpty() || declared == null) {
            return recorded;
        }
        JsonNode clear = Sensitive.restore(recorded.attributes(), declared);
        ObjectNode out = null;
        for (String p : digested) {
            JsonNode v = clear.at(p);
            if (!Sensitive.isDigest(v)) {
                out = out == null ? recorded.attributes().deepCopy() : out;
                SpecPointers.set(out, p, v.deepCopy());
            }
        }
        return out == null ? recorded : new ResourceState(recorded.address(), recorded.type(), out, recorded.metadata());
    }

    /**
     * The refusal of a resource whose recorded object is known only by the digest at {@code paths}: the stack gives
     * another value there ({@code decl} present) or no longer declares it ({@code decl} null).
     */
    static Diagnostic unknown(ResourceAddress address, List<String> paths, ResourceDecl decl, SourceRange at) {
        String fields = String.join(", ", paths.stream().map(p -> "spec" + p.replace('/', '.')).toList());
        String why = "an earlier meshform applied it with a sensitive value there (refused since) and recorded the value"
                + " only as its digest, by which no object can be found";
        String detail = decl != null
                ? why + "; the stack gives another value now, so the object applied then is not known (a plan would"
                        + " create a second object and leave the first). Give the value it was applied with (then"
                        + " the plan finds it and apply records it by name); or, to let that object go, delete it by"
                        + " hand (`meshform state show " + address + "` shows its kind and namespace) and `meshform"
                        + " state rm " + address + "`, then plan again"
                : why + ", so whether it is still in the cluster is not known (a destroy would say it was deleted"
                        + " and leave it). Plan and apply the stack with it declared, with the value it was applied"
                        + " with (apply records it by name; a destroy then deletes it); or delete it by hand (`meshform"
                        + " state show " + address + "` shows its kind and namespace) and `meshform state rm " + address
                        + "`";
        return Diagnostic.error("`" + address + "`: the state records " + fields + " only as a digest, which names no"
                + " object", detail, at);
    }
}

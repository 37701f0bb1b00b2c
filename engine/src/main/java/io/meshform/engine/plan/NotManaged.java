package io.meshform.engine.plan;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.Ownership;

/**
 * "exists, not managed by meshform": a declared object the state does not record and that does not carry this state's
 * mark, refused rather than taken over silently. What to do depends on the mark it carries. Without one it was made
 * by hand or by another tool, and Terraform's answer holds: import it, or adopt it. With another state's mark, meshform
 * made it for another state: most often the run uses the wrong state (the README's walkthrough without the --state
 * quickstart printed stops here at every object), and otherwise another stack manages it, where an import or an
 * adoption would make two stacks manage one object ({@link ForeignMark}: import refuses it too, and {@code adopt: true}
 * does not take it over). Leading with "import it" there sent users to take over another stack's objects. With this
 * state's own mark for this very resource, no apply of this state wrote that it was creating it
 * ({@link io.meshform.state.StateSnapshot#creating}): the state forgot it ({@code meshform state rm}), or someone copied
 * the mark onto an object they made (the lineage is readable on every object meshform applies); an import, after a
 * look at the object, is the way back, as Terraform's is after {@code terraform state rm}.
 */
final class NotManaged {
    private NotManaged() {
    }

    static Diagnostic of(ResourceAddress address, ResourceDecl decl, Ownership owner, String object, String lineage) {
        return of(address, decl, owner, object, lineage, false);
    }

    /**
     * {@code moved}: the state records the address as another object, which the plan replaces by this one (a policy or
     * manifest moved in the file). {@code meshform import} refuses an address the state records, so the way out there
     * is {@code adopt: true}, whose apply takes this object over and deletes the old one, or moving this one away.
     */
    static Diagnostic of(ResourceAddress address, ResourceDecl decl, Ownership owner, String object, String lineage,
                         boolean moved) {
        String importIt = owner.id() == null ? "" : "`meshform import " + address + " " + owner.id() + "`";
        java.util.Optional<ForeignMark> foreign = ForeignMark.of(owner, lineage, address);
        String detail = foreign.isEmpty() && owner.madeBy(lineage, address.toString())
                ? "It carries this state's mark for this resource, but the state does not record it and no apply of this"
                        + " state wrote that it was creating it: the state forgot it (`meshform state rm`, a restored"
                        + " backup), or someone copied the mark onto an object they made (anyone who may create it can)."
                        + " Applying would take it over as it is, fields of other managers included. Look at the object"
                        + " (its fields and their managers, `kubectl get -o yaml --show-managed-fields`); if it is the one"
                        + " the stack means, " + (importIt.isEmpty() ? "" : importIt + ", or ") + "delete it and apply"
                        + " to create it anew."
                : foreign.isEmpty() && moved
                ? "It is where the stack now puts `" + address + "`, but the state records `" + address + "` as another"
                        + " object, the one this plan would delete after the move, and this one carries no meshform mark"
                        + " (made by hand or by another tool); applying would take it over silently (and destroy would"
                        + " delete it). To manage it on purpose, set `adopt: true` on the resource: apply takes it over and"
                        + " then deletes the old object (destroy leaves the adopted one in the cluster). Otherwise delete or"
                        + " rename it by hand, or keep the old namespace and name in the file. (`meshform import` does not"
                        + " apply: the state already records the address.)"
                : foreign.isEmpty()
                ? "It exists in the cluster, but the state does not record it and it carries no meshform mark (made by hand"
                        + " or by another tool); applying would take it over silently (and destroy would delete it). To manage"
                        + " it on purpose, " + (importIt.isEmpty() ? "" : "import it (" + importIt + ") or ")
                        + "set `adopt: true` on the resource (destroy then leaves it in the cluster). If the state should"
                        + " record it, check --state or the stack's backend."
                : "The state does not record it, and it carries " + foreign.get().describe() + ": "
                        + (foreign.get().sameState() ? "another resource of this state " : "a meshform run with another state ")
                        + "made it. " + (decl.lifecycle().adopt() ? "`adopt: true` takes over only objects without"
                        + " meshform's mark. " : "") + (importIt.isEmpty() ? "" : "A plain import or ")
                        + "`adopt: true` would make " + (foreign.get().sameState() ? "two resources" : "two stacks")
                        + " manage one object, and the next apply of either would undo"
                        + " the other. " + foreign.get().remedy(address, owner.id());
        return Diagnostic.error("`" + address + "`: " + object + " exists, not managed by meshform", detail, decl.source().range());
    }
}

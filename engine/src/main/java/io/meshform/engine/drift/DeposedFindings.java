package io.meshform.engine.drift;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.plan.DeposedLive;
import io.meshform.engine.spi.ResourceType;
import io.meshform.engine.spi.StackContext;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.state.DeposedObject;
import io.meshform.state.StateSnapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * What drift says about the state's deposed objects ({@link DeposedObject}: old objects of moves whose delete did not
 * go through). One still in the cluster is a finding: the state records it as to be deleted, so a nightly check must not
 * call the mesh clean while it is there. One already gone is a note: the next apply only drops its record. The same
 * rules as the plan's deletes of them ({@link DeposedLive}), read without changing anything.
 *
 * @param entries the findings, in the state's order of deposed objects (address, then key)
 * @param notes   the deposed objects already gone from the cluster
 */
record DeposedFindings(List<DriftEntry> entries, List<Diagnostic> notes) {
    static final String SUMMARY = "the old object of a move, whose delete did not go through; `meshform apply` deletes it";

    DeposedFindings {
        entries = List.copyOf(entries);
        notes = List.copyOf(notes);
    }

    /**
     * Reads each deposed object the registry has a type for (a type no provider offers is skipped, as a recorded
     * resource's is). {@code --ignore ADDR} does not leave ADDR's deposed objects out: it silences known noise in the
     * resource's own object, and a deposed object is no noise of it but a leftover object the state still wants deleted
     * (as Terraform's ignore_changes never keeps a deposed object from its destroy); a nightly check that ignores a
     * flapping field must not hide it. One read per object: the registry answers by address, and the resource's own
     * object may be read under the same address.
     */
    static DeposedFindings of(TypeRegistry types, StackContext context, StateSnapshot state) {
        List<DriftEntry> entries = new ArrayList<>();
        List<Diagnostic> notes = new ArrayList<>();
        for (DeposedObject d : state.deposed()) {
            ResourceAddress a = ResourceAddress.parse(d.address());
            ResourceType type = types.find(d.object().type()).orElse(null);
            if (type == null) {
                continue;
            }
            DeposedLive found = DeposedLive.read(types, context, type, d);
            if (found.gone()) {
                notes.add(Diagnostic.info(d.describe() + " is already gone from the cluster: the next apply drops its record",
                        "It is the old object of a move whose delete failed; something else deleted it since.", null));
                continue;
            }
            boolean ours = found.ours(state.lineage());
            String summary = ours ? SUMMARY : "the old object of a move, whose delete did not go through; it no longer"
                    + " carries this state's mark, so `meshform apply` keeps it: delete it by hand if it is to go, and"
                    + " forget it with `meshform state rm " + a + "`";
            // The live side masked as the plan masks a delete's before side; nothing is expected: the state wants it gone.
            entries.add(new DriftEntry(a, DriftKind.DEPOSED, summary, null, found.masked(), List.of(), null, d.key()));
        }
        return new DeposedFindings(entries, notes);
    }
}

package io.meshform.providers.istio.install;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Ownership;
import io.meshform.providers.istio.install.IstioAddons.Addon;
import io.meshform.providers.istio.install.IstioAddons.AddonObject;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import io.meshform.providers.kubernetes.LineageMark;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * Which addon objects an install deletes, and which it leaves in place. Two kinds of object are candidates: those the
 * state records as applied ({@code addonObjects}), and Istio's sample objects of an addon the spec switches off.
 *
 * <p>The state alone names the first kind, and a state file (or Secret) can be edited without any access to the cluster:
 * an entry {@code kube-system/ConfigMap/precious} would otherwise be deleted by the next apply or destroy. So a recorded
 * object goes only when it carries this state's mark for this install ({@link LineageMark}: the annotations that
 * meshform's field manager writes on every addon object it applies, which an edit of the state cannot add). The field
 * manager's ownership alone would not tell: every object meshform applies, in any stack, is owned by that manager.
 * An object an older meshform applied before addons were marked carries no mark either, and is left in place too:
 * the next apply of the install marks the addons it still applies, and one no longer applied is deleted by hand.
 *
 * <p>A sample object of an addon switched off goes when it carries the sample's label, whoever applied it: the stack
 * asks for it ({@code addons.kiali: false}), not the state.
 *
 * @param delete      the objects to delete
 * @param leftInPlace recorded objects that exist but that this state's install did not apply, with what they carry
 */
record AddonRemovals(List<AddonObject> delete, List<Kept> leftInPlace) {
    static final AddonRemovals NONE = new AddonRemovals(List.of(), List.of());

    AddonRemovals {
        delete = List.copyOf(delete);
        leftInPlace = List.copyOf(leftInPlace);
    }

    /** A recorded object left in place, and the mark it carries ({@link Ownership#lineage()} null: none). */
    record Kept(AddonObject object, Ownership owner) {
        /** Why it stays and what to do, in the words of plan warnings and apply's progress. */
        String describe(ResourceAddress install) {
            String carries = owner.lineage() == null ? "carries no meshform mark"
                    : "carries another meshform mark (lineage " + owner.lineage()
                            + (owner.address() == null ? "" : ", resource " + owner.address()) + ")";
            return install + ": " + object.describe() + " is listed among the state's addon objects but " + carries
                    + ", so this install did not apply it: it is left in place, not deleted. The state may have been"
                    + " edited; or a meshform that did not yet mark addons applied it: if it is an addon object no longer"
                    + " wanted, delete it by hand (e.g. kubectl delete)";
        }
    }

    /**
     * Sorts {@code recorded} and {@code offSamples} with one LIST per kind and namespace ({@code lister}): a recorded
     * object is deleted when it carries the mark of {@code lineage} for {@code install}; a sample object of an addon
     * switched off when it carries the sample's label. Objects that do not exist are neither.
     */
    static AddonRemovals of(ResourceAddress install, String lineage, String fieldManager, List<AddonObject> recorded,
                            List<AddonObject> offSamples, Function<Target, Map<String, JsonNode>> lister) {
        Map<Target, AddonObject> recordedByTarget = new LinkedHashMap<>();
        recorded.forEach(o -> recordedByTarget.putIfAbsent(o.target(), o));
        Map<Target, AddonObject> samplesByTarget = new LinkedHashMap<>();
        offSamples.forEach(o -> samplesByTarget.putIfAbsent(o.target(), o));
        Map<Target, List<Target>> byCollection = new LinkedHashMap<>();
        for (Target t : union(recordedByTarget.keySet(), samplesByTarget.keySet())) {
            byCollection.computeIfAbsent(t.collection(), k -> new ArrayList<>()).add(t);
        }
        if (byCollection.isEmpty()) {
            return NONE;
        }
        Map<Target, Map<String, JsonNode>> listed = io.meshform.providers.kubernetes.ParallelLists.each(byCollection.keySet(), lister);
        List<AddonObject> delete = new ArrayList<>();
        List<Kept> kept = new ArrayList<>();
        for (Map.Entry<Target, List<Target>> g : byCollection.entrySet()) {
            Map<String, JsonNode> live = listed.get(g.getKey());
            for (Target t : g.getValue()) {
                JsonNode o = live == null ? null : live.get(t.name());
                if (o == null) {
                    continue;
                }
                AddonObject r = recordedByTarget.get(t);
                Ownership owner = r == null ? null : LineageMark.of(o, fieldManager, r.describe(), null);
                AddonObject sample = samplesByTarget.get(t);
                if (owner != null && lineage != null && owner.madeBy(lineage, install.toString())) {
                    delete.add(r);
                } else if (sample != null && sampleLabelled(sample, o)) {
                    delete.add(sample);
                } else if (r != null) {
                    kept.add(new Kept(r, owner));
                }
            }
        }
        return new AddonRemovals(delete, kept);
    }

    private static boolean sampleLabelled(AddonObject sample, JsonNode live) {
        Addon a = Addon.of(sample.addon());
        return a.labelValue.equals(RenderDiff.labels(live).get(a.label));
    }

    private static List<Target> union(Set<Target> a, Set<Target> b) {
        List<Target> out = new ArrayList<>(a);
        b.stream().filter(t -> !a.contains(t)).forEach(out::add);
        return out;
    }
}

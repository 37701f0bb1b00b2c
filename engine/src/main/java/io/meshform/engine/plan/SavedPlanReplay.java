package io.meshform.engine.plan;

import io.meshform.engine.diag.Quote;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * A saved plan against the plan made again from the same stack and state, change by change, in the form the file
 * holds: what {@code show PLANFILE} displays and a reviewer approved must be what {@code apply PLANFILE} does.
 *
 * <p>The bindings ({@link PlanBinding#whatMoved}: the stack's digest, the state's lineage and serial, the live
 * objects' versions) say the world has not moved; they do not cover the file's own content, which is plain JSON. An
 * edited {@code after} (another object's name and namespace, say) was displayed by {@code show} while apply applied
 * the stack's object. Since a plan is a function of the stack, the state and the cluster, planning again with the same
 * options gives every change back exactly; any difference is an edit (or damage), and the apply is refused. The
 * comparison is of each change's whole entry (actions, reason, before, after, the Terraform-shaped {@code change},
 * details, warnings, dependencies, private data), and of the resources a partial plan left out. Sensitive values are
 * compared masked and digested, as the file holds them.
 */
public final class SavedPlanReplay {
    private SavedPlanReplay() {
    }

    /**
     * The options that plan {@code saved} again. A plan file does not name its options, but its changes tell them:
     * a partial plan's changes are exactly what its --target and --exclude selected (a selection is closed over
     * dependencies, so targeting every listed resource selects the same ones again); --replace shows as its reason;
     * and a plan that forgets no adopted resource plans alike with and without --delete-adopted. --strict changes no
     * change (it turns warnings into errors).
     */
    public static PlanOptions options(Plan saved) {
        Set<ResourceAddress> targets = saved.partial()
                ? saved.changes().stream().map(ResourceChange::address).collect(Collectors.toSet()) : Set.of();
        Set<ResourceAddress> replace = saved.changes().stream()
                .filter(c -> (c.action() == Action.REPLACE || c.action() == Action.CREATE)
                        && c.reason() != null && c.reason().startsWith(Planner.REPLACE_REQUESTED))
                .map(ResourceChange::address).collect(Collectors.toSet());
        boolean deleteAdopted = saved.changes().stream().noneMatch(ResourceChange::forgets);
        return new PlanOptions(targets, Set.of(), replace, saved.destroy(), false, deleteAdopted);
    }

    /**
     * How the saved plan file {@code savedFile} differs from {@code replayed}, the same plan made again and written in
     * the file's form; empty when every change is the same. Each finding names the resource.
     */
    public static List<String> differences(JsonNode savedFile, JsonNode replayed) {
        List<String> found = new ArrayList<>();
        Map<String, JsonNode> saved = byAddress(savedFile);
        Map<String, JsonNode> again = byAddress(replayed);
        for (Map.Entry<String, JsonNode> e : saved.entrySet()) {
            JsonNode now = again.get(e.getKey());
            if (now == null) {
                found.add("`" + e.getKey() + "`: the file lists a change, and planning again finds none");
                continue;
            }
            List<String> fields = new ArrayList<>();
            Set<String> names = new TreeSet<>(e.getValue().propertyNames());
            names.addAll(now.propertyNames());
            for (String name : names) {
                if (!e.getValue().path(name).equals(now.path(name))) {
                    fields.add(name);
                }
            }
            if (!fields.isEmpty()) {
                StringBuilder what = new StringBuilder("`" + e.getKey() + "`: the file's " + String.join(", ", fields)
                        + (fields.size() == 1 && !fields.get(0).endsWith("s") ? " differs" : " differ") + " from what planning again gives");
                for (String list : List.of("details", "warnings")) {
                    if (fields.contains(list)) {
                        lines(what, e.getValue().path(list), now.path(list));
                    }
                }
                found.add(what.toString());
            }
        }
        for (String address : again.keySet()) {
            if (!saved.containsKey(address)) {
                found.add("`" + address + "`: planning again lists a change the file does not");
            }
        }
        if (!savedFile.path("not_planned").equals(replayed.path("not_planned"))) {
            found.add("the resources the plan leaves out (not_planned) differ from what planning again leaves out");
        }
        return found;
    }

    /**
     * The warnings (and errors) that planning again gives and the saved plan file {@code savedFile} does not show, each
     * said by its position and first line: a reviewer of the file (its {@code show}) must have seen every warning about
     * what applying it does. An edit that removed one (the {@code diagnostics} entry of a DENY policy that denies
     * nothing, say) kept every binding valid and was applied as reviewed. Only one way: a warning of the file that
     * planning again no longer gives (a pod gone since, or a check left out of this run) hides nothing. Notes (info) are
     * not compared: some count what changes by the minute (analyze's messages about other objects).
     */
    public static List<String> hiddenWarnings(JsonNode savedFile, JsonNode replayed) {
        java.util.Set<JsonNode> shown = new java.util.HashSet<>();
        savedFile.path("diagnostics").forEach(d -> shown.add(withoutFile(d)));
        List<String> hidden = new ArrayList<>();
        for (JsonNode d : replayed.path("diagnostics")) {
            String severity = d.path("severity").asString("");
            if ((severity.equals("warning") || severity.equals("error")) && !shown.contains(withoutFile(d))) {
                JsonNode r = d.path("range");
                String at = r.isObject() ? r.path("file").asString() + ":" + r.path("line").asInt() + ":"
                        + r.path("column").asInt() + ": " : "";
                hidden.add("a " + severity + " the file does not show: " + at + Quote.shortened(d.path("summary").asString()));
            }
        }
        return hidden;
    }

    /**
     * {@code d} without its range's file: the stack's path as the command line spelled it (`-f ./x.yaml` at plan, `-f
     * x.yaml` at apply), which is not what a reviewer saw; the line, column and words are.
     */
    private static JsonNode withoutFile(JsonNode d) {
        if (!d.path("range").isObject() || !d.path("range").has("file")) {
            return d;
        }
        tools.jackson.databind.node.ObjectNode copy = (tools.jackson.databind.node.ObjectNode) d.deepCopy();
        ((tools.jackson.databind.node.ObjectNode) copy.get("range")).remove("file");
        return copy;
    }

    /**
     * The first lines that differ between a change's {@code details} (or {@code warnings}) in the file and planned
     * again, a few of each side: what changed in the cluster since (a pod that came or went, an object the garbage
     * collector removed) is then named, not only the field. The lines are the file's own (masked as the file holds
     * them, and shown by the plan the file was written from), shortened.
     */
    private static void lines(StringBuilder out, JsonNode file, JsonNode again) {
        List<String> saved = texts(file);
        List<String> now = texts(again);
        List<String> gone = saved.stream().filter(l -> !now.contains(l)).toList();
        List<String> added = now.stream().filter(l -> !saved.contains(l)).toList();
        gone.stream().limit(SHOWN_LINES).forEach(l -> out.append("\n      in the file only: ").append(Quote.shortened(l.strip())));
        added.stream().limit(SHOWN_LINES).forEach(l -> out.append("\n      planned now only: ").append(Quote.shortened(l.strip())));
        int more = Math.max(0, gone.size() - SHOWN_LINES) + Math.max(0, added.size() - SHOWN_LINES);
        if (more > 0) {
            out.append("\n      ... ").append(more).append(more == 1 ? " more line" : " more lines");
        }
        if (gone.isEmpty() && added.isEmpty()) {
            out.append("\n      the same lines in another order");
        }
    }

    private static final int SHOWN_LINES = 3;

    private static List<String> texts(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.asString()));
        return out;
    }

    private static Map<String, JsonNode> byAddress(JsonNode plan) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode c : plan.path("resource_changes")) {
            // a deposed object's delete shares its resource's address: its key tells them apart
            out.putIfAbsent(c.path("address").asString()
                    + (c.has("deposed") ? " (deposed object " + c.path("deposed").asString() + ")" : ""), c);
        }
        return out;
    }
}

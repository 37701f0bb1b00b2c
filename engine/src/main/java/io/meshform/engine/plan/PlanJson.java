package io.meshform.engine.plan;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.PlanDetail;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The machine form of a plan (documented in docs/plan-json.md). The same form, with each change's private
 * data, is the saved plan file that {@code apply PLANFILE} reads back.
 */
public final class PlanJson {
    /** {@code provider_name} is Terraform's provider source address; meshform's providers are named under this host. */
    public static final String PROVIDER_HOST = "meshform.io/";
    private final JsonMapper mapper = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private final JsonNodeFactory f = JsonNodeFactory.instance;

    public String write(Plan plan, boolean includePrivate) {
        return mapper.writeValueAsString(toJson(plan, includePrivate)) + "\n";
    }

    /**
     * A saved plan's text: with {@code prior_state.location}, where the state it would start lies, when it was made
     * where no state existed ({@link #savedLocation}); the lineage and serial bind every other plan to its state.
     */
    public String writeSaved(Plan plan, String stateLocation) {
        return writeSaved(plan, stateLocation, java.util.Set.of());
    }

    /**
     * As {@link #writeSaved(Plan, String)}, with {@code skipped_checks}: the checks the plan was made without (plan
     * --no-analyze), which apply leaves out of the plan it makes again to compare the file's warnings with
     * ({@link SavedPlanReplay#hiddenWarnings}), and which {@link #read} turns into a note a reviewer sees.
     */
    public String writeSaved(Plan plan, String stateLocation, java.util.Set<String> skippedChecks) {
        ObjectNode root = toJson(plan, true);
        if (plan.stateSerial() == 0 && stateLocation != null) {
            ((ObjectNode) root.get("prior_state")).put("location", stateLocation);
        }
        if (!skippedChecks.isEmpty()) {
            ArrayNode skipped = root.putArray(SKIPPED_CHECKS);
            new java.util.TreeSet<>(skippedChecks).forEach(skipped::add);
        }
        return mapper.writeValueAsString(root) + "\n";
    }

    private static final String SKIPPED_CHECKS = "skipped_checks";

    /** The checks a saved plan was made without ({@link #writeSaved(Plan, String, java.util.Set)}); empty for others. */
    public java.util.Set<String> savedSkippedChecks(String text) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        mapper.readTree(text).path(SKIPPED_CHECKS).forEach(c -> out.add(c.asString()));
        return out;
    }

    /** The note a saved plan made without {@code check} shows in place of the check's findings. */
    public static Diagnostic skippedNote(String check) {
        return Diagnostic.info("check `" + check + "` did not run when this plan was made (the plan was made without"
                + " it): what it finds is not among this plan's warnings", null, null);
    }

    /** The state location a saved plan made where no state existed was made for, or null (older files, other plans). */
    public String savedLocation(String text) {
        JsonNode location = mapper.readTree(text).path("prior_state").path("location");
        return location.isString() ? location.asString() : null;
    }

    /**
     * What {@code plan --json} prints when no plan could be made (the stack did not load, the cluster did not answer,
     * the lock was held): the errors, and no plan, so that {@code plan --json > plan.json} in a pipeline holds the reason
     * rather than nothing. Terraform's plan JSON says {@code "errored": true} for a plan that failed.
     * {@code changes_present} is null: nothing is known of the changes.
     */
    public String failure(String meshformVersion, List<Diagnostic> errors) {
        ObjectNode root = f.objectNode();
        root.put("format_version", Plan.FORMAT_VERSION);
        root.put("meshform_version", meshformVersion);
        root.put("errored", true);
        root.putNull("changes_present");
        writeDiagnostics(root, errors);
        return mapper.writeValueAsString(root) + "\n";
    }

    private void writeDiagnostics(ObjectNode root, List<Diagnostic> diagnostics) {
        ArrayNode diags = root.putArray("diagnostics");
        for (Diagnostic d : diagnostics) {
            ObjectNode o = diags.addObject();
            o.put("severity", d.severity().name().toLowerCase());
            o.put("summary", d.summary());
            o.put("detail", d.detail());
            if (d.range() != null) {
                ObjectNode r = o.putObject("range");
                r.put("file", d.range().file());
                r.put("line", d.range().line());
                r.put("column", d.range().column());
            }
        }
    }

    public ObjectNode toJson(Plan plan, boolean includePrivate) {
        ObjectNode root = f.objectNode();
        root.put("format_version", Plan.FORMAT_VERSION);
        root.put("meshform_version", plan.meshformVersion());
        ObjectNode stack = root.putObject("stack");
        stack.put("name", plan.stackName());
        stack.put("digest", plan.stackDigest());
        ObjectNode state = root.putObject("prior_state");
        state.put("lineage", plan.stateLineage());
        state.put("serial", plan.stateSerial());
        root.put("destroy", plan.destroy());
        root.put("changes_present", plan.hasChanges());
        if (plan.partial()) {
            // Only in a partial plan, so a whole plan's JSON keeps its shape.
            ArrayNode left = root.putArray("not_planned");
            plan.notPlanned().forEach(a -> left.add(a.toString()));
        }
        ArrayNode changes = root.putArray("resource_changes");
        List<List<Integer>> waits = StepOrder.of(plan.changes());
        int[] stepNumbers = new int[plan.changes().size()];
        int steps = 0;
        for (int i = 0; i < stepNumbers.length; i++) {
            stepNumbers[i] = waits.get(i) == null ? 0 : ++steps;
        }
        for (int i = 0; i < plan.changes().size(); i++) {
            ResourceChange c = plan.changes().get(i);
            ObjectNode o = changes.addObject();
            o.put("address", c.address().toString());
            o.put("type", c.address().type());
            o.put("name", c.address().name());
            if (c.deposed()) {
                // Terraform's field: the change is about this deposed object, not the resource's current one
                o.put("deposed", c.deposedKey());
            }
            ArrayNode actions = o.putArray("actions");
            if (c.action() == Action.REPLACE) {
                replaceActions(c, actions);
            } else {
                actions.add(c.action().jsonName());
            }
            o.put("reason", c.reason());
            if (c.records()) {
                // apply writes the state entry of an object that is already there: a change, though the cluster's stays
                o.put("record", true);
            }
            if (c.waitsOnly()) {
                // an update that changes nothing: apply writes the object again as it is and waits for it to be ready
                o.put("wait", true);
            }
            if (c.forgets() || c.dropsRecord()) {
                // apply only removes the state's record: the object stays (adopted) or is gone already; "forget" counts it
                o.put("forget", true);
            }
            o.set("before", c.before() == null ? f.nullNode() : c.before());
            o.set("after", c.after() == null ? f.nullNode() : c.after());
            terraformShape(o, c);
            ArrayNode details = o.putArray("details");
            c.details().forEach(d -> details.add(d.line()));
            writeFolded(o, c.details());
            ArrayNode warnings = o.putArray("warnings");
            c.warnings().forEach(warnings::add);
            ArrayNode deps = o.putArray("depends_on");
            c.dependsOn().forEach(d -> deps.add(d.toString()));
            if (stepNumbers[i] > 0) {
                // the order apply carries the steps out in (StepOrder): depends_on alone does not say it
                o.put("step", stepNumbers[i]);
                ArrayNode after = o.putArray("waits_for");
                waits.get(i).forEach(w -> after.add(stepNumbers[w]));
            }
            if (c.liveVersion() == null) {
                o.putNull("live_version");
            } else {
                o.put("live_version", c.liveVersion());
            }
            if (includePrivate) {
                ObjectNode priv = o.putObject("private");
                new TreeMap<>(c.privateData()).forEach(priv::put);
            }
        }
        writeDiagnostics(root, plan.diagnostics());
        Plan.Summary s = plan.summary();
        ObjectNode summary = root.putObject("summary");
        summary.put("add", s.add());
        summary.put("change", s.change());
        summary.put("destroy", s.destroy());
        summary.put("forget", s.forget());
        summary.put("record", s.record());
        summary.put("wait", s.waitFor());
        return root;
    }

    /**
     * The fields of a resource change in {@code terraform show -json} (format 1.x, "resource_changes"), so policies
     * and pull-request tools written for Terraform plans read meshform's unchanged: {@code mode}, {@code
     * provider_name}, and {@code change} with Terraform's action words ({@code no-op}, not {@code noop}). Nothing
     * in a meshform plan is unknown until apply, so {@code after_unknown} is empty; values the provider marks
     * sensitive are already masked, and {@code before_sensitive}/{@code after_sensitive} point at them as
     * Terraform does (true at each masked path).
     */
    private void terraformShape(ObjectNode o, ResourceChange c) {
        o.put("mode", "managed");
        String type = c.address().type();
        o.put("provider_name", PROVIDER_HOST + type.substring(0, Math.max(0, type.indexOf('.'))));
        ObjectNode change = o.putObject("change");
        ArrayNode actions = change.putArray("actions");
        switch (c.action()) {
            case REPLACE -> replaceActions(c, actions);
            case NOOP -> actions.add("no-op");
            default -> actions.add(c.action().jsonName());
        }
        change.set("before", c.before() == null ? f.nullNode() : c.before());
        change.set("after", c.after() == null ? f.nullNode() : c.after());
        change.putObject("after_unknown");
        change.set("before_sensitive", sensitiveMarks(c.before()));
        change.set("after_sensitive", sensitiveMarks(c.after()));
    }

    /** A replacement's two actions in the order apply runs them, as Terraform writes create_before_destroy's. */
    private static void replaceActions(ResourceChange c, ArrayNode actions) {
        if (c.createsFirst()) {
            actions.add("create");
            actions.add("delete");
        } else {
            actions.add("delete");
            actions.add("create");
        }
    }

    /** Terraform's sensitivity mirror of a value: {@code true} where the value is masked, false when nothing is. */
    private JsonNode sensitiveMarks(JsonNode value) {
        if (value == null || value.isNull()) {
            return f.booleanNode(false);
        }
        if (value.isString() && Sensitive.isMask(value.asString())) {
            return f.booleanNode(true);
        }
        if (value.isObject()) {
            ObjectNode marks = f.objectNode();
            value.forEachEntry((k, v) -> {
                JsonNode m = sensitiveMarks(v);
                if (!m.isBoolean() || m.booleanValue()) {
                    marks.set(k, m);
                }
            });
            return marks;
        }
        if (value.isArray()) {
            ArrayNode marks = f.arrayNode();
            value.forEach(v -> marks.add(sensitiveMarks(v)));
            return marks;
        }
        return f.booleanNode(false);
    }

    /**
     * Which {@code details} text and Markdown leave out ({@link PlanDetail.Kind#FOLDED}), as index ranges {@code [from,
     * to)}: the lines themselves stay as they were, so what reads {@code details} reads the same, and {@code show}
     * of a saved plan prints what {@code plan} printed. Only written when there are some.
     */
    private static void writeFolded(ObjectNode o, List<PlanDetail> details) {
        ArrayNode ranges = null;
        for (int i = 0; i < details.size(); i++) {
            if (details.get(i).shown()) {
                continue;
            }
            int from = i;
            while (i + 1 < details.size() && !details.get(i + 1).shown()) {
                i++;
            }
            if (ranges == null) {
                ranges = o.putArray("folded_details");
            }
            ranges.addArray().add(from).add(i + 1);
        }
    }

    /** The details of a saved change; a plan saved before {@code folded_details} existed has none folded. */
    private static List<PlanDetail> readDetails(JsonNode change) {
        JsonNode lines = change.path("details");
        boolean[] folded = new boolean[lines.size()];
        for (JsonNode r : change.path("folded_details")) {
            java.util.Arrays.fill(folded, r.get(0).asInt(), r.get(1).asInt(), true);
        }
        List<PlanDetail> details = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).asString();
            // A folded line was written as its text alone (its kind has no mark), so it is read back whole.
            details.add(folded[i] ? PlanDetail.folded(line) : PlanDetail.parse(line));
        }
        return details;
    }

    /** Reads a saved plan; throws IllegalArgumentException with what is wrong. */
    public Plan read(String text) {
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JacksonException e) {
            throw SavedPlanShape.notJson(e);
        }
        SavedPlanShape.notAState(root);
        int version = root.path("format_version").asInt(-1);
        if (version != Plan.FORMAT_VERSION) {
            throw new IllegalArgumentException(version > Plan.FORMAT_VERSION
                    ? "plan file format " + version + " is newer than this meshform reads (" + Plan.FORMAT_VERSION + "); upgrade meshform"
                    : "not a meshform plan file (no format_version)");
        }
        SavedPlanShape.check(root);
        List<ResourceChange> changes = new ArrayList<>();
        for (JsonNode o : root.path("resource_changes")) {
            JsonNode actions = o.path("actions");
            Action action = actions.size() == 2 ? Action.REPLACE : Action.valueOf(actions.get(0).asString().toUpperCase());
            List<PlanDetail> details = readDetails(o);
            List<String> warnings = new ArrayList<>();
            o.path("warnings").forEach(d -> warnings.add(d.asString()));
            List<ResourceAddress> deps = new ArrayList<>();
            o.path("depends_on").forEach(d -> deps.add(ResourceAddress.parse(d.asString())));
            Map<String, String> priv = new TreeMap<>();
            o.path("private").forEachEntry((k, v) -> priv.put(k, v.asString()));
            if (o.has("deposed")) {
                priv.put(DeposedDeletes.KEY, o.path("deposed").asString());
            }
            changes.add(new ResourceChange(ResourceAddress.parse(o.path("address").asString()), action,
                    o.path("reason").asString(), nullable(o.get("before")), nullable(o.get("after")), details, warnings,
                    priv, o.path("live_version").isNull() ? null : o.path("live_version").asString(), deps));
        }
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (JsonNode d : root.path("diagnostics")) {
            JsonNode r = d.get("range");
            diagnostics.add(new Diagnostic(Severity.valueOf(d.path("severity").asString().toUpperCase()),
                    d.path("summary").asString(), d.path("detail").isNull() ? null : d.path("detail").asString(),
                    r == null ? null : new SourceRange(r.path("file").asString(), r.path("line").asInt(), r.path("column").asInt())));
        }
        // shown by show, so an edit that adds a skipped check to a file says so where its warnings would be
        root.path(SKIPPED_CHECKS).forEach(c -> diagnostics.add(skippedNote(c.asString())));
        List<ResourceAddress> notPlanned = new ArrayList<>();
        root.path("not_planned").forEach(a -> notPlanned.add(ResourceAddress.parse(a.asString())));
        JsonNode state = root.path("prior_state");
        return new Plan(root.path("meshform_version").asString(), root.path("stack").path("name").asString(),
                root.path("stack").path("digest").asString(), state.path("lineage").asString(),
                state.path("serial").asLong(), root.path("destroy").asBoolean(), changes, diagnostics, notPlanned);
    }

    private static JsonNode nullable(JsonNode n) {
        return n == null || n.isNull() ? null : n;
    }
}

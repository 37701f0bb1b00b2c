package io.meshform.engine.drift;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.CheckFinding;
import io.meshform.engine.plan.CheckRun;
import io.meshform.engine.plan.DigestedIdentity;
import io.meshform.engine.plan.Sensitive;
import io.meshform.engine.plan.SensitivePaths;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.ResourceType;
import io.meshform.engine.spi.StackContext;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.state.ResourceState;
import io.meshform.state.StateSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * Compares the live cluster with what was applied (the state), never with the file: drift is what changed
 * behind meshform's back, not what the next plan would change. Reads only; changes neither cluster nor state.
 *
 * <p>The mesh checks (among them {@code istioctl analyze}, which waits on a child process) run through
 * {@link CheckRun}, beside the reads (those that may start early) and the comparison: the report is the same, in the
 * same order, as when they ran one after the other after it.
 */
public final class DriftDetector {
    private final TypeRegistry types;

    public DriftDetector(TypeRegistry types) {
        this.types = types;
    }

    /** {@code ignored} filters out known noise: whole resources, or single fields of them. */
    public DriftReport detect(Stack stack, StateSnapshot state, List<IgnoreRule> ignoreRules) {
        Predicate<ResourceAddress> ignored = a -> ignoreRules.stream().anyMatch(r -> r.wholeResource() && r.address().equals(a));
        Map<String, List<ResourceRef>> byType = new TreeMap<>();
        // Each entry checked, as applied: a name recorded as a digest is put back in clear where the stack gives that
        // very value, once, for the read and the comparison.
        Map<ResourceAddress, ResourceState> checked = new java.util.LinkedHashMap<>();
        for (ResourceState r : state.resources()) {
            ResourceAddress a = ResourceAddress.of(r);
            if (ignored.test(a) || types.find(a.type()).isEmpty()) {
                continue;
            }
            ResourceState readAs = DigestedIdentity.restored(types.get(a.type()), r,
                    stack.find(a).map(d -> (JsonNode) d.spec()).orElse(null));
            checked.put(a, readAs);
            byType.computeIfAbsent(a.type(), k -> new ArrayList<>()).add(new ResourceRef(a, readAs.attributes()));
        }
        // The same context plan gets, so relative paths (a manifest's file:, addons.manifests) resolve from the
        // stack file, not from wherever drift was started.
        StackContext context = StackContext.forDrift(stack);
        // The checks' context is the recorded state, known before the reads: istioctl analyze starts beside the
        // reads once the cluster has answered (PlanCheck.earlyStart; a cluster that does not answer is reported
        // without starting istioctl), the others after them, beside the comparison below.
        AppliedForChecks forChecks = AppliedForChecks.of(stack, state, context);
        try (CheckRun checks = CheckRun.beforeReads(types.checks(), forChecks.context())) {
            if (byType.isEmpty()) {
                // Nothing recorded to read, yet "No drift" must mean the cluster answered.
                java.util.Set<String> used = new java.util.TreeSet<>();
                stack.resources().forEach(r -> used.add(r.type()));
                types.ping(used);
            }
            Map<ResourceAddress, LiveObject> live = types.read(context, byType);
            DeposedFindings deposed = DeposedFindings.of(types, context, state);
            checks.afterReads();
            return detect(stack, state, ignoreRules, checked, live, context, checks, forChecks, deposed);
        }
    }

    private DriftReport detect(Stack stack, StateSnapshot state, List<IgnoreRule> ignoreRules,
                               Map<ResourceAddress, ResourceState> checked,
                               Map<ResourceAddress, LiveObject> live, StackContext context, CheckRun checks,
                               AppliedForChecks forChecks, DeposedFindings deposed) {
        List<DriftEntry> entries = new ArrayList<>();
        List<NotChecked> notChecked = new ArrayList<>();
        UnmatchedIgnoreFields unmatched = new UnmatchedIgnoreFields(ignoreRules);
        for (Map.Entry<ResourceAddress, ResourceState> entry : checked.entrySet()) {
            ResourceAddress a = entry.getKey();
            ResourceState recorded = entry.getValue();
            LiveObject now = live.get(a);
            List<String> digested = DigestedIdentity.of(types.get(a.type()), recorded);
            if (!digested.isEmpty()) {
                // No object can be read by a digest: "deleted outside meshform" would be a guess (it was, on the dev
                // cluster, of a ConfigMap still there).
                notChecked.add(new NotChecked(a, "the state records " + String.join(", ", digested.stream()
                        .map(p -> "spec" + p.replace('/', '.')).toList()) + " only as a digest, which names no object;"
                        + " plan says what to do, then drift can check it", List.of()));
                continue;
            }
            if (now == null) {
                unmatched.saw(a, recorded.attributes(), null);
                entries.add(new DriftEntry(a, DriftKind.DELETED, "deleted outside meshform", recorded.attributes(), null, List.of(), null));
                continue;
            }
            ResourceType type = types.get(a.type());
            ResourceDecl decl = stack.find(a).orElse(null);
            Set<String> sensitive = SensitivePaths.of(type, decl, recorded.attributes(), now.value());
            // What was applied: state keeps digests of sensitive values, never the values. Where the stack still gives
            // the very value applied (its digest is the recorded one), the type gets it in clear and compares it with
            // the live value in clear: a type that renders its spec (istio.install's meshConfig, through istioctl)
            // would otherwise render the digest and find it differs from the value in the cluster. The other
            // sensitive live values are digested the same way as the state's before comparing, digest against digest.
            JsonNode applied = decl == null ? recorded.attributes() : Sensitive.restore(recorded.attributes(), decl.spec());
            Set<String> inClear = new java.util.TreeSet<>(Sensitive.digestPaths(recorded.attributes()));
            inClear.removeAll(Sensitive.digestPaths(applied));
            LiveObject comparable = now.withValue(Sensitive.digest(now.value(), sensitive, inClear));
            // A value rotated in the stack and not applied, or one the stack no longer gives: the type is told what the
            // stack gives, so a type that renders (an install) can tell which parts the unknown applied value reaches
            // and check all the others (PlanRequest#rotated).
            Map<String, JsonNode> rotated = Sensitive.rotated(applied, decl == null ? null : decl.spec());
            PlannedChange c = type.plan(new PlanRequest(a, applied, recorded, comparable, context, rotated, state.lineage()));
            // The fields as findings name them (the change's two sides), and as recorded, for a type whose findings
            // compare a rendered shape.
            unmatched.saw(a, c.after(), c.before());
            unmatched.saw(a, recorded.attributes(), now.value());
            // Both sides are masked before anything is reported, and what the type says is redacted as a plan's
            // is: the values it was given in clear may be quoted (a server message, a rendered object).
            Set<String> secrets = new java.util.TreeSet<>(Sensitive.secrets(applied, sensitive));
            secrets.addAll(Sensitive.secrets(now.value(), sensitive));
            secrets.addAll(Sensitive.secrets(c.before(), sensitive));
            secrets.addAll(Sensitive.secrets(c.after(), sensitive));
            if (decl != null) {
                secrets.addAll(Sensitive.secrets(decl.spec(), sensitive));  // the rotated values, given in clear
            }
            List<PlanDetail> unchecked = c.details().stream().filter(d -> d.kind() == PlanDetail.Kind.UNCHECKED).toList();
            if (!unchecked.isEmpty()) {
                notChecked.add(new NotChecked(a, RotatedValues.summary(rotated),
                        SensitivePaths.redact(unchecked, secrets)));
            }
            if (c.action() != Action.NOOP && !onlyIgnoredFields(a, c, ignoreRules)) {
                // Applied first, live second: a value changed in the cluster shows as changed on the live side.
                JsonNode[] masked = Sensitive.maskPair(c.after(), c.before(), sensitive);
                List<PlanDetail> differ = c.details().stream().filter(d -> d.kind() != PlanDetail.Kind.UNCHECKED).toList();
                // An object being deleted may be so by meshform's own destroy, stopped while it waited: its reason says it.
                String why = "true".equals(c.privateData().get(PlannedChange.BEING_DELETED)) ? Sensitive.redact(c.reason(), secrets)
                        : "changed outside meshform (" + Sensitive.redact(c.reason(), secrets) + ")";
                entries.add(new DriftEntry(a, DriftKind.CHANGED, why,
                        masked[0], masked[1], SensitivePaths.redact(differ, secrets), null));
            }
        }
        // The state's old objects of moves still in the cluster: it is not what the state says until apply deletes them.
        entries.addAll(deposed.entries());
        List<Diagnostic> notes = new ArrayList<>(deposed.notes());
        notes.addAll(unmatched.notes());
        // In the checks' order, whatever finished first; the first failing check in that order throws. A check may
        // quote a sensitive value it was given in clear: masked before anything is reported.
        for (CheckFinding f : checks.findings()) {
            Diagnostic d = forChecks.redact(List.of(f.diagnostic())).get(0);
            if (d.severity() == io.meshform.engine.diag.Severity.INFO) {
                notes.add(d);
                continue;
            }
            entries.add(DriftEntry.of(new CheckFinding(f.check(), f.concern(), d)));
        }
        // A whole resource left out with --ignore is left out here too: it must not fail a --fail-on-pending check.
        List<ResourceAddress> notYet = stack.resources().stream().map(ResourceDecl::address)
                .filter(a -> state.find(a).isEmpty())
                .filter(a -> ignoreRules.stream().noneMatch(r -> r.wholeResource() && r.address().equals(a))).toList();
        return new DriftReport(stack.name(), List.copyOf(checked.keySet()), entries, notYet, notChecked, notes);
    }

    /** True when the difference disappears once the rules' fields for this resource are left out. */
    private static boolean onlyIgnoredFields(ResourceAddress a, PlannedChange c, List<IgnoreRule> rules) {
        JsonNode applied = c.after();
        JsonNode live = c.before();
        boolean any = false;
        for (IgnoreRule r : rules) {
            if (r.address().equals(a) && !r.wholeResource()) {
                applied = r.strip(applied);
                live = r.strip(live);
                any = true;
            }
        }
        return any && java.util.Objects.equals(applied, live);
    }
}

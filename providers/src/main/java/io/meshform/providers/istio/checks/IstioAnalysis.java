package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.plan.SensitiveMessage;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.CheckContext.Purpose;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Istio's analyzers on the cluster as it will be after the plan: the real {@code istioctl analyze} with the live
 * cluster as the base and the stack's objects overlaid ({@link AnalyzeRun}): its Istio objects and manifests (those an
 * analyzer reads: {@link AnalyzedKinds}), and the stack's mesh config ({@code --meshConfigFile}) when it declares istio.install. Each message about something the stack
 * declares (an object, a namespace it labels, a pod or workload of such a namespace) becomes a diagnostic at the
 * stack's line: an analyzer Error or Warning is a warning (so {@code --strict} refuses the plan), an Info stays
 * informational. Messages about everything else are summarised in one note, not dropped. Drift runs the analyzers on
 * the live cluster as it is; {@code --no-analyze} leaves them out.
 *
 * <p>What the overlay cannot show, and so what is said instead of a stale message: a deletion (a file can only add or
 * replace); Namespaces, Services, Pods, Nodes and Secrets from files, which analyze leaves out
 * ({@code DefaultExcludedSchemas}, pkg/config/analysis/legacy/util/kuberesource/resources.go; run with istioctl 1.30.3:
 * a labelled Namespace in a file changes nothing), so messages about a namespace whose labels the plan changes, or
 * about its pods, describe the labels before the plan and are left out with a note (meshform's own injection checks
 * judge the planned labels); and, before Istio is installed, the pods the install will create (IST0127, IST0103).
 * Secrets are never written out.
 */
public final class IstioAnalysis implements PlanCheck, ReadsInstall {
    /** Core kinds analyze reads only from the live cluster ({@code DefaultExcludedSchemas}). */
    static final java.util.Set<String> RUNTIME_KINDS = java.util.Set.of("Service", "Namespace", "Node", "Pod", "Secret");
    /** Messages that depend on which pods run: before Istio is installed they miss what the install will start. */
    static final java.util.Set<String> POD_CODES = java.util.Set.of("IST0127", "IST0103");
    /** How the warning of a run that did not happen starts. */
    static final String DID_NOT_RUN = "istioctl analyze did not run: ";

    private final Function<CheckContext, PlannedMesh> mesh;
    private final Istioctl istioctl;
    private final java.util.function.Supplier<java.util.concurrent.CompletionStage<Void>> clusterAnswered;

    /**
     * {@code clusterAnswered}: when istioctl may start (the cluster has answered a request: {@code
     * KubeConnection.answered}), before the run's reads have ended ({@link #earlyStart}).
     */
    IstioAnalysis(Function<CheckContext, PlannedMesh> mesh, Istioctl istioctl,
                  java.util.function.Supplier<java.util.concurrent.CompletionStage<Void>> clusterAnswered) {
        this.mesh = mesh;
        this.istioctl = istioctl;
        this.clusterAnswered = clusterAnswered;
    }

    /**
     * Once the cluster has answered: analyze needs only the stack and the state to start (what it judges is the live
     * cluster with the stack's objects overlaid), and it was the tail of a plan by about 0.2 s when it started after
     * the reads. Not sooner: a cluster that does not answer is reported without starting istioctl.
     */
    @Override
    public Optional<java.util.concurrent.CompletionStage<?>> earlyStart() {
        return clusterAnswered == null ? Optional.empty() : Optional.of(clusterAnswered.get());
    }

    @Override
    public String name() {
        return Mesh.ANALYZE_CHECK;
    }

    @Override
    public List<Diagnostic> check(CheckContext ctx) {
        return findings(mesh.apply(ctx), istioctl);
    }

    static List<Diagnostic> findings(PlannedMesh mesh, Istioctl istioctl) {
        CheckContext ctx = mesh.context();
        List<PlannedObject> planned = mesh.planned();
        Map<String, List<ResourceDecl>> namespaces = mesh.namespaceDeclarations();
        if (ctx.purpose() == Purpose.VALIDATE || (planned.isEmpty() && namespaces.isEmpty() && mesh.install().isEmpty())) {
            return List.of();
        }
        boolean overlay = ctx.purpose() == Purpose.PLAN;
        List<JsonNode> objects = new ArrayList<>();
        List<PlannedObject> sources = new ArrayList<>();
        if (overlay) {
            planned.stream().filter(AnalyzedKinds::overlaid).forEach(o -> {
                objects.add(o.object());
                sources.add(o);
            });
        }
        Optional<JsonNode> meshConfig = overlay ? mesh.installMeshConfig().map(m -> m.mesh()) : Optional.empty();
        String revision = mesh.install().map(d -> Json.text(CheckSupport.after(ctx, d), "revision")).orElse(null);
        AnalyzeRun.Result result;
        ObjectFiles files = overlay && !objects.isEmpty() ? ObjectFiles.write(istioctl.runDirectory(), objects) : null;
        try {
            result = AnalyzeRun.run(istioctl, files, meshConfig, revision);
        } catch (RuntimeException e) {
            return List.of(didNotRun(ctx, CheckSupport.why(e), null));
        } finally {
            if (files != null) {
                files.close();
            }
        }
        // What analyze was given holds the planned objects: its messages must not show a part of their sensitive values.
        SensitiveMessage given = planned.stream().map(PlannedObject::messages).reduce(SensitiveMessage.none(), SensitiveMessage::and);
        if (result.failure() != null) {
            return List.of(didNotRun(ctx, given.redact("istioctl", result.failure()), result.advice()));
        }
        return judge(mesh, planned, namespaces, result, files, sources, given);
    }

    /**
     * Analyze could not run (no istioctl, or rights it lacks: it lists Secrets, which drift's read-only account may
     * not). A warning for a plan and for drift alike: --strict refuses a plan that was not analyzed, and a drift report
     * that says nothing else must not read as clean when a check did not run (it is a finding, so drift exits 2). A
     * drift run that skips analyze on purpose passes --no-analyze, and its report says so in a note. {@code advice},
     * when the program is not Istio's istioctl, comes first: it is the fix.
     */
    private static Diagnostic didNotRun(CheckContext ctx, String why, String advice) {
        String summary = DID_NOT_RUN + why;
        String first = advice == null ? "" : advice + "\n";
        return ctx.purpose() == Purpose.DRIFT
                ? Diagnostic.warning(summary, first + "drift runs Istio's analyzers on the live cluster, and they did not check it;"
                        + " give the account what istioctl analyze needs (it lists and watches Secrets), or skip the"
                        + " analyzers on purpose with --no-analyze", null)
                : Diagnostic.warning(summary, first + "meshform runs Istio's analyzers on the cluster as the plan leaves it; skip"
                        + " them with --no-analyze", null);
    }

    private static List<Diagnostic> judge(PlannedMesh mesh, List<PlannedObject> planned, Map<String, List<ResourceDecl>> namespaces,
                                          AnalyzeRun.Result result, ObjectFiles files, List<PlannedObject> sources,
                                          SensitiveMessage given) {
        CheckContext ctx = mesh.context();
        Map<String, PlannedObject> byOrigin = new LinkedHashMap<>();
        planned.forEach(o -> byOrigin.putIfAbsent(o.friendlyName(), o));
        Map<String, PlannedObject> removed = new LinkedHashMap<>();
        mesh.removed().forEach(o -> removed.putIfAbsent(o.friendlyName(), o));
        List<Diagnostic> out = new ArrayList<>();
        Map<String, List<String>> untouched = new TreeMap<>();
        List<String> aboutRemoved = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> beforeInstall = new ArrayList<>();
        java.util.Set<String> relabelled = ctx.purpose() == Purpose.PLAN ? relabelled(mesh) : java.util.Set.of();
        boolean installing = ctx.purpose() == Purpose.PLAN && mesh.install().isPresent() && !mesh.cluster().controlPlane();
        for (AnalyzeRun.Message m : result.messages()) {
            String origin = m.origin() == null ? "" : m.origin();
            String ns = namespaceName(origin);
            if (ns != null && relabelled.contains(ns) && (origin.startsWith("Namespace ") || origin.startsWith("Pod "))) {
                stale.add(m.code() + " " + origin);
                continue;
            }
            if (installing && POD_CODES.contains(m.code())) {
                beforeInstall.add(m.code() + " " + origin);
                continue;
            }
            PlannedObject o = byOrigin.get(origin);
            SourceRange at = null;
            if (o != null) {
                at = place(m, files, sources).orElse(o.range(""));
            } else if (removed.containsKey(origin)) {
                aboutRemoved.add(m.code() + " " + origin);
                continue;
            } else {
                ResourceDecl labelled = namespaceOf(origin, namespaces);
                if (labelled == null) {
                    untouched.computeIfAbsent(m.code() + " (" + m.level() + ")", k -> new ArrayList<>()).add(origin);
                    continue;
                }
                at = CheckSupport.range(labelled, "/spec/labels");
            }
            // The object's own fields are named first where a parse error is withheld; then any other planned value.
            String text = given.redact("istioctl", o == null ? m.text() : o.messages().redact("istioctl", m.text()));
            String summary = "istioctl analyze: " + m.code() + " (" + m.level() + ") " + origin + ": " + text;
            String detail = "Istio's analyzer " + (ctx.purpose() == Purpose.PLAN ? "on the cluster as this plan leaves it"
                    : "on the live cluster") + (m.documentation() == null ? "" : "; " + m.documentation())
                    + ("Error".equals(m.level()) ? "\n(an analyzer error; --strict makes it a plan error)" : "");
            out.add("Info".equals(m.level()) ? Diagnostic.info(summary, detail, at) : Diagnostic.warning(summary, detail, at));
        }
        if (!untouched.isEmpty()) {
            int n = untouched.values().stream().mapToInt(List::size).sum();
            List<String> lines = new ArrayList<>();
            untouched.forEach((code, origins) -> lines.add(code + " x" + origins.size() + ": " + String.join(", ",
                    origins.subList(0, Math.min(5, origins.size()))) + (origins.size() > 5 ? ", ..." : "")));
            lines.add("run `istioctl analyze -A` to see them in full");
            out.add(Diagnostic.info("istioctl analyze: " + n + " more message(s) about objects the stack does not touch", String.join("\n", lines), null));
        }
        if (!stale.isEmpty()) {
            out.add(Diagnostic.info("istioctl analyze: " + stale.size() + " message(s) about namespaces whose labels this plan"
                            + " changes, left out: " + String.join(", ", stale),
                    "istioctl analyze reads Namespaces and Pods only from the live cluster, so these describe the labels"
                            + " before the plan; meshform's injection checks judge the planned labels", null));
        }
        if (!beforeInstall.isEmpty()) {
            out.add(Diagnostic.info("istioctl analyze: " + beforeInstall.size() + " message(s) about running workloads, left out"
                            + " because Istio is not installed yet: " + String.join(", ", beforeInstall),
                    "the pods this plan's istio.install starts (the ingress gateway, istiod) do not exist yet, and analyze"
                            + " knows only running pods; the next plan or drift judges them", null));
        }
        if (!aboutRemoved.isEmpty()) {
            out.add(Diagnostic.info("istioctl analyze: " + aboutRemoved.size() + " message(s) about objects this plan deletes,"
                    + " left out", String.join(", ", aboutRemoved), null));
        }
        List<String> deleted = mesh.removed().stream().filter(PlannedObject::istio).map(PlannedObject::friendlyName).toList();
        if (ctx.purpose() == Purpose.PLAN && !deleted.isEmpty()) {
            out.add(Diagnostic.info("istioctl analyze still saw " + deleted.size() + " object(s) this plan deletes: "
                            + String.join(", ", deleted),
                    "istioctl analyze overlays files on the live cluster and cannot leave a live object out: its messages"
                            + " may count these objects as present", null));
        }
        if (!result.unreadable().isEmpty()) {
            out.add(Diagnostic.info("istioctl analyze could not read " + result.unreadable().size() + " planned object(s);"
                    + " they are not part of the analysis", given.redact("istioctl", String.join("\n", result.unreadable())), null));
        }
        return out;
    }

    /** Where the analyzer's reference (file:line in the overlay) points, as a stack position. */
    private static Optional<SourceRange> place(AnalyzeRun.Message m, ObjectFiles files, List<PlannedObject> sources) {
        if (files == null || m.reference() == null || !m.reference().contains(":")) {
            return Optional.empty();
        }
        String ref = m.reference();
        try {
            int line = Integer.parseInt(ref.substring(ref.lastIndexOf(':') + 1));
            return files.locate(line).filter(p -> sources.get(p.index()) != null)
                    .map(p -> sources.get(p.index()).range(p.pointer()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The namespaces whose labels the plan changes: a declared label the live namespace lacks or has otherwise. */
    private static java.util.Set<String> relabelled(PlannedMesh mesh) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        Map<String, Map<String, String>> live = mesh.cluster().namespaces();
        mesh.declaredNamespaceLabels().forEach((ns, labels) -> {
            Map<String, String> now = live.getOrDefault(ns, Map.of());
            if (labels.entrySet().stream().anyMatch(e -> !e.getValue().equals(now.get(e.getKey())))) {
                out.add(ns);
            }
        });
        return out;
    }

    /** The namespace an origin ("Kind ns/name", or "Namespace name") is in or is. */
    private static String namespaceName(String origin) {
        int space = origin.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String rest = origin.substring(space + 1);
        return origin.startsWith("Namespace ") ? rest : rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : null;
    }

    /** The namespace declaration a message's origin belongs to: the Namespace itself, or an object in it. */
    private static ResourceDecl namespaceOf(String origin, Map<String, List<ResourceDecl>> namespaces) {
        int space = origin.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String kind = origin.substring(0, space);
        String rest = origin.substring(space + 1);
        String ns = kind.equals("Namespace") ? rest : rest.contains("/") && List.of("Pod", "Deployment", "Service").contains(kind)
                ? rest.substring(0, rest.indexOf('/')) : null;
        List<ResourceDecl> decls = ns == null ? null : namespaces.get(ns);
        return decls == null || decls.isEmpty() ? null : decls.get(0);
    }

    /** The revision analyze runs for ({@code --revision}): a digest is no control plane's revision. */
    /** Analyze's messages say what Istio finds wrong, not what lets traffic through; a run that did not happen judged nothing. */
    @Override
    public Concern concern(Diagnostic finding) {
        return finding.summary().startsWith(DID_NOT_RUN) ? Concern.UNCHECKED : Concern.DEGRADES;
    }

    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of("/revision");
    }
}

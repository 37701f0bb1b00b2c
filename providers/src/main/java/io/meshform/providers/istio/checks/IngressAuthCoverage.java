package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.install.ExtAuthzRules;
import io.meshform.providers.istio.policy.AuthzPolicy;
import io.meshform.providers.istio.policy.ClientControlled;
import io.meshform.providers.istio.policy.GatewayAuthz;
import io.meshform.providers.istio.policy.PolicyAttachment;
import io.meshform.providers.istio.policy.GatewayAuthz.Outcome;
import io.meshform.providers.istio.policy.IngressCoverage;
import io.meshform.providers.istio.policy.IstioRules;
import io.meshform.providers.istio.policy.MeshConfigView;
import io.meshform.providers.istio.policy.PathNormalization;
import io.meshform.providers.istio.policy.PathVariants;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * Ingress auth coverage: for each workload a CUSTOM AuthorizationPolicy attaches to (the ingress gateway, by selector
 * or, on a Gateway API gateway, by targetRefs naming its Gateway: {@link io.meshform.providers.istio.policy.PolicyAttachment}), which requests
 * reach the auth proxy, are denied, or are let through without it, for every protected path and its variants
 * ({@link IngressCoverage}, Istio's matching and Envoy's normalization in {@code istio.policy}). The policies judged
 * are those istiod attaches to the workload's pods ({@link CoveredWorkloads}: per running pod when the cluster is
 * known, else, for the stack's own CUSTOM policies, the selector as an approximation the report names; a live policy
 * the stack does not declare that selects no running gateway is no gateway's and not the stack's: left out). One note per workload
 * with the table; a warning when nothing was checked, once for all the workloads of the same CUSTOM policy; a warning
 * for each variant of a protected path let through unchecked and each broken {@code coverage:} expectation, once for
 * all the workloads that give it the same verdict; and one for each condition of a CUSTOM rule that a client controls
 * ({@link ClientControlled}: a header, X-Forwarded-For, SNI, leaving out a token or certificate), once for all the
 * workloads the policy is judged on. Each of these names its workloads ({@link JudgedGateways}). Validate reads only
 * the stack; a plan judges the live AuthorizationPolicies with the stack's planned over them (an unmanaged DENY, ALLOW or CUSTOM policy on the gateway counts); drift the live policies
 * under the live mesh config. Policies whose targetRefs name only what a waypoint takes (a Service, a ServiceEntry) are
 * not judged, and the plan says so ({@link WaypointTargets}).
 *
 * <p>The verdicts follow the AuthorizationPolicies alone. An EnvoyFilter that patches a judged gateway's listeners,
 * filters, routes or clusters ({@link GatewayEnvoyFilters}) can undo what they ask for (REMOVE the ext_authz filter), so
 * that gateway's note words its counts as the policies' alone, and a warning names the EnvoyFilter: a finding in drift
 * (exit 2), refused by a {@code --strict} plan. Without the EnvoyFilters (their LIST refused), {@link ClusterUnread}
 * says so, and fails drift, as for any other unread kind.
 *
 * <p>A gateway is judged only when the run has a say in what it lets through ({@link #concerns}): the stack declares
 * or removes an AuthorizationPolicy istiod attaches to it, or declares or removes an istio.install (whose mesh config,
 * pathNormalization and ext_authz providers, every verdict rests on). The checks say what the planned mesh does; a
 * stack that touches neither (an empty one, a stack of namespaces) would otherwise print another stack's coverage
 * table in its plan and drift output, about objects it does not manage and cannot change.
 *
 * <p>A plan with {@code --target} or {@code --exclude} may leave the stack's CUSTOM policy out. As in Terraform,
 * targeting limits what the plan changes, not the configuration it reads: the policy stays as it is live, so its live
 * rules are what the gateway applies after the plan, and the paths to judge them on are still the ones its
 * declaration's {@code coverage:} names (meshform's own, never applied). Without them the table judged a generic path
 * and looked like the stack's answer; the header now names the declaration whose paths it used.
 */
public final class IngressAuthCoverage extends MeshCheck {
    /** How the warning for a public path the gateway does not let through starts. */
    static final String PUBLIC_PATH = "ingress coverage: public path `";

    private static final int LISTED = 12;

    IngressAuthCoverage(Function<CheckContext, PlannedMesh> mesh) {
        super("ingress-auth-coverage", STACK_ONLY, mesh, IngressAuthCoverage::findings);
    }

    /** What the check says, with the forms it writes of the stack's sensitive values masked ({@link CoverageSecrets}). */
    public static List<Diagnostic> findings(PlannedMesh mesh) {
        return CoverageSecrets.mask(judged(mesh), CoverageSecrets.of(mesh.context()));
    }

    private static List<Diagnostic> judged(PlannedMesh mesh) {
        List<Diagnostic> out = new ArrayList<>();
        Map<AuthzPolicy, PlannedObject> objects = new IdentityHashMap<>();
        List<AuthzPolicy> policies = new ArrayList<>();
        // A policy a --target or --exclude plan leaves out stays as it is live, and the stack still declares its
        // coverage: the paths to judge come from there, not from a guess.
        Map<String, PlannedObject> notPlanned = new java.util.HashMap<>();
        PlannedObject.declaredNotPlanned(mesh.context()).stream().filter(o -> "AuthorizationPolicy".equals(o.kind()))
                .forEach(o -> notPlanned.put(o.namespace() + "/" + o.name(), o));
        Map<AuthzPolicy, PlannedObject> declaredCoverage = new IdentityHashMap<>();
        for (PlannedMesh.AuthorizationObject o : mesh.authorizationPolicies()) {
            AuthzPolicy p = AuthzPolicy.of(o.object());
            policies.add(p);
            if (o.planned() != null) {
                objects.put(p, o.planned());
                declaredCoverage.put(p, o.planned());
            } else {
                JsonNode md = o.object().path("metadata");
                PlannedObject left = notPlanned.get(Json.text(md, "namespace") + "/" + Json.text(md, "name"));
                if (left != null) {
                    declaredCoverage.put(p, left);
                }
            }
        }
        MeshConfigView stackConfig = mesh.meshConfig();
        if (!PathNormalization.known(stackConfig.pathNormalization())) {
            return out; // Istio's validation of the install reports an unknown mode
        }
        String root = stackConfig.rootNamespace();
        Map<AuthzPolicy, JudgedGateways> customs = new IdentityHashMap<>(); // CUSTOM policy: the gateways it is judged on
        List<AuthzPolicy> customOrder = new ArrayList<>();
        Map<String, NothingKnown> nothingKnown = new java.util.LinkedHashMap<>();
        Map<String, RowWarning> rowWarnings = new java.util.LinkedHashMap<>();
        List<JsonNode> envoyFilters = mesh.envoyFilters().stream().map(PlannedMesh.AuthorizationObject::object).toList();
        Map<List<GatewayEnvoyFilters.Patching>, JudgedGateways> patched = new java.util.LinkedHashMap<>();
        MixedCustomProviders mixed = new MixedCustomProviders();
        for (CoveredWorkloads.Workload w : CoveredWorkloads.of(mesh, policies, root,
                p -> objects.containsKey(p) || declaredCoverage.containsKey(p))) {
            List<AuthzPolicy> attached = policies.stream().filter(p -> PolicyAttachment.attaches(p, w.namespace(), w.labels(), w.revision(), root))
                    .toList();
            if (!concerns(mesh, w, attached, objects, root)) {
                continue;
            }
            AuthzPolicy custom = attached.stream().filter(p -> p.action().equals("CUSTOM") && objects.containsKey(p)).findFirst()
                    .orElse(w.custom());
            // The gateway's own istiod's: during a canary, the revision it was moved to has its own mesh config.
            MeshConfigView config = w.revision() == null ? stackConfig : mesh.meshConfig(w.revision());
            if (!PathNormalization.known(config.pathNormalization())) {
                continue; // Istio's validation of that install reports the unknown mode
            }
            PathNormalization mode = PathNormalization.of(config.pathNormalization());
            Predicate<String> usable = name -> !config.known() || config.provider(name)
                    .map(p -> ExtAuthzRules.kind(p) != null && ExtAuthzRules.check(p).isEmpty()).orElse(false);
            GatewayAuthz authz = new GatewayAuthz(attached, mode, usable);
            mixed.add(w, attached, objects::containsKey);
            List<IngressCoverage.Expectation> expectations = new ArrayList<>();
            Map<IngressCoverage.Expectation, PlannedObject> expectedBy = new IdentityHashMap<>();
            List<String> leftOut = new ArrayList<>();
            for (AuthzPolicy p : attached) {
                if (p.action().equals("CUSTOM") && declaredCoverage.containsKey(p)) {
                    PlannedObject declaring = declaredCoverage.get(p);
                    JsonNode cov = declaring.decl().spec().path(IstioRules.COVERAGE);
                    if (!objects.containsKey(p) && !cov.isMissingNode()) {
                        leftOut.add(declaring.decl().address().toString());
                    }
                    for (String list : List.of("protected", "public")) {
                        JsonNode l = cov.path(list);
                        for (int i = 0; i < l.size(); i++) {
                            if (l.get(i).isString()) {
                                var e = new IngressCoverage.Expectation(l.get(i).asString(), list.equals("protected"), i);
                                expectations.add(e);
                                expectedBy.put(e, declaring);
                            }
                        }
                    }
                }
            }
            IngressCoverage.Report report = IngressCoverage.of(authz, expectations);
            String workload = w.name();
            List<GatewayEnvoyFilters.Patching> patches = GatewayEnvoyFilters.on(envoyFilters, w.namespace(), w.labels(), w.revision(),
                    root);
            if (!patches.isEmpty()) {
                patched.computeIfAbsent(patches, k -> new JudgedGateways()).add(w);
            }
            if (report.rows().isEmpty()) {
                SourceRange range = objects.containsKey(custom) ? objects.get(custom).range("/spec/rules") : null;
                // in the place of the gateway's note: it is one, shared by the gateways with the same cause
                nothingKnown.computeIfAbsent((custom == null ? "" : custom.id()) + "\n" + range + "\n" + mode + "\n" + config.source(), k -> {
                    out.add(null); // the warning's place, filled once every gateway it names is known
                    return new NothingKnown(out.size() - 1, report, range, new JudgedGateways(), mode, config.source());
                }).gateways().add(w);
            } else {
                String header = w.described() + " (pathNormalization " + mode + ", from " + config.source() + "); "
                        + w.basis() + (leftOut.isEmpty() ? "" : "; the coverage paths " + String.join(", ", leftOut)
                        + " declares, judged against its live object (this plan leaves it out)")
                        + WaypointTargets.notCounted(policies, w, root);
                String patchedBy = patches.isEmpty() ? null : "EnvoyFilter " + String.join(", ",
                        patches.stream().map(GatewayEnvoyFilters.Patching::id).toList()) + " patches it";
                out.add(Diagnostic.info(summary(report, workload, java.util.Set.of(w.seen()), patchedBy, w.byTargets()),
                        table(report, header), null));
            }
            for (AuthzPolicy p : authz.policies()) {
                if (p.action().equals("CUSTOM") && !p.dryRun()) {
                    customs.computeIfAbsent(p, k -> {
                        customOrder.add(k);
                        return new JudgedGateways();
                    }).add(w);
                }
            }
            for (IngressCoverage.Row r : report.rows()) {
                if (!r.wrong()) {
                    continue;
                }
                PlannedObject at = r.expectation() != null ? expectedBy.get(r.expectation()) : objects.get(custom);
                SourceRange range = range(r, at, objects);
                // Judged on a stand-in (no running gateway pod the policy selects is known), the verdict is the
                // policy's, not a gateway's: said as what would happen on a gateway labelled so.
                boolean pods = w.seen() == CoveredWorkloads.Seen.PODS;
                String standIn = " on " + w.standIn();
                String summary = r.protect()
                        ? "ingress coverage: `" + r.request() + "` " + (pods ? "is " + Outcome.LET_THROUGH.words()
                                : wouldBe(Outcome.LET_THROUGH) + standIn) + " (" + r.variant()
                                + ", protected by " + r.origin() + ")"
                        : PUBLIC_PATH + r.request() + "` " + (pods ? r.verdict().outcome().words()
                                : wouldBe(r.verdict().outcome()) + standIn) + ", but the stack declares it public";
                String key = summary + "\n" + r.verdict().seenPath() + "\n" + r.verdict().reason() + "\n" + range + "\n" + mode
                        + "\n" + config.source();
                rowWarnings.computeIfAbsent(key, k -> new RowWarning(summary, r, range, new JudgedGateways(), mode,
                        config.source())).add(w);
            }
        }
        out.addAll(WaypointTargets.notJudged(policies, p -> objects.containsKey(p) || declaredCoverage.containsKey(p), objects));
        for (NothingKnown n : nothingKnown.values()) {
            out.set(n.index(), n.diagnostic());
        }
        for (AuthzPolicy p : customOrder) {
            out.addAll(clientControlled(p, customs.get(p), objects.get(p)));
        }
        for (RowWarning rw : rowWarnings.values()) {
            out.add(rw.diagnostic());
        }
        patched.forEach((patches, gateways) -> out.add(GatewayEnvoyFilters.unknown(patches, gateways)));
        out.addAll(mixed.findings(p -> objects.containsKey(p) ? objects.get(p).range("/spec/provider") : null));
        return out;
    }

    /**
     * A CUSTOM policy that gives no request to check, however many gateways it attaches to: one warning naming them, in
     * the place of the first one's note ({@code index} in the findings).
     */
    private record NothingKnown(int index, IngressCoverage.Report report, SourceRange range, JudgedGateways gateways,
                                PathNormalization mode, String source) {
        Diagnostic diagnostic() {
            return Diagnostic.warning(summary(report, gateways.names(), gateways.seen(), null, gateways.byTargets())
                            + ": nothing is known to reach the auth proxy",
                    gateways.where(mode, source) + ": no CUSTOM rule names a request to check (a CUSTOM policy without"
                            + " rules matches nothing, pilot/pkg/security/authz/builder/builder.go rbacPolicyMatchNever) and no"
                            + " coverage.protected path is declared. Give the CUSTOM policy a rule that protects every path but"
                            + " the public ones (notPaths), or list the protected paths in coverage.protected", range);
        }
    }

    /**
     * Whether the run changes what gateway {@code w} lets through: an install of the stack (declared, or removed by the
     * run) sets the mesh config of every verdict; otherwise a policy of the stack must attach to the gateway, as the
     * run leaves it ({@code objects}: declared, or in drift managed) or as the run removes it. Validate judges only the
     * stack's policies, so it always concerns them.
     */
    static boolean concerns(PlannedMesh mesh, CoveredWorkloads.Workload w, List<AuthzPolicy> attached,
                            Map<AuthzPolicy, PlannedObject> objects, String root) {
        if (mesh.context().purpose() == CheckContext.Purpose.VALIDATE || mesh.install().isPresent()
                || mesh.context().removed().keySet().stream().anyMatch(a -> a.type().equals(Mesh.INSTALL_TYPE))) {
            return true;
        }
        if (attached.stream().anyMatch(objects::containsKey)) {
            return true;
        }
        return mesh.removed().stream().filter(o -> "AuthorizationPolicy".equals(o.kind()) && o.namespace() != null)
                .anyMatch(o -> PolicyAttachment.attaches(AuthzPolicy.of(o.object()), w.namespace(), w.labels(), w.revision(), root));
    }

    /**
     * One warning for a broken row (a bypass, or a public path not let through) however many gateways give it: the same
     * request, variant, rule or expectation, and verdict on several workloads (two gateways a root-namespace policy
     * selects, two label sets of one) is one warning that names them all.
     */
    private record RowWarning(String summary, IngressCoverage.Row row, SourceRange range, JudgedGateways gateways,
                              PathNormalization mode, String source) {
        void add(CoveredWorkloads.Workload w) {
            gateways.add(w);
        }

        Diagnostic diagnostic() {
            String where = gateways.where(mode, source);
            String seen = "on " + where + " Envoy's filters see the path " + row.verdict().seenPath() + ": "
                    + row.verdict().reason();
            if (row.protect() && PathVariants.hasPathParameter(row.request().path())) {
                // no pathNormalization removes a ;-parameter (PathVariants.PARAMETER_CLIMB): only the exemption's
                // shape or the backend closes it
                boolean climb = PathVariants.climbsByParameter(row.request().path());
                return Diagnostic.warning(summary,
                        seen + ". No pathNormalization removes a ;-parameter (Envoy keeps"
                                + " it), while Tomcat strips it" + (climb
                                        ? " and climbs out of the public prefix to the protected path"
                                        : " and serves the protected path before it")
                                + ", without a login. Exempt the exact public paths in notPaths instead of a "
                                + (climb ? "prefix" : "pattern") + ", or have the backend refuse ';' in paths (Jetty 10"
                                + " and later and Spring Security's StrictHttpFirewall do by default)", range);
            }
            if (row.protect()) {
                return Diagnostic.warning(summary,
                        seen + ". A backend that treats it as the protected path serves it"
                                + " without a login. Protect everything and list the public paths (a CUSTOM rule with"
                                + " notPaths), or choose a pathNormalization that turns the variant into the protected"
                                + " path (MERGE_SLASHES merges slashes, DECODE_AND_MERGE_SLASHES also decodes %2F; none"
                                + " changes case)", range);
            }
            return Diagnostic.warning(summary, "on " + where + ": " + row.verdict().reason() + ". Exempt it from the CUSTOM"
                    + " policy (notPaths) or drop it from coverage.public", range);
        }
    }

    /**
     * A warning for each condition of a CUSTOM rule on the gateways that a client can make fail ({@link ClientControlled}):
     * a request that escapes the rule's when/from is not sent to the auth proxy, so the client chooses to skip the login.
     */
    static List<Diagnostic> clientControlled(AuthzPolicy p, JudgedGateways gateways, PlannedObject at) {
        List<Diagnostic> out = new ArrayList<>();
        for (AuthzPolicy.Rule r : p.rules()) {
            for (AuthzPolicy.Condition c : r.conditions()) {
                String why = ClientControlled.why(c);
                if (why == null) {
                    continue;
                }
                String written = c.field().equals("when") ? "when " + c.key() : "from.source." + c.field();
                out.add(Diagnostic.warning("ingress coverage: CUSTOM rule " + r.number() + " of " + p.id() + " on "
                                + gateways.named() + " depends on " + written + ", which a client controls: a request where "
                                + c.failing() + " is " + Outcome.LET_THROUGH.words(),
                        "istiod sends a request to the auth proxy only when a CUSTOM rule matches it, conditions included"
                                + " (pilot/pkg/security/authz/builder/extauthz.go generateFilterMatcherForProvider); " + why
                                + ". Protect the paths with a rule without when/from (exempt the public ones with notPaths),"
                                + " and leave the decision that needs " + c.key() + " to the auth proxy",
                        at == null ? null : at.range("/spec" + c.pointer())));
            }
        }
        return out;
    }

    private static SourceRange range(IngressCoverage.Row r, PlannedObject at, Map<AuthzPolicy, PlannedObject> objects) {
        if (at == null) {
            return null; // a live policy the stack does not declare
        }
        if (r.expectation() != null) {
            return at.range("/spec/" + IstioRules.COVERAGE + "/" + (r.expectation().mustProtect() ? "protected" : "public")
                    + "/" + r.expectation().index());
        }
        if (r.source() != null && objects.containsKey(r.source())) {
            return objects.get(r.source()).range("/spec" + r.pointer());
        }
        return at.range("/spec/rules");
    }

    /**
     * The note's first line. Its counts are a gateway's only when {@code seen} is running gateway pods alone: a CUSTOM
     * policy whose selector matches no running gateway (a mistyped label) sends no request of any gateway to the auth
     * proxy, and "0 let through" of it read as if the gateway were covered; judged without the pods, no gateway is known
     * to be covered either. Then the counts are what a gateway labelled as the selector says would give.
     */
    private static String wouldBe(Outcome outcome) {
        return outcome == Outcome.AUTH_PROXY ? "would go to the auth proxy" : "would be " + outcome.words();
    }

    static String summary(IngressCoverage.Report report, String workload, java.util.Set<CoveredWorkloads.Seen> seen) {
        return summary(report, workload, seen, null, false);
    }

    /**
     * {@link #summary(IngressCoverage.Report, String, java.util.Set)}, for a gateway an EnvoyFilter patches when
     * {@code patchedBy} names it: the counts are then the AuthorizationPolicies' alone, said as what would happen, not
     * as the gateway's ({@link GatewayEnvoyFilters}).
     */
    static String summary(IngressCoverage.Report report, String workload, java.util.Set<CoveredWorkloads.Seen> seen,
                          String patchedBy, boolean byTargets) {
        // a stand-in for a Gateway the CUSTOM policy's targetRefs name involves no selector: said as the Gateway's pod
        String standIn = byTargets ? "a pod of the Gateway the CUSTOM policy's targetRefs name"
                : "a gateway labelled as the CUSTOM policy's selector";
        List<IngressCoverage.Row> bad = report.bypasses();
        String counts = report.rows().size() + " paths checked, " + bad.size() + " let through without the auth proxy";
        boolean pods = seen.equals(java.util.Set.of(CoveredWorkloads.Seen.PODS)) && patchedBy == null;
        String prefix = patchedBy != null ? "not known, " + patchedBy + "; by its AuthorizationPolicies alone"
                + (seen.equals(java.util.Set.of(CoveredWorkloads.Seen.PODS)) ? "" : " on " + standIn)
                + ": "
                : pods ? ""
                : seen.contains(CoveredWorkloads.Seen.PODS)
                ? (byTargets ? "running gateways, and a Gateway the targetRefs name without a running pod (judged as if it had one): "
                        : "running gateways, and a selector that matches none (judged as if a gateway were labelled so): ")
                : (seen.contains(CoveredWorkloads.Seen.NO_GATEWAY_SELECTED)
                        ? (byTargets ? "no running pod belongs to the Gateway the CUSTOM policy's targetRefs name"
                                : "the CUSTOM policy selects no running gateway pod") + ", so it covers no gateway"
                        : "the gateway pods are not known, so no gateway is known to be covered")
                        + (byTargets ? "; a pod of that Gateway says: " : "; a gateway labelled as its selector says: ");
        StringBuilder s = new StringBuilder("ingress coverage of " + workload + ": " + prefix
                + (pods ? counts : counts.replace(" let through", " would be let through")));
        if (!bad.isEmpty()) {
            s.append(": ").append(String.join(", ", bad.stream().limit(LISTED).map(r -> r.request().path()).toList()));
            if (bad.size() > LISTED) {
                s.append(" and ").append(bad.size() - LISTED).append(" more");
            }
        }
        List<String> closed = report.rows().stream().filter(r -> !r.protect() && r.wrong()).map(r -> r.request().path()).toList();
        if (!closed.isEmpty()) {
            s.append("; ").append(closed.size()).append(pods ? " public path(s) not let through: "
                    : " public path(s) would not be let through: ").append(String.join(", ", closed));
        }
        return s.toString();
    }

    /** Every request tried, one line each, the let-through ones first. */
    static String table(IngressCoverage.Report report, String where) {
        StringBuilder t = new StringBuilder(where + ":");
        List<IngressCoverage.Row> rows = new ArrayList<>(report.rows());
        rows.sort(java.util.Comparator.comparing(r -> !r.wrong()));
        for (IngressCoverage.Row r : rows) {
            t.append("\n").append(r.wrong() ? "! " : "  ").append(pad(r.request().toString(), 40)).append(" ")
                    .append(pad(r.verdict().outcome().words(), 34)).append(" ").append(r.variant());
        }
        return t.toString();
    }

    private static String pad(String s, int n) {
        return s.length() >= n ? s : s + " ".repeat(n - s.length());
    }

    /** None: in drift the mesh config it reads is the live one ({@link PlannedMesh#meshConfig}), not the applied install. */
    /**
     * A path let by the auth proxy is a weakening. A public path refused ({@link #PUBLIC_PATH}) and CUSTOM policies of
     * several providers on one gateway ({@link MixedCustomProviders#SUMMARY}, istiod refuses what they match) let
     * nothing through; an EnvoyFilter that patches the gateway ({@link GatewayEnvoyFilters#NOT_KNOWN}) leaves the
     * coverage unjudged. The summaries are this check's own, so their openings tell them apart.
     */
    @Override
    public Concern concern(Diagnostic finding) {
        String s = finding.summary();
        if (s.startsWith(PUBLIC_PATH) || s.startsWith(MixedCustomProviders.SUMMARY)) {
            return Concern.DEGRADES;
        }
        return s.contains(GatewayEnvoyFilters.NOT_KNOWN) ? Concern.UNCHECKED : Concern.WEAKENS;
    }

    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of();
    }
}

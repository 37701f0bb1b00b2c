package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.policy.AuthzPolicy;
import io.meshform.providers.istio.policy.ConfigRevision;
import io.meshform.providers.istio.policy.EffectiveMtls;
import io.meshform.providers.istio.policy.MtlsMode;
import io.meshform.providers.istio.policy.PeerAuthentications;
import io.meshform.providers.istio.policy.PeerPolicy;
import io.meshform.providers.istio.policy.PolicyAttachment;
import io.meshform.providers.istio.policy.ReachPod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A DENY AuthorizationPolicy of the stack whose rule names callers by peer identity on workloads that accept plaintext
 * at a port it guards (PERMISSIVE or DISABLE there, as {@link PeerAuthentications} composes the PeerAuthentications;
 * pilot/pkg/security/authn/policy_applier.go). A rule names identity in {@code from.source} ({@code principals},
 * {@code namespaces}, {@code serviceAccounts}, {@code trustDomains}) or in {@code when} (the keys {@code
 * source.principal}, {@code source.namespace}, {@code source.serviceAccount}, {@code source.trustDomain} with
 * {@code values}): istiod turns both into the same generators ({@code New}, pilot/pkg/security/authz/model/model.go),
 * which match the peer certificate's identity ({@code principalAuthenticated}, pilot/pkg/security/authz/model/
 * principal.go; the source principal, namespace, service-account and trust-domain generators in generator.go). A
 * plaintext connection has no certificate, so it matches none of them, and the request the policy means to deny gets
 * through. istiod ANDs the fields of one source and ORs the sources ({@code New} and {@code generatePrincipal},
 * model.go): an {@code ipBlocks} or {@code remoteIpBlocks} next to the identity in the same source does not catch
 * plaintext either, while another source of the rule without an identity still can, so the warning names those. A
 * {@code when} condition is ANDed into every source ({@code New} copies the {@code when} principals into each
 * source's list), so a {@code when} identity keeps plaintext out of the whole rule, whatever its sources say. Istio's
 * security best practices say the same ("use DENY with negative match"): {@code notPrincipals}/{@code notNamespaces},
 * or {@code notValues} of a {@code when} key (NOT of the certificate matcher, {@code rule.principal} in model.go),
 * match a request without identity too. Judged on the pods as the plan leaves them ({@link MeshInventory#planned}):
 * those with a sidecar that istiod attaches the policy to by its selector ({@link PolicyAttachment#attachesBySelector});
 * gateway and waypoint pods are left out (a PeerAuthentication does not describe what their listeners accept: {@link
 * ReachPod#gatewayProxy}), and so are ports the sidecar does not capture (no policy acts there). A dry-run policy only
 * logs and a policy with {@code targetRefs} attaches to no sidecar, so neither is judged, nor is one labelled with a
 * revision no istiod serves ({@link ConfigRevision}: no istiod reads it).
 */
public final class DenyByIdentityOnPlaintext extends MeshCheck {
    /**
     * The attributes istiod matches against the peer certificate ({@code principalAuthenticated}, generator.go), as a
     * {@code when} key or under the {@code from.source} field that names it ({@link AuthzPolicy.Condition#key}), and
     * the negative {@code from.source} field to use instead.
     */
    private static final Map<String, String> PEER_IDENTITY = Map.of(
            "source.principal", "notPrincipals", "source.namespace", "notNamespaces",
            "source.serviceAccount", "notServiceAccounts", "source.trustDomain", "notTrustDomains");

    DenyByIdentityOnPlaintext(Function<CheckContext, PlannedMesh> mesh) {
        super("deny-by-identity-on-plaintext", NEEDS_CLUSTER, mesh, DenyByIdentityOnPlaintext::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        List<Diagnostic> out = new ArrayList<>();
        List<PlannedObject> denies = mesh.planned().stream().filter(o -> "AuthorizationPolicy".equals(o.kind()) && o.istio()
                && "DENY".equals(o.object().path("spec").path("action").asString(""))
                && !AuthzPolicy.isDryRun(o.object())
                && !ConfigRevision.ignored(ConfigRevision.of(o.object()), mesh.servedRevisions())).toList();
        if (denies.isEmpty()) {
            return out;
        }
        List<ReachPod> pods = MeshInventory.planned(mesh).pods().stream().filter(p -> p.sidecar() && !p.gatewayProxy()).toList();
        PeerAuthentications peers = mesh.peers();
        String root = mesh.rootNamespace();
        for (PlannedObject o : denies) {
            AuthzPolicy p = AuthzPolicy.of(o.object());
            if (p.targeted()) {
                continue;
            }
            for (AuthzPolicy.Rule r : p.rules()) {
                List<AuthzPolicy.Condition> whenIdentity = r.when().stream().filter(DenyByIdentityOnPlaintext::needsIdentity)
                        .toList();
                List<List<AuthzPolicy.Condition>> byIdentity = r.from().stream().filter(DenyByIdentityOnPlaintext::needsIdentity)
                        .toList();
                if (whenIdentity.isEmpty() && byIdentity.isEmpty()) {
                    continue;
                }
                List<String> plaintext = plaintextPorts(p, r, pods, peers, root);
                if (!plaintext.isEmpty()) {
                    out.add(diagnostic(o, p, r, whenIdentity, byIdentity, plaintext));
                }
            }
        }
        return out;
    }

    /** Whether a source names a peer identity a plaintext request cannot have: then no request without one matches it. */
    private static boolean needsIdentity(List<AuthzPolicy.Condition> source) {
        return source.stream().anyMatch(DenyByIdentityOnPlaintext::needsIdentity);
    }

    /**
     * Whether a condition holds only for a peer certificate: a certificate attribute with {@code values} (OR of
     * {@code principalAuthenticated} matchers). Its {@code notValues} alone are NOT of those matchers, which a request
     * without a certificate matches (model.go {@code rule.principal}).
     */
    private static boolean needsIdentity(AuthzPolicy.Condition c) {
        return PEER_IDENTITY.containsKey(c.key()) && !c.values().isEmpty();
    }

    /** "Deployment cortex/api: port 8080 PERMISSIVE (PeerAuthentication ...)", one line per workload the rule guards. */
    private static List<String> plaintextPorts(AuthzPolicy p, AuthzPolicy.Rule r, List<ReachPod> pods, PeerAuthentications peers,
                                               String root) {
        Set<Integer> guarded = guardedPorts(r);
        Map<String, List<String>> byWorkload = new LinkedHashMap<>();
        for (ReachPod pod : pods) {
            if (!PolicyAttachment.attachesBySelector(p.namespace(), p.selector(), pod.namespace(), pod.labels(), false, root)
                    || !ConfigRevision.readBy(p.revision(), pod.revision())) { // the pod's istiod reads it
                continue;
            }
            EffectiveMtls mtls = peers.effective(pod); // by the policies its istiod reads
            List<String> open = new ArrayList<>();
            if (pod.ports().isEmpty()) {
                if (mtls.mode().acceptsPlaintext() && !pod.interception().capturesNoInbound()) {
                    open.add("every port " + mode(mtls.mode(), mtls.decidedByWorkloadMode()));
                }
            } else {
                new TreeSet<>(pod.ports().stream().map(ReachPod.Port::number).toList()).forEach(port -> {
                    if ((guarded == null || guarded.contains(port)) && pod.sidecarHandles(port) && mtls.forPort(port).acceptsPlaintext()) {
                        open.add("port " + port + " " + mode(mtls.forPort(port), mtls.decidedBy(port)));
                    }
                });
            }
            if (!open.isEmpty()) {
                byWorkload.putIfAbsent(pod.namespace() + "/" + pod.workload(), open);
            }
        }
        List<String> lines = new ArrayList<>();
        byWorkload.forEach((w, open) -> lines.add(w + ": " + String.join(", ", open)));
        return lines;
    }

    /**
     * The container ports a rule can match (its operations' {@code ports}, which istiod matches against the inbound
     * destination port), or null when any port: an operation without {@code ports}, or a rule without {@code to}.
     */
    private static Set<Integer> guardedPorts(AuthzPolicy.Rule r) {
        if (r.operations().isEmpty()) {
            return null;
        }
        Set<Integer> out = new TreeSet<>();
        for (AuthzPolicy.Operation op : r.operations()) {
            List<String> ports = op.values("ports");
            if (ports.isEmpty()) {
                return null;
            }
            ports.stream().filter(v -> v.matches("\\d+")).map(Integer::parseInt).forEach(out::add);
        }
        return out;
    }

    private static String mode(MtlsMode mode, PeerPolicy decider) {
        return mode + " (" + (decider == null ? "no PeerAuthentication sets a mode: Istio's default" : decider.describe()) + ")";
    }

    private static Diagnostic diagnostic(PlannedObject o, AuthzPolicy p, AuthzPolicy.Rule r, List<AuthzPolicy.Condition> whenIdentity,
                                         List<List<AuthzPolicy.Condition>> byIdentity, List<String> plaintext) {
        List<AuthzPolicy.Condition> identity = new ArrayList<>(whenIdentity);
        byIdentity.stream().flatMap(List::stream).filter(DenyByIdentityOnPlaintext::needsIdentity).forEach(identity::add);
        String fields = identity.stream().map(c -> name(c) + " " + c.values()).distinct().collect(Collectors.joining(", "));
        String negatives = identity.stream().map(c -> isWhen(c)
                        ? "`notValues` in the when condition on " + c.key() + ", or `" + PEER_IDENTITY.get(c.key()) + "` in a source"
                        : "`" + PEER_IDENTITY.get(c.key()) + "`")
                .distinct().collect(Collectors.joining(" / "));
        List<String> others = new ArrayList<>();
        for (int i = 0; i < r.from().size(); i++) {
            if (!needsIdentity(r.from().get(i))) {
                others.add("from[" + i + "]" + (r.from().get(i).isEmpty() ? "" : " " + describe(r.from().get(i))));
            }
        }
        // A when identity is ANDed into every source (model.go New), so no other source catches plaintext then.
        boolean byWhen = !whenIdentity.isEmpty();
        String sameSource = byWhen ? alongsideWhen(r)
                : byIdentity.stream().flatMap(List::stream).filter(c -> !needsIdentity(c))
                        .map(DenyByIdentityOnPlaintext::describe).distinct().collect(Collectors.joining(", "));
        String summary = o.decl().address() + ": DENY AuthorizationPolicy " + p.id() + " rule " + r.number()
                + " matches callers by identity (" + fields + "), but workloads it guards accept plaintext, and a"
                + " plaintext request has no identity, so " + (byWhen || others.isEmpty() ? "it is not denied"
                : "it is denied only where another source of the rule matches it (" + String.join("; ", others) + ")");
        String detail = "accepting plaintext: " + String.join("; ", plaintext) + ". istiod matches " + (identity.size() == 1
                ? "this condition" : "these conditions") + " against the peer certificate (principalAuthenticated, pilot/pkg/security/authz/model/"
                + "principal.go and generator.go); a caller without a sidecar, or one that sends plaintext, presents none and"
                + " is let through"
                + (sameSource.isEmpty() ? "" : " even when it matches " + sameSource + (byWhen
                        ? ": a rule's when conditions must all match, whichever source matches (istiod ANDs each one into"
                        + " every source, pilot/pkg/security/authz/model/model.go)"
                        : ": the fields of one source must all match (istiod ANDs them, pilot/pkg/security/authz/model/model.go)"))
                + ". Deny by negative match instead (" + negatives + " listing the callers to keep: a request without"
                + " identity then matches and is denied), or make those ports STRICT with a PeerAuthentication";
        return Diagnostic.warning(summary, detail, o.range("/spec" + identity.get(0).pointer()));
    }

    /**
     * What else a rule with a {@code when} identity asks, as Istio combines it: its other {@code when} conditions
     * (ANDed) and, when it has several sources, each source's fields on its own (the sources are ORed, model.go).
     */
    private static String alongsideWhen(AuthzPolicy.Rule r) {
        List<String> parts = new ArrayList<>();
        r.when().stream().filter(c -> !needsIdentity(c)).map(DenyByIdentityOnPlaintext::describe).distinct().forEach(parts::add);
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < r.from().size(); i++) {
            String fields = r.from().get(i).stream().filter(c -> !needsIdentity(c)).map(DenyByIdentityOnPlaintext::describe)
                    .collect(Collectors.joining(", "));
            if (!fields.isEmpty()) {
                sources.add(r.from().size() == 1 ? fields : "from[" + i + "] " + fields);
            }
        }
        if (!sources.isEmpty()) {
            parts.add(sources.size() == 1 ? sources.get(0) : "any of " + String.join(" or ", sources));
        }
        return String.join(", ", parts);
    }

    private static boolean isWhen(AuthzPolicy.Condition c) {
        return "when".equals(c.field());
    }

    /** How the stack wrote a condition: "when source.namespace", "from.source.namespaces". */
    private static String name(AuthzPolicy.Condition c) {
        return isWhen(c) ? "when " + c.key() : "from.source." + c.field();
    }

    /** A source's fields as written ("ipBlocks [10.0.0.0/8]"). */
    private static String describe(List<AuthzPolicy.Condition> source) {
        return source.stream().map(DenyByIdentityOnPlaintext::describe).collect(Collectors.joining(", "));
    }

    /** One condition as written: "ipBlocks [10.0.0.0/8]", "when request.headers[x-env] notValues [prod]". */
    private static String describe(AuthzPolicy.Condition c) {
        if (isWhen(c)) {
            return "when " + c.key() + (c.values().isEmpty() ? "" : " " + c.values())
                    + (c.notValues().isEmpty() ? "" : " notValues " + c.notValues());
        }
        return c.field() + " " + (c.values().isEmpty() ? c.notValues() : c.values());
    }

    /**
     * The install's revision and injection defaults: which pods have sidecars once the plan takes effect ({@link
     * MeshInventory#planned}) depends on them, as for {@link StrictWithoutExceptions}.
     */
    @Override
    public java.util.Set<String> installFields() {
        return io.meshform.providers.istio.injection.Injectors.INSTALL_FIELDS;
    }
}

package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.policy.AuthzPolicy;
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
 * A DENY AuthorizationPolicy of the stack whose rule names callers by identity ({@code from.source.principals},
 * {@code namespaces}, {@code serviceAccounts} or {@code trustDomains}) on workloads that accept plaintext at a port it guards (PERMISSIVE
 * or DISABLE there, as {@link PeerAuthentications} composes the PeerAuthentications; pilot/pkg/security/authn/
 * policy_applier.go). istiod turns those fields into matchers of the peer certificate's identity
 * ({@code principalAuthenticated}, pilot/pkg/security/authz/model/principal.go, used by the source principal,
 * namespace, service-account and trust-domain generators in generator.go): a plaintext connection has no certificate,
 * so it matches no such source, and the request the policy means to deny gets through. istiod ANDs the fields of one
 * source and ORs the sources ({@code New} and {@code generatePrincipal}, pilot/pkg/security/authz/model/model.go): an
 * {@code ipBlocks} or {@code remoteIpBlocks} next to the identity in the same source does not catch plaintext either,
 * while another source of the rule without an identity still can, so the warning names those. Istio's security
 * best practices say the same ("use DENY with negative match"): {@code notPrincipals}/{@code notNamespaces} match a
 * request without identity too. Judged on the pods as the plan leaves them ({@link MeshInventory#planned}): those with
 * a sidecar that istiod attaches the policy to by its selector ({@link PolicyAttachment#attachesBySelector}); gateway
 * and waypoint pods are left out (a PeerAuthentication does not describe what their listeners accept: {@link
 * ReachPod#gatewayProxy}), and so are
 * ports the sidecar does not capture (no policy acts there). A dry-run policy only logs and a policy with
 * {@code targetRefs} attaches to no sidecar, so neither is judged.
 */
public final class DenyByIdentityOnPlaintext extends MeshCheck {
    /** The {@code from.source} fields istiod matches against the peer certificate, and the negative form to use. */
    private static final Map<String, String> IDENTITY_FIELDS = Map.of(
            "principals", "notPrincipals", "namespaces", "notNamespaces", "serviceAccounts", "notServiceAccounts",
            "trustDomains", "notTrustDomains");

    DenyByIdentityOnPlaintext(Function<CheckContext, PlannedMesh> mesh) {
        super("deny-by-identity-on-plaintext", NEEDS_CLUSTER, mesh, DenyByIdentityOnPlaintext::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        List<Diagnostic> out = new ArrayList<>();
        List<PlannedObject> denies = mesh.planned().stream().filter(o -> "AuthorizationPolicy".equals(o.kind()) && o.istio()
                && "DENY".equals(o.object().path("spec").path("action").asString(""))
                && !AuthzPolicy.isDryRun(o.object())).toList();
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
                List<List<AuthzPolicy.Condition>> byIdentity = r.from().stream().filter(DenyByIdentityOnPlaintext::needsIdentity)
                        .toList();
                if (byIdentity.isEmpty()) {
                    continue;
                }
                List<String> plaintext = plaintextPorts(p, r, pods, peers, root);
                if (!plaintext.isEmpty()) {
                    out.add(diagnostic(o, p, r, byIdentity, plaintext));
                }
            }
        }
        return out;
    }

    /** Whether a source names a peer identity a plaintext request cannot have: then no request without one matches it. */
    private static boolean needsIdentity(List<AuthzPolicy.Condition> source) {
        return source.stream().anyMatch(c -> IDENTITY_FIELDS.containsKey(c.field()));
    }

    /** "Deployment cortex/api: port 8080 PERMISSIVE (PeerAuthentication ...)", one line per workload the rule guards. */
    private static List<String> plaintextPorts(AuthzPolicy p, AuthzPolicy.Rule r, List<ReachPod> pods, PeerAuthentications peers,
                                               String root) {
        Set<Integer> guarded = guardedPorts(r);
        Map<String, List<String>> byWorkload = new LinkedHashMap<>();
        for (ReachPod pod : pods) {
            if (!PolicyAttachment.attachesBySelector(p.namespace(), p.selector(), pod.namespace(), pod.labels(), false, root)) {
                continue;
            }
            EffectiveMtls mtls = peers.effective(pod.namespace(), pod.labels());
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

    private static Diagnostic diagnostic(PlannedObject o, AuthzPolicy p, AuthzPolicy.Rule r,
                                         List<List<AuthzPolicy.Condition>> byIdentity, List<String> plaintext) {
        List<AuthzPolicy.Condition> identity = byIdentity.stream().flatMap(List::stream)
                .filter(c -> IDENTITY_FIELDS.containsKey(c.field())).toList();
        String fields = identity.stream().map(c -> "from.source." + c.field() + " " + c.values()).distinct()
                .collect(Collectors.joining(", "));
        String negatives = identity.stream().map(c -> "`" + IDENTITY_FIELDS.get(c.field()) + "`").distinct()
                .collect(Collectors.joining(" / "));
        List<String> others = new ArrayList<>();
        for (int i = 0; i < r.from().size(); i++) {
            if (!needsIdentity(r.from().get(i))) {
                others.add("from[" + i + "]" + (r.from().get(i).isEmpty() ? "" : " " + describe(r.from().get(i))));
            }
        }
        String sameSource = byIdentity.stream().flatMap(List::stream).filter(c -> !IDENTITY_FIELDS.containsKey(c.field()))
                .map(c -> c.field() + " " + (c.values().isEmpty() ? c.notValues() : c.values())).distinct()
                .collect(Collectors.joining(", "));
        String summary = o.decl().address() + ": DENY AuthorizationPolicy " + p.id() + " rule " + r.number()
                + " matches callers by identity (" + fields + "), but workloads it guards accept plaintext, and a"
                + " plaintext request has no identity, so " + (others.isEmpty() ? "it is not denied"
                : "it is denied only where another source of the rule matches it (" + String.join("; ", others) + ")");
        String detail = "accepting plaintext: " + String.join("; ", plaintext) + ". istiod matches these fields against the peer"
                + " certificate (principalAuthenticated, pilot/pkg/security/authz/model/principal.go); a caller"
                + " without a sidecar, or one that sends plaintext, presents none and is let through"
                + (sameSource.isEmpty() ? "" : " even when it matches " + sameSource + ": the fields of one source must all"
                        + " match (istiod ANDs them, pilot/pkg/security/authz/model/model.go)")
                + ". Deny by negative match instead (" + negatives + " listing the callers to keep: a request without"
                + " identity then matches and is denied), or make those ports STRICT with a PeerAuthentication";
        return Diagnostic.warning(summary, detail, o.range("/spec" + identity.get(0).pointer()));
    }

    /** A source's fields as written ("ipBlocks [10.0.0.0/8]"). */
    private static String describe(List<AuthzPolicy.Condition> source) {
        return source.stream().map(c -> c.field() + " " + (c.values().isEmpty() ? c.notValues() : c.values()))
                .collect(Collectors.joining(", "));
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

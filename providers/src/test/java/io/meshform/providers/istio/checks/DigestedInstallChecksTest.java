package io.meshform.providers.istio.checks;

import static io.meshform.providers.TestSpecs.decl;
import static io.meshform.providers.istio.checks.MeshChecksTest.ctx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.drift.AppliedForChecks;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.plan.Sensitive;
import io.meshform.state.ResourceState;
import io.meshform.state.StateSnapshot;
import io.meshform.engine.diag.Severity;
import io.meshform.engine.model.Environment;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.engine.spi.ProviderSettings;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Drift's mesh checks read the install as applied, from the state, which holds a digest where a sensitive variable
 * gave the value. A check that judged the digest printed something false ("no CUSTOM policy sends requests to provider
 * sha256:...", while a live policy uses the provider; a failOpen it could not see was passed over): it now says which
 * value it cannot judge, and never prints the digest.
 */
class DigestedInstallChecksTest {
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    private static CheckContext drift(String installSpec) {
        return ctx(CheckContext.Purpose.DRIFT, Environment.PRODUCTION, decl("istio.install.mesh", installSpec));
    }

    private static String text(List<Diagnostic> ds) {
        StringBuilder b = new StringBuilder();
        ds.forEach(d -> b.append(d.summary()).append(" | ").append(d.detail()).append('\n'));
        return b.toString();
    }

    @Test
    void aProviderNamedByASensitiveValueIsNotJudgedUnused() {
        FakeCluster live = new FakeCluster().authorizationPolicy("istio-system", "ingress-auth",
                "action: CUSTOM\nprovider: {name: proxy}\nrules: [{}]\n");
        List<Diagnostic> ds = IngressAuthUnused.findings(live.mesh(drift("version: \"1.30\"\nextAuthz: [{name: \"" + DIGEST
                + "\", service: p.cortex.svc.cluster.local, port: 8080, timeout: 5s}]\n")));
        assertEquals(List.of(Severity.INFO), ds.stream().map(Diagnostic::severity).toList(), text(ds));
        assertEquals("istio.install.mesh: cannot judge whether a CUSTOM policy uses the auth proxy at extAuthz[0]: its name"
                + " was applied as a sensitive value, which the state records only by its digest", ds.get(0).summary());
        assertFalse(text(ds).contains(DIGEST), text(ds));
    }

    @Test
    void anAuthProxySettingGivenByASensitiveValueIsNotJudged() {
        List<Diagnostic> ds = AuthProxyRisks.findings(new FakeCluster().mesh(drift("version: \"1.30\"\nextAuthz: [{name: proxy,"
                + " service: p.cortex.svc.cluster.local, port: 8080, timeout: 5s, failOpen: \"" + DIGEST + "\"}]\n")));
        assertEquals(List.of(Severity.INFO), ds.stream().map(Diagnostic::severity).toList(), text(ds));
        assertEquals("istio.install.mesh: cannot judge auth proxy proxy's failOpen: it was applied as a sensitive value,"
                + " which the state records only by its digest", ds.get(0).summary());
        // A named provider whose name is the secret: the risk is still reported, by where it is, not by the digest.
        ds = AuthProxyRisks.findings(new FakeCluster().mesh(drift("version: \"1.30\"\nextAuthz: [{name: \"" + DIGEST
                + "\", service: p.cortex.svc.cluster.local, port: 8080, timeout: 5s, failOpen: true}]\n")));
        assertEquals(List.of(Severity.WARNING), ds.stream().map(Diagnostic::severity).toList(), text(ds));
        assertTrue(ds.get(0).summary().startsWith("istio.install.mesh: auth proxy at extAuthz[0]: failOpen lets requests through"),
                text(ds));
        assertFalse(text(ds).contains(DIGEST), text(ds));
    }
    /**
     * The root namespace given by a sensitive variable: drift judged "as applied" with the digest as the root
     * namespace, where the mesh-wide STRICT policy in istio-system applies to nothing, so a plaintext client that was
     * refused as applied too was reported "broken in the live cluster (it worked as applied)".
     */
    @Test
    void mtlsReachabilityDoesNotCompareWithAnAppliedRootNamespaceItKnowsOnlyByItsDigest() {
        FakeCluster c = MtlsReachabilityTest.cortexCluster();
        c.pods.replaceAll(p -> FakeCluster.pod(p.getMetadata().getNamespace(), p.getMetadata().getName(),
                p.getMetadata().getLabels(), !p.getMetadata().getNamespace().equals("tools"),
                p.getSpec().getContainers().get(0).getPorts().stream().mapToInt(x -> x.getContainerPort()).toArray()));
        c.peer("istio-system", "default", "2026-01-01T00:00:00Z", "mtls: {mode: STRICT}");
        var install = decl("istio.install.mesh", "version: \"1.30\"\nmeshConfig: {rootNamespace: \"" + DIGEST + "\"}\n");
        var strict = decl("istio.peerAuthentication.mesh", "namespace: istio-system\nname: default\nmtls: {mode: STRICT}\n");
        List<Diagnostic> ds = MtlsReachability.findings(c.mesh(ctx(CheckContext.Purpose.DRIFT, Environment.PRODUCTION,
                install, strict)));
        assertEquals(List.of(Severity.INFO), ds.stream().map(Diagnostic::severity).toList(), text(ds));
        assertEquals("mTLS reachability: cannot compare the live cluster with what was applied: istio.install.mesh's"
                + " meshConfig.rootNamespace was applied as a sensitive value, which the state records only by its digest",
                ds.get(0).summary());
        assertFalse(text(ds).contains(DIGEST), text(ds));
    }

    /** A spec of istio.install with {@code value} at {@code pointer}, its parents made. */
    private static String installWith(String pointer, String value) {
        ObjectNode spec = JsonNodeFactory.instance.objectNode().put("version", "1.30.3");
        String[] parts = pointer.substring(1).split("/");
        ObjectNode at = spec;
        for (int i = 0; i < parts.length - 1; i++) {
            at = at.has(parts[i]) ? (ObjectNode) at.get(parts[i]) : at.putObject(parts[i]);
        }
        at.put(parts[parts.length - 1], value);
        return spec.toString();
    }

    private static void cannotJudge(String check, String path, List<Diagnostic> ds) {
        assertEquals(List.of(Severity.INFO), ds.stream().map(Diagnostic::severity).toList(), text(ds));
        assertEquals(check + ": cannot judge istio.install.mesh: its " + path + " was applied as a sensitive value, which"
                + " the state records only by its digest", ds.get(0).summary());
        assertFalse(text(ds).contains(DIGEST), text(ds));
    }

    /**
     * A version or revision given by a sensitive variable: the skew check read the digest as the release (no release,
     * so no workload lagged) or as the revision (no workload runs it), and said nothing of sidecars Istio does not
     * support.
     */
    @Test
    void proxyVersionSkewDoesNotJudgeAVersionOrRevisionItKnowsOnlyByItsDigest() {
        PlanCheck skew = new DigestGuard<ProxyVersionSkew>(new ProxyVersionSkew(ctx -> {
            throw new AssertionError("the pods are not read for a check that cannot judge");
        }));
        cannotJudge("proxy-version-skew", "version", skew.check(drift(installWith("/version", DIGEST))));
        cannotJudge("proxy-version-skew", "revision", skew.check(drift(installWith("/revision", DIGEST))));
    }

    /** An addon switched on by a sensitive variable: the digest is no {@code true}, so the warning went missing. */
    @Test
    void productionAddonsDoesNotJudgeAnAddonItKnowsOnlyByItsDigest() {
        PlanCheck addons = new DigestGuard<ProductionAddons>(new ProductionAddons());
        cannotJudge("production-addons", "addons.kiali", addons.check(drift(installWith("/addons/kiali", DIGEST))));
        // Plan and validate read the stack's values in clear: the check runs as before.
        assertEquals(List.of(Severity.WARNING), addons.check(ctx(CheckContext.Purpose.PLAN, Environment.PRODUCTION,
                decl("istio.install.mesh", "version: \"1.30.3\"\naddons: {kiali: true}\n"))).stream()
                .map(Diagnostic::severity).toList());
    }

    /**
     * The guard acts per field where a check judges fields apart: one addon known only by its digest (kiali, from a
     * sensitive variable rotated since the apply) silenced the warning of every other addon, whose value is plain.
     */
    @Test
    void aDigestedAddonLeavesTheVerdictsOnThePlainAddons() {
        PlanCheck addons = new DigestGuard<ProductionAddons>(new ProductionAddons());
        List<Diagnostic> ds = addons.check(drift("version: \"1.30.3\"\naddons: {kiali: \"" + DIGEST
                + "\", grafana: true, prometheus: false}\n"));
        assertEquals(List.of(Severity.WARNING, Severity.INFO), ds.stream().map(Diagnostic::severity).toList(), text(ds));
        assertEquals("istio.install.mesh: addon grafana is enabled in a production stack", ds.get(0).summary());
        assertEquals("production-addons: cannot judge istio.install.mesh: its addons.kiali was applied as a sensitive"
                + " value, which the state records only by its digest", ds.get(1).summary());
        assertTrue(ds.get(1).detail().startsWith("the check judged the other fields of istio.install.mesh, not this one;"),
                text(ds));
        assertFalse(text(ds).contains(DIGEST), text(ds));
    }

    /**
     * A sensitive addon is masked in the plan, and the verdict on it said its value in words ("addon kiali is
     * enabled"). The warning stays, as Terraform still reports a failed condition on a sensitive value, but without
     * the value; a plain addon's warning is as before.
     */
    @Test
    void aSensitiveAddonIsWarnedAboutWithoutItsValue() {
        var install = new ResourceDecl(io.meshform.engine.model.ResourceAddress.parse("istio.install.mesh"), List.of(),
                io.meshform.providers.TestSpecs.yaml("version: \"1.30.3\"\naddons: {kiali: true, grafana: true}\n"),
                io.meshform.engine.model.SourceLocator.none("stack.yaml"), null, Set.of("/addons/kiali"));
        for (CheckContext.Purpose purpose : List.of(CheckContext.Purpose.PLAN, CheckContext.Purpose.DRIFT)) {
            List<Diagnostic> ds = new DigestGuard<ProductionAddons>(new ProductionAddons())
                    .check(ctx(purpose, Environment.PRODUCTION, install));
            assertEquals(List.of(Severity.WARNING, Severity.WARNING), ds.stream().map(Diagnostic::severity).toList(),
                    text(ds));
            assertEquals("istio.install.mesh: addon kiali fails production-addons (its value is sensitive, so it is not"
                    + " shown)", ds.get(0).summary());
            assertEquals("istio.install.mesh: addon grafana is enabled in a production stack", ds.get(1).summary());
            assertFalse(text(ds.subList(0, 1)).matches("(?s).*\\b(enabled|true|is on)\\b.*"), text(ds));
        }
    }

    /** analyze ran with {@code --revision sha256:...}, a control plane that does not exist. */
    @Test
    void analyzeDoesNotRunForARevisionItKnowsOnlyByItsDigest() {
        PlanCheck analyze = new DigestGuard<IstioAnalysis>(new IstioAnalysis(ctx -> {
            throw new AssertionError("analyze does not run for a digested revision");
        }, null, null));
        cannotJudge(io.meshform.providers.istio.core.Mesh.ANALYZE_CHECK, "revision",
                analyze.check(drift(installWith("/revision", DIGEST))));
    }

    /**
     * Every check meshform runs is guarded, and each field it reads of the install, holding a digest in drift, gives
     * the note instead of a verdict: a new check that reads the install cannot forget it ({@link ReadsInstall}).
     */
    @Test
    void everyCheckSaysItCannotJudgeADigestInAnyInstallFieldItReads() {
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of()))) {
            Istioctl istioctl = new Istioctl("istioctl-not-run", "the test", null, null);
            List<PlanCheck> all = MeshChecks.all(kube, istioctl, (ctx, d, spec) -> {
                throw new AssertionError("the install is not rendered");
            });
            int judged = 0;
            for (PlanCheck c : all) {
                assertTrue(c instanceof DigestGuard<?>, c.name() + " is not guarded");
                for (String pattern : ((DigestGuard<?>) c).check().installFields()) {
                    String pointer = pattern.replace("*", "kiali");
                    cannotJudge(c.name(), CheckSupport.dotted(pointer), c.check(drift(installWith(pointer, DIGEST))));
                    judged++;
                }
            }
            assertTrue(judged >= 5, "fields judged: " + judged);
        }
    }

    /** A sensitive value the stack gives, and the install's state as applying it with {@code appliedValue} recorded it. */
    private static final String GIVEN = "given-in-clear-7c1f";

    /**
     * Drift's checks as drift builds their context ({@link AppliedForChecks}): {@code install} as the stack gives it,
     * applied with {@code applied} in place of its value at {@code pointer}, a sensitive value the state records by
     * its digest. {@code others} are declared and recorded as they are.
     */
    private static AppliedForChecks drift(ResourceDecl install, String pointer, JsonNode applied, ResourceDecl... others) {
        JsonNode spec = install.spec().deepCopy();
        JsonNode at = spec;
        String[] parts = pointer.substring(1).split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            at = at.isArray() ? at.get(Integer.parseInt(parts[i]))
                    : at.has(parts[i]) ? at.get(parts[i]) : ((ObjectNode) at).putObject(parts[i]);
        }
        ((ObjectNode) at).set(parts[parts.length - 1], applied);
        StateSnapshot state = StateSnapshot.empty("test").with(new ResourceState(install.address().toString(),
                install.address().type(), (ObjectNode) Sensitive.digest(spec, Set.of(pointer)), Map.of()));
        for (ResourceDecl o : others) {
            state = state.with(new ResourceState(o.address().toString(), o.address().type(), (ObjectNode) o.spec(), Map.of()));
        }
        ResourceDecl[] all = new ResourceDecl[others.length + 1];
        all[0] = install;
        System.arraycopy(others, 0, all, 1, others.length);
        return AppliedForChecks.of(io.meshform.providers.TestSpecs.stack(Environment.PRODUCTION, all), state);
    }

    /** A check that reads {@code fields} of the install, and records what it was given. */
    private record Probe(Set<String> installFields, List<CheckContext> ran) implements PlanCheck, ReadsInstall {
        @Override
        public String name() {
            return "probe";
        }

        @Override
        public List<Diagnostic> check(CheckContext context) {
            ran.add(context);
            return List.of();
        }
    }

    /**
     * Each field every check reads of the install, given by a sensitive value the stack still gives (its digest is the
     * recorded one: nothing rotated): drift's check runs, on the value in clear. Rotated or removed, it still says it
     * cannot judge it, and what lets it.
     */
    @Test
    void everyCheckJudgesAnInstallFieldWhoseAppliedValueTheStackStillGives() {
        try (KubeConnection kube = new KubeConnection(new ProviderSettings(Map.of()))) {
            List<PlanCheck> all = MeshChecks.all(kube, new Istioctl("istioctl-not-run", "the test", null, null),
                    (ctx, d, spec) -> {
                        throw new AssertionError("the install is not rendered");
                    });
            int judged = 0;
            for (PlanCheck c : all) {
                Set<String> fields = ((DigestGuard<?>) c).check().installFields();
                for (String pattern : fields) {
                    String pointer = pattern.replace("*", "kiali");
                    var install = decl("istio.install.mesh", installWith(pointer, GIVEN));
                    Probe probe = new Probe(fields, new java.util.ArrayList<>());
                    PlanCheck guarded = new DigestGuard<>(probe);
                    var text = JsonNodeFactory.instance.stringNode(GIVEN);
                    assertEquals(List.of(), guarded.check(drift(install, pointer, text).context()), c.name() + " " + pointer);
                    assertEquals(GIVEN, probe.ran().get(0).after().get(install.address()).at(pointer).asString(),
                            c.name() + " judges the value applied");

                    List<Diagnostic> rotated = guarded.check(drift(install, pointer,
                            JsonNodeFactory.instance.stringNode("applied-before-3e2d")).context());
                    cannotJudge("probe", CheckSupport.dotted(pointer), rotated);
                    assertTrue(rotated.get(0).detail().contains("the stack gives another value there, not applied yet:"
                            + " apply the stack, then drift's checks judge the value applied"), text(rotated));
                    var without = decl("istio.install.mesh", "{}");
                    List<Diagnostic> removed = guarded.check(drift(without, pointer, text).context());
                    cannotJudge("probe", CheckSupport.dotted(pointer), removed);
                    assertTrue(removed.get(0).detail().contains("the stack no longer gives it: apply the stack, which"
                            + " removes it, then drift's checks judge the install as applied without it"), text(removed));
                    judged++;
                }
            }
            assertTrue(judged >= 5, "fields judged: " + judged);
        }
    }

    /**
     * The checks that judge each digest they read themselves: with the value the stack still gives, each judges it,
     * and drift masks the value wherever what the check says quotes it.
     */
    @Test
    void theChecksThatJudgeDigestsThemselvesJudgeAValueTheStackStillGivesWithoutQuotingIt() {
        var install = decl("istio.install.mesh", "version: \"1.30\"\nextAuthz: [{name: " + GIVEN
                + ", service: p.cortex.svc.cluster.local, port: 8080, timeout: 5s, failOpen: true}]\n");
        AppliedForChecks named = drift(install, "/extAuthz/0/name", JsonNodeFactory.instance.stringNode(GIVEN));
        FakeCluster live = new FakeCluster().authorizationPolicy("istio-system", "ingress-auth",
                "action: CUSTOM\nprovider: {name: " + GIVEN + "}\nrules: [{}]\n");
        List<Diagnostic> unused = named.redact(IngressAuthUnused.findings(live.mesh(named.context())));
        assertFalse(text(unused).contains("cannot judge"), text(unused));
        List<Diagnostic> risks = named.redact(AuthProxyRisks.findings(new FakeCluster().mesh(named.context())));
        assertEquals(List.of(Severity.WARNING), risks.stream().map(Diagnostic::severity).toList(), text(risks));
        assertTrue(risks.get(0).summary().startsWith("istio.install.mesh: auth proxy (sensitive): failOpen lets requests"
                + " through"), text(risks));
        assertFalse(text(risks).contains(GIVEN), text(risks));
        AppliedForChecks failOpen = drift(install, "/extAuthz/0/failOpen", JsonNodeFactory.instance.booleanNode(true));
        risks = failOpen.redact(AuthProxyRisks.findings(new FakeCluster().mesh(failOpen.context())));
        assertEquals(List.of(Severity.WARNING), risks.stream().map(Diagnostic::severity).toList(), text(risks));

        FakeCluster c = MtlsReachabilityTest.cortexCluster();
        c.peer("istio-system", "default", "2026-01-01T00:00:00Z", "mtls: {mode: STRICT}");
        var root = decl("istio.install.mesh", "version: \"1.30\"\nmeshConfig: {rootNamespace: istio-system}\n");
        var strict = decl("istio.peerAuthentication.mesh", "namespace: istio-system\nname: default\nmtls: {mode: STRICT}\n");
        AppliedForChecks rooted = drift(root, "/meshConfig/rootNamespace", JsonNodeFactory.instance.stringNode("istio-system"),
                strict);
        List<Diagnostic> reach = rooted.redact(MtlsReachability.findings(c.mesh(rooted.context())));
        assertFalse(text(reach).contains("cannot compare"), text(reach));
        assertFalse(text(reach).contains("istio-system"), text(reach));
    }
}

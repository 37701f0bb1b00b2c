package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.injection.Sidecars;
import io.meshform.providers.istio.install.ExtAuthzRules;
import io.meshform.providers.istio.policy.AuthzPolicy;
import io.meshform.providers.istio.policy.MeshConfigView;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * A CUSTOM AuthorizationPolicy of the stack whose provider the mesh config in force does not declare, or declares in a
 * form istiod refuses: istiod then builds an RBAC DENY filter from the policy's rules ("deny-due-to-bad-CUSTOM-action",
 * pilot/pkg/security/authz/builder/builder.go; {@code getExtAuthz} and {@code processExtensionProvider} in
 * extauthz.go), so every request the rules match gets 403 and no request reaches the auth proxy. The mesh config is that
 * of each revision whose istiod serves a running pod the policy attaches to ({@link PlannedMesh#meshConfig(String)}:
 * during a canary, a gateway moved to the new revision gets the new one's, and a revision the stack declares no install
 * of is read from its live {@code istio-<revision>} ConfigMap; {@link ServingRevisions}); with no such pod known, the stack's
 * istio.install when it declares one, else the live {@code istio} ConfigMap; with neither, nothing is judged.
 * A provider the stack's install declares is checked when the stack loads (an error there); a live one here. Those
 * DENY rules are made of the policies' enforced rules only ({@code getBadCustomDenyRules(providerRules)}, builder.go),
 * so a dry-run policy ({@link AuthzPolicy#isDryRun}) does nothing until its annotation goes; the warning says so.
 */
public final class CustomProviderDeclared extends MeshCheck {
    /**
     * What those DENY rules do on a port istiod treats as TCP: the TCP RBAC filter cannot test HTTP conditions, and for
     * a DENY rule istiod drops such a condition instead of the rule ({@code checkError},
     * pilot/pkg/security/authz/model/model.go), so a rule of paths, methods, hosts or headers alone matches every
     * connection (the test bed's istiod gives such a rule {@code any: true} on a sidecar's TCP port).
     */
    static final String ON_TCP = " On the workloads' TCP ports istiod drops the rules' HTTP conditions (paths, methods, hosts,"
            + " headers), so a rule made only of those refuses every connection there.";

    CustomProviderDeclared(Function<CheckContext, PlannedMesh> mesh) {
        super("custom-provider-declared", STACK_ONLY, mesh, CustomProviderDeclared::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        List<Diagnostic> out = new ArrayList<>();
        for (PlannedObject o : mesh.planned()) {
            JsonNode spec = o.object().path("spec");
            String provider = Json.text(spec.path("provider"), "name");
            if (!"AuthorizationPolicy".equals(o.kind()) || !"CUSTOM".equals(Json.text(spec, "action")) || provider == null) {
                continue;
            }
            for (ServingRevisions.Served served : ServingRevisions.of(mesh, o.object())) {
                if (served.config().known()) {
                    judge(mesh, o, provider, served, out);
                }
            }
        }
        return out;
    }

    private static void judge(PlannedMesh mesh, PlannedObject o, String provider, ServingRevisions.Served served,
                              List<Diagnostic> out) {
        MeshConfigView config = served.config();
        String dry = AuthzPolicy.isDryRun(o.object()) ? ". The policy is dry-run (" + AuthzPolicy.DRY_RUN + "), and istiod"
                + " leaves dry-run rules out of those DENY rules: for now the policy does nothing, and once the annotation"
                + " goes its rules deny" : "";
        var declared = config.provider(provider);
        List<String> extAuthz = config.extensionProviders().stream().filter(p -> ExtAuthzRules.kind(p) != null)
                .map(p -> Json.text(p, "name")).filter(java.util.Objects::nonNull).sorted().toList();
        if (declared.isEmpty()) {
            // An install of the stack that declares it, left out by --target or --exclude: say so, not "add one".
            var leftOut = LeftOutOfPlan.installDeclaring(mesh.context(), provider::equals).map(i -> i.address().toString());
            out.add(Diagnostic.warning(o.decl().address() + ": CUSTOM provider `" + provider + "` is not declared in "
                            + config.source() + leftOut.map(i -> " (" + i + " declares it, but this plan leaves it out)").orElse(""),
                    "istiod turns the policy's rules into DENY rules: every request they match gets 403 and none reaches"
                            + " an auth proxy." + ON_TCP + " " + (leftOut.isPresent() ? "Until " + leftOut.get()
                            + " is applied: " + LeftOutOfPlan.advice(List.of(leftOut.get())) : extAuthz.isEmpty()
                            ? "The mesh config declares no ext_authz provider; add one named " + provider
                            + " (istio.install extAuthz: the auth proxy's service and port)"
                            : "Declared ext_authz providers: " + String.join(", ", extAuthz)) + dry,
                    o.range("/spec/provider/name")));
            return;
        }
        List<ExtAuthzRules.Problem> problems = ExtAuthzRules.check(declared.get());
        if (ExtAuthzRules.kind(declared.get()) == null) {
            out.add(Diagnostic.warning(o.decl().address() + ": CUSTOM provider `" + provider + "` in " + config.source()
                            + " is not an ext_authz provider (envoyExtAuthzHttp or envoyExtAuthzGrpc)",
                    "istiod turns the policy's rules into DENY rules: every request they match gets 403" + dry + "." + ON_TCP,
                    o.range("/spec/provider/name")));
        } else if (!problems.isEmpty() && mesh.install(served.revision()).isEmpty()) { // an install's own: checked as the stack loads
            out.add(Diagnostic.warning(o.decl().address() + ": istiod refuses CUSTOM provider `" + provider + "` of "
                            + config.source(), String.join("\n", problems.stream().map(p -> p.pointer() + ": "
                            + p.message()).toList()) + "\nso istiod turns the policy's rules into DENY rules: every"
                            + " request they match gets 403 (processExtensionProvider, pilot/pkg/security/authz/builder/"
                            + "extauthz.go)." + ON_TCP + " Fix the provider in the mesh config" + dry, o.range("/spec/provider/name")));
        }
    }

    /** None: in drift the mesh config it reads is the live one ({@link PlannedMesh#meshConfig}), not the applied install. */
    /** istiod turns the policy's rules into DENY rules: requests are refused, not let through. */
    @Override
    public Concern concern(io.meshform.engine.diag.Diagnostic finding) {
        return Concern.DEGRADES;
    }

    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of();
    }
}

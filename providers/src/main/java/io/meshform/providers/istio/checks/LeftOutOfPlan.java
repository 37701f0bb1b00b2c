package io.meshform.providers.istio.checks;

import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.install.ExtAuthzProviders;
import io.meshform.providers.istio.policy.AuthzPolicy;
import io.meshform.providers.kubernetes.Json;
import java.util.List;
import java.util.Optional;

/**
 * What the stack declares that a plan with {@code --target} or {@code --exclude} leaves out. As in Terraform, such a
 * plan neither shows nor makes their changes (the engine's "partial plan" note), so a resource left out stays as it is
 * live, or absent. A check that finds something missing after the plan says true things, but whoever reads "no CUSTOM
 * policy sends requests to the auth proxy" or "provider `auth` is not declared" next to a stack that declares both
 * needs to be told it is because of the command line, and how to include them. Plans only: validate and drift judge
 * the whole stack.
 */
final class LeftOutOfPlan {
    private LeftOutOfPlan() {
    }

    /** The stack's istio.install resources the plan leaves out (neither planned nor removed). */
    static List<ResourceDecl> installs(CheckContext ctx) {
        return ofType(ctx, Mesh.INSTALL_TYPE);
    }

    /** The left-out install that declares an extension provider {@code name} (as the stack file writes it), if one does. */
    static java.util.Optional<ResourceDecl> installDeclaring(CheckContext ctx, java.util.function.Predicate<String> name) {
        return installs(ctx).stream().filter(d -> ExtAuthzProviders.names(d.spec()).stream().anyMatch(name)).findFirst();
    }

    /** The stack's resources of {@code type} the plan leaves out (neither planned nor removed). */
    static List<ResourceDecl> ofType(CheckContext ctx, String type) {
        if (ctx.purpose() != CheckContext.Purpose.PLAN) {
            return List.of();
        }
        return ctx.stack().ofType(type).stream()
                .filter(d -> !ctx.after().containsKey(d.address()) && !ctx.removed().containsKey(d.address())).toList();
    }

    /**
     * The addresses of the stack's CUSTOM AuthorizationPolicies the plan leaves out that send requests to extension
     * provider {@code provider}; a dry-run one sends none ({@link AuthzPolicy#isDryRun}), so it is not among them.
     */
    static List<String> customPoliciesUsing(CheckContext ctx, String provider) {
        return PlannedObject.declaredNotPlanned(ctx).stream()
                .filter(o -> "AuthorizationPolicy".equals(o.kind()) && !AuthzPolicy.isDryRun(o.object())
                        && "CUSTOM".equals(Json.text(o.object().path("spec"), "action"))
                        && provider.equals(Json.text(o.object().path("spec").path("provider"), "name")))
                .map(o -> o.decl().address().toString()).distinct().toList();
    }

    /** The address of the stack's resource the plan leaves out that declares the v1 Service {@code namespace/name}. */
    static Optional<String> service(CheckContext ctx, String namespace, String name) {
        return PlannedObject.declaredNotPlanned(ctx).stream()
                .filter(o -> "Service".equals(o.kind()) && "v1".equals(o.apiVersion()) && namespace.equals(o.namespace())
                        && name.equals(o.name())).map(o -> o.decl().address().toString()).findFirst();
    }

    /** The sentence a finding ends with: which of the stack's resources the plan left out, and how to include them. */
    static String advice(List<String> addresses) {
        String them = String.join(", ", addresses);
        String one = addresses.size() == 1 ? "it" : "them";
        return "this plan leaves " + them + " out (--target or --exclude): plan " + one + " too ("
                + String.join(" ", addresses.stream().map(a -> "--target " + a).toList())
                + "), or plan without --target and --exclude";
    }
}

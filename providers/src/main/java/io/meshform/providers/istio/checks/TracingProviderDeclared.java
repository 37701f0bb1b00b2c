package io.meshform.providers.istio.checks;

import static io.meshform.providers.istio.checks.CheckSupport.after;
import static io.meshform.providers.istio.checks.CheckSupport.range;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.policy.MeshConfigView;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * A Telemetry whose tracing names a provider the mesh config does not declare: Istio accepts it and then sends no
 * spans at all. meshform's own check: {@code istioctl analyze} says nothing of it (its IST0157 is about access-log
 * entries without providers, pkg/config/analysis/analyzers/telemetry/providers.go, Istio 1.30.3). istiod takes the
 * first provider of a tracing entry only and finds it by name regardless of case ({@code names[0]} and
 * {@code fetchProvider}'s {@code strings.EqualFold}, pilot/pkg/model/telemetry.go), so that one is judged, the same
 * way. Each istiod configures the proxies it serves from its own revision's mesh config, so the Telemetry is judged
 * with that of each revision whose istiod serves a running pod it selects ({@link ServingRevisions}: istiod matches a
 * Telemetry to a proxy as it does an AuthorizationPolicy): the stack's install of that revision, else its live
 * {@code istio} or {@code istio-<revision>} ConfigMap. With no such pod known, the stack's first istio.install, else
 * the live {@code istio} ConfigMap. A mesh config that is unknown (neither) judges nothing.
 */
public final class TracingProviderDeclared extends MeshCheck {
    TracingProviderDeclared(Function<CheckContext, PlannedMesh> mesh) {
        super("tracing-provider-declared", STACK_ONLY, mesh, TracingProviderDeclared::findings);
    }

    public static List<Diagnostic> findings(PlannedMesh mesh) {
        CheckContext ctx = mesh.context();
        List<Diagnostic> out = new ArrayList<>();
        for (ResourceDecl d : ctx.declared(Mesh.TELEMETRY_TYPE)) {
            JsonNode tracing = after(ctx, d).path("tracing");
            if (tracing.isEmpty()) {
                continue;
            }
            for (ServingRevisions.Served served : ServingRevisions.of(mesh, telemetryOf(mesh, d))) {
                if (served.config().known()) {
                    judge(ctx, d, tracing, served.config(), out);
                }
            }
        }
        return out;
    }

    /** The Telemetry object {@code d} applies, as the plan leaves it ({@link PlannedObject}); its spec alone without one. */
    private static JsonNode telemetryOf(PlannedMesh mesh, ResourceDecl d) {
        return mesh.planned().stream().filter(o -> o.decl().address().equals(d.address()) && "Telemetry".equals(o.kind()))
                .map(o -> (JsonNode) o.object()).findFirst().orElseGet(Json::object);
    }

    private static void judge(CheckContext ctx, ResourceDecl d, JsonNode tracing, MeshConfigView config, List<Diagnostic> out) {
        TreeSet<String> declared = new TreeSet<>(config.providerNames());
        for (int i = 0; i < tracing.size(); i++) {
            JsonNode providers = tracing.get(i).path("providers");
            for (int p = 0; p < Math.min(1, providers.size()); p++) {
                String name = Json.text(providers.get(p), "name");
                if (name != null && declared.stream().noneMatch(name::equalsIgnoreCase)) {
                    // An install of the stack that declares it, left out by --target or --exclude: say so.
                    var leftOut = LeftOutOfPlan.installDeclaring(ctx, name::equalsIgnoreCase).map(x -> x.address().toString());
                    out.add(Diagnostic.warning(d.address() + ": tracing provider `" + name
                                    + "` is not declared in " + config.source()
                                    + leftOut.map(x -> " (" + x + " declares it, but this plan leaves it out)").orElse(""),
                            "Istio accepts the Telemetry but sends no spans; " + (leftOut.isPresent() ? "until "
                                    + leftOut.get() + " is applied: " + LeftOutOfPlan.advice(List.of(leftOut.get()))
                                    : "add an extension provider named " + name
                                    + " (e.g. zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411})"
                                    + (declared.isEmpty() ? "" : "; declared providers: " + String.join(", ", declared))),
                            range(d, "/spec/tracing/" + i + "/providers/" + p + "/name")));
                }
            }
        }
    }

    /** None: in drift the mesh config it reads is the live one ({@link PlannedMesh#meshConfig}), not the applied install. */
    /** No spans are sent: nothing is let through. */
    @Override
    public Concern concern(io.meshform.engine.diag.Diagnostic finding) {
        return Concern.DEGRADES;
    }

    @Override
    public java.util.Set<String> installFields() {
        return java.util.Set.of();
    }
}

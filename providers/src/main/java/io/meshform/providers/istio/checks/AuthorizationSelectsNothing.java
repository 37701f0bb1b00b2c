package io.meshform.providers.istio.checks;

import static io.meshform.providers.istio.checks.CheckSupport.after;
import static io.meshform.providers.istio.checks.CheckSupport.range;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.PlanCheck;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.kubernetes.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * (h) A CUSTOM or DENY AuthorizationPolicy whose selector matches no running pod. Istio accepts it and enforces
 * nothing: a mistyped gateway label leaves every ingress request unchecked by the auth proxy.
 */
public final class AuthorizationSelectsNothing implements PlanCheck {
    private final PodMatcher pods;

    AuthorizationSelectsNothing(PodMatcher pods) {
        this.pods = pods;
    }

    @Override
    public String name() {
        return "authorization-selects-nothing";
    }

    @Override
    public List<Diagnostic> check(CheckContext ctx) {
        return findings(ctx, pods);
    }

    public static List<Diagnostic> findings(CheckContext ctx, PodMatcher pods) {
        List<Diagnostic> out = new ArrayList<>();
        for (ResourceDecl d : ctx.declared(Mesh.AUTHORIZATION_POLICY_TYPE)) {
            JsonNode s = after(ctx, d);
            String action = Json.text(s, "action", "ALLOW");
            Map<String, String> labels = Json.stringMap(s.path("selector").path("matchLabels"));
            if (labels.isEmpty() || !(action.equals("CUSTOM") || action.equals("DENY"))) {
                continue;
            }
            String ns = Json.text(s, "namespace");
            if (pods.anyRunning(ns, labels).orElse(true)) {
                continue;
            }
            String where = Mesh.ROOT_NAMESPACE.equals(ns) ? "any namespace" : "namespace " + ns;
            out.add(Diagnostic.warning(d.address() + ": the " + action + " policy's selector " + labels
                            + " matches no running pod in " + where,
                    (action.equals("CUSTOM") ? "no request is sent to the auth proxy: the workloads it should guard are"
                            : "nothing is denied: the workloads it should guard are")
                            + " either not running or labelled differently; compare with `kubectl get pods -n " + ns
                            + " --show-labels`", range(d, "/spec/selector/matchLabels")));
        }
        return out;
    }
}

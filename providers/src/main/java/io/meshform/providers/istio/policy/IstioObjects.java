package io.meshform.providers.istio.policy;

import io.meshform.providers.kubernetes.ObjectRules;
import io.meshform.providers.kubernetes.SpecChecker;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The one place an Istio object's spec is judged, whether it comes from a typed resource
 * ({@code istio.peerAuthentication}) or from a {@code kubernetes.manifest} of that kind: the fields each kind's
 * spec allows and {@link IstioRules}. (Istio's own {@code istioctl validate} is meant to take this seat.)
 */
public final class IstioObjects implements ObjectRules {

    public IstioObjects() {
    }
    /** The fields of a kind's spec and the rules they follow. */
    public record KindRules(List<String> fields, IstioPolicyType.Rules rules) {
    }

    static final Map<String, KindRules> BY_KIND = Map.of(
            "PeerAuthentication", new KindRules(IstioRules.PEER_FIELDS, withSchema("PeerAuthentication", IstioRules::peerAuthentication)),
            "RequestAuthentication", new KindRules(IstioRules.REQUEST_FIELDS,
                    withSchema("RequestAuthentication", IstioRules::requestAuthentication)),
            "AuthorizationPolicy", new KindRules(IstioRules.AUTHZ_FIELDS,
                    withSchema("AuthorizationPolicy", IstioRules::authorizationPolicy)),
            "Telemetry", new KindRules(IstioRules.TELEMETRY_FIELDS, withSchema("Telemetry", IstioRules::telemetry)));

    /** Istio's CRD schema (enum values, types; {@link IstioSpecSchema}) first, then the kind's own rules. */
    private static IstioPolicyType.Rules withSchema(String kind, IstioPolicyType.Rules rules) {
        return (spec, c) -> {
            IstioSpecSchema.istio().check(kind, spec, c);
            rules.check(spec, c);
        };
    }

    /**
     * Values of a kind's spec that are masked in plans and digested in state: the inline key sets of every JWT rule
     * (keys a reviewer has no need to read, and private keys pasted by mistake).
     */
    static final Map<String, Set<String>> SENSITIVE = Map.of("RequestAuthentication", Set.of("/jwtRules/*/jwks"));

    /** The sensitive paths of a kind's spec (relative to the spec). */
    public static Set<String> sensitive(String kind) {
        return SENSITIVE.getOrDefault(kind, Set.of());
    }

    public static KindRules of(String kind) {
        return BY_KIND.get(kind);
    }

    /** Checks a typed resource's Istio fields (the spec minus namespace, name, force). */
    static void checkSpec(String kind, JsonNode istioSpec, SpecChecker c) {
        BY_KIND.get(kind).rules().check(istioSpec, c);
    }

    @Override
    public Set<String> sensitivePaths(String apiVersion, String kind) {
        if (!istioGroup(apiVersion)) {
            return Set.of();
        }
        return Set.copyOf(sensitive(kind).stream().map(p -> "/spec" + p).toList());
    }

    private static boolean istioGroup(String apiVersion) {
        return apiVersion != null && (apiVersion.startsWith(io.meshform.providers.istio.core.Mesh.SECURITY_GROUP + "/")
                || apiVersion.startsWith(io.meshform.providers.istio.core.Mesh.TELEMETRY_GROUP + "/"));
    }

    @Override
    public boolean check(String apiVersion, String kind, JsonNode object, SpecChecker c) {
        KindRules rules = istioGroup(apiVersion) ? BY_KIND.get(kind) : null;
        if (rules == null) {
            return false;
        }
        JsonNode spec = object.get("spec");
        if (spec == null || spec.isNull()) {
            return true;  // an empty spec: Istio's defaults (e.g. a PeerAuthentication that inherits)
        }
        if (c.object(spec, "/spec", "`spec`")) {
            c.knownKeys(spec, "/spec", kind + " spec", rules.fields());
            SpecChecker own = new SpecChecker();
            rules.rules().check(spec, own);
            c.addAll("/spec", own.problems());
        }
        return true;
    }
}

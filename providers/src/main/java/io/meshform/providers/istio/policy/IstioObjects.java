package io.meshform.providers.istio.policy;

import io.meshform.providers.kubernetes.ObjectRules;
import io.meshform.providers.kubernetes.SpecChecker;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The one place an Istio object's spec is judged, whether it comes from a typed resource
 * ({@code istio.peerAuthentication}) or from a {@code kubernetes.manifest} of that kind: Istio's CRD schema (enum
 * values and types, {@link IstioSpecSchema}) for every kind {@code istioctl validate} decodes, then, for the kinds
 * meshform types, the fields each kind's spec allows and {@link IstioRules}. (Istio's own {@code istioctl validate}
 * is meant to take this seat.)
 */
public final class IstioObjects implements ObjectRules {
    /** This rule holder's schemas, each kind's read when a manifest of it is first checked. */
    private final IstioSpecSchemas schemas;

    /** Istio's schemas judge alone (no istioctl to tell the release). */
    public IstioObjects() {
        this(IstioSpecSchemas.ReleaseInUse.NONE);
    }

    /** Istio's schemas judge when {@code release} is theirs, or unknown ({@link IstioSpecSchemas}). */
    public IstioObjects(IstioSpecSchemas.ReleaseInUse release) {
        this.schemas = new IstioSpecSchemas(release);
    }
    /** The fields of a kind's spec and the rules they follow. */
    public record KindRules(List<String> fields, IstioPolicyType.Rules rules) {
    }

    /** The kinds meshform types: their spec fields and own rules (Istio's schema comes first, {@link #withSchema}). */
    static final Map<String, KindRules> BY_KIND = Map.of(
            "PeerAuthentication", new KindRules(IstioRules.PEER_FIELDS, IstioRules::peerAuthentication),
            "RequestAuthentication", new KindRules(IstioRules.REQUEST_FIELDS, IstioRules::requestAuthentication),
            "AuthorizationPolicy", new KindRules(IstioRules.AUTHZ_FIELDS, IstioRules::authorizationPolicy),
            "Telemetry", new KindRules(IstioRules.TELEMETRY_FIELDS, IstioRules::telemetry));

    /**
     * A typed resource's rules: Istio's CRD schema of its kind (enum values, types; {@link IstioSpecSchema}) first,
     * read when the first spec is checked, then the kind's own rules.
     */
    static IstioPolicyType.Rules withSchema(String kind, IstioSpecSchemas.ReleaseInUse release) {
        IstioSpecSchemas own = new IstioSpecSchemas(release);
        IstioPolicyType.Rules rules = BY_KIND.get(kind).rules();
        return (spec, c) -> {
            own.of(kind).ifPresent(s -> own.check(s, spec, c));
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

    /**
     * Any kind istioctl decodes at this apiVersion gets Istio's schema; the kinds meshform types also get their fields
     * and rules. Another kind, or an apiVersion istioctl does not decode, is left to istioctl's own message.
     */
    @Override
    public boolean check(String apiVersion, String kind, JsonNode object, SpecChecker c) {
        Optional<IstioSpecSchema> schema = schemas.decoding(apiVersion, kind);
        KindRules rules = istioGroup(apiVersion) ? BY_KIND.get(kind) : null;
        if (rules == null && schema.isEmpty()) {
            return false;
        }
        JsonNode spec = object.get("spec");
        if (spec == null || spec.isNull()) {
            return true;  // an empty spec: Istio's defaults (e.g. a PeerAuthentication that inherits)
        }
        if (c.object(spec, "/spec", "`spec`")) {
            if (rules != null) {
                c.knownKeys(spec, "/spec", kind + " spec", rules.fields());
            }
            SpecChecker own = new SpecChecker();
            schema.ifPresent(s -> schemas.check(s, spec, own));
            if (rules != null) {
                rules.rules().check(spec, own);
            }
            c.addAll("/spec", own.problems());
        }
        return true;
    }
}

package io.meshform.providers.istio.policy;

import io.meshform.providers.kubernetes.SpecChecker;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What meshform checks in an Istio policy's spec when the stack loads, which is only what Istio's own validation does
 * not check. Everything {@code istioctl validate} checks (the same code as istiod's admission webhook: a strict decode of
 * the spec, so unknown fields and enum values, then {@code ValidateConfig} per kind in
 * pkg/config/validation/validation.go: CUSTOM's restrictions, DENY without rules, serviceAccounts with namespaces,
 * CIDRs, ports, {@code when} keys and values, {@code issuer} or {@code jwksUri}, an empty {@code portLevelMtls}, ...)
 * is left to it: the {@code istio-validate} check runs it on every plan and {@code validate} and maps its messages to
 * the stack's lines. Kept here:
 * <ul>
 *   <li>enum values and field types from Istio's CRD schema ({@link IstioSpecSchema}, applied to every kind before
 *       these rules): what istioctl refuses in its decoder's words, explained at the value with the values it
 *       accepts, and checked where istioctl is not installed; and what istioctl's decoder takes but the API server
 *       refuses against the schema (an enum's number, a number written as a string, a proto field name);</li>
 *   <li>the top-level fields each typed resource has (its schema, which docs/stack.schema.json also states), so a
 *       misspelt field is named even where istioctl is not installed;</li>
 *   <li>the rules only the CRDs' CEL validations enforce, at the API server
 *       (manifests/charts/base/files/crd-all.gen.yaml), which {@code istioctl validate} does not run: a JWT rule with
 *       both {@code jwks} and {@code jwksUri} ("only one of jwks or jwksUri can be set"), and a Telemetry metrics
 *       {@code reportingInterval} under 1 ms ("must be a valid duration greater than 1ms"). Checked by running istioctl
 *       1.30.3 on both: it accepts them.</li>
 * </ul>
 */
public final class IstioRules {
    public static final List<String> PEER_FIELDS = List.of("selector", "mtls", "portLevelMtls");
    public static final List<String> REQUEST_FIELDS = List.of("selector", "targetRef", "targetRefs", "jwtRules");
    public static final List<String> AUTHZ_FIELDS = List.of("selector", "targetRef", "targetRefs", "action", "provider", "rules");
    public static final List<String> TELEMETRY_FIELDS = List.of("selector", "targetRef", "targetRefs", "tracing", "accessLogging",
            "metrics");

    private IstioRules() {
    }

    /**
     * A {@code selector} is Istio's WorkloadSelector, whose one field is {@code matchLabels}: istioctl refuses any other
     * ("cannot parse proto message: unknown field \"matchLabel\" in istio.type.v1beta1.WorkloadSelector"), but runs
     * only on a stack that loaded, so {@code selector: {matchLabel: ...}} was said only once every other error was
     * fixed, and without a "did you mean". Said here with the stack's other errors. The proto name
     * {@code match_labels} is refused too: istioctl's JSON decoding accepts it, so validate and plan passed it, but the
     * CRD's schema (Istio 1.30.3) declares only {@code matchLabels}, and the apply failed ("API server says: ...
     * .spec.selector.match_labels: field not declared in schema").
     */
    static void selector(JsonNode spec, SpecChecker c) {
        c.knownKeys(spec.get("selector"), "/selector", "selector", List.of("matchLabels"));
    }

    /** PeerAuthentication: nothing beyond its fields and its schema (mTLS modes: {@link IstioSpecSchema}). */
    public static void peerAuthentication(JsonNode spec, SpecChecker c) {
        selector(spec, c);
        // every other rule of a PeerAuthentication spec is in Istio's ValidatePeerAuthentication or its CRD's CEL rules,
        // which that function repeats
    }

    /** RequestAuthentication: a JWT rule sets {@code jwks} or {@code jwksUri}, not both (a CEL rule of the CRD). */
    public static void requestAuthentication(JsonNode spec, SpecChecker c) {
        selector(spec, c);
        JsonNode rules = spec.path("jwtRules");
        for (int i = 0; i < rules.size(); i++) {
            JsonNode r = rules.get(i);
            // The CRD's CEL rule counts all three spellings: (has(jwksUri)?1:0)+(has(jwks_uri)?1:0)+(has(jwks)?1:0) <= 1
            // (manifests/charts/base/files/crd-all.gen.yaml, Istio 1.30.3); jwksUri beside jwks_uri is refused too.
            int set = 0;
            for (String f : List.of("jwks", "jwksUri", "jwks_uri")) {
                set += r.isObject() && r.hasNonNull(f) ? 1 : 0;
            }
            if (set > 1) {
                String at = r.hasNonNull("jwks") ? "jwks" : "jwks_uri";
                c.error("/jwtRules/" + i + "/" + at, "set one of `jwksUri` (or `jwks_uri`) and inline `jwks`, not two",
                        "the API server refuses it (the RequestAuthentication CRD's rule \"only one of jwks or jwksUri can be"
                                + " set\"), though istioctl validate accepts it");
            }
        }
    }

    /** The meshform-only field of istio.authorizationPolicy with the ingress coverage expectations. */
    public static final String COVERAGE = "coverage";

    /**
     * AuthorizationPolicy: Istio checks its own fields (every rule is in ValidateAuthorizationPolicy or repeats a CEL
     * rule of the CRD); meshform checks {@link #coverage}.
     */
    public static void authorizationPolicy(JsonNode spec, SpecChecker c) {
        selector(spec, c);
        coverage(spec, c);
    }

    /**
     * {@code coverage: {public: [paths], protected: [paths]}}: paths the stack says must not need a login and paths
     * that must (each with its variants) reach the auth proxy; the ingress-auth-coverage check judges them. Only on a
     * CUSTOM policy (whose gateway they describe). Paths use the {@code paths} syntax ({@code /admin/*}).
     */
    static void coverage(JsonNode spec, SpecChecker c) {
        JsonNode cov = spec.get(COVERAGE);
        if (cov == null) {
            return;
        }
        String at = "/" + COVERAGE;
        if (!c.object(cov, at, "`coverage`")) {
            return;
        }
        c.knownKeys(cov, at, "coverage", List.of("public", "protected"));
        if (!"CUSTOM".equals(spec.path("action").asString(""))) {
            c.error(at, "`coverage` needs `action: CUSTOM`", "it states which paths the gateway's auth proxy must see;"
                    + " put it on the CUSTOM AuthorizationPolicy that sends requests to the auth proxy");
        }
        for (String list : List.of("public", "protected")) {
            JsonNode l = cov.get(list);
            if (l == null) {
                continue;
            }
            if (!l.isArray()) {
                c.error(at + "/" + list, "`" + list + "` must be a list of paths", "found " + SpecChecker.describe(l)
                        + "; write e.g. " + list + ": [\"/api/health\"]");
                continue;
            }
            for (int i = 0; i < l.size(); i++) {
                JsonNode p = l.get(i);
                if (!p.isString() || !(p.asString().startsWith("/") || p.asString().startsWith("*"))) {
                    c.error(at + "/" + list + "/" + i, "a " + list + " path must be a string starting with '/' (or '*')",
                            "found " + SpecChecker.describe(p) + "; paths use the AuthorizationPolicy syntax: /api/health, /admin/*");
                } else if (hasSpaceOrControl(p.asString())) {
                    // A request path holds neither (RFC 3986 has them percent-encoded), and the coverage table prints
                    // the path as written: a line break in it broke the table's lines.
                    c.error(at + "/" + list + "/" + i, "a " + list + " path must not contain spaces, line breaks or other"
                                    + " control characters",
                            "a request path carries them percent-encoded: write %20 for a space, %0A for a line break");
                }
            }
        }
    }

    private static boolean hasSpaceOrControl(String path) {
        return path.codePoints().anyMatch(cp -> Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                || Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT);
    }

    /** Telemetry: a metrics {@code reportingInterval} of at least 1 ms (a CEL rule of the CRD). */
    public static void telemetry(JsonNode spec, SpecChecker c) {
        selector(spec, c);
        JsonNode metrics = spec.path("metrics");
        for (int i = 0; i < metrics.size(); i++) {
            JsonNode interval = metrics.get(i).path("reportingInterval");
            if (interval.isString() && below1ms(interval.asString())) {
                c.error("/metrics/" + i + "/reportingInterval", "reportingInterval must be a duration of at least 1ms, not "
                                + interval.asString(),
                        "the API server refuses it (the Telemetry CRD's rule \"must be a valid duration greater than 1ms\"),"
                                + " though istioctl validate accepts it");
            }
        }
    }

    private static final java.util.regex.Pattern DURATION_PART =
            java.util.regex.Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|\u00b5s|ms|s|m|h)");

    /**
     * A duration in Go's syntax ("0s", "500us", "1m30s", "-1s") below one millisecond, as the CRD's CEL rule
     * {@code duration(self) >= duration('1ms')} judges it (a negative one too); other texts are Istio's to judge.
     */
    static boolean below1ms(String d) {
        if (d.startsWith("-")) {
            // any well-formed negative duration is below 1ms
            return d.substring(1).matches("(" + DURATION_PART.pattern() + ")+") || d.equals("-0");
        }
        if (d.startsWith("+")) {
            d = d.substring(1);
        }
        if (!d.matches("(" + DURATION_PART.pattern() + ")+") && !d.equals("0")) {
            return false;
        }
        double nanos = 0;
        var m = DURATION_PART.matcher(d);
        while (m.find()) {
            double v = Double.parseDouble(m.group(1));
            nanos += v * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "\u00b5s" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
        }
        return nanos < 1e6;
    }
}

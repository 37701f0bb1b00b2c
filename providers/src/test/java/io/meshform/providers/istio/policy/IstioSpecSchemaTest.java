package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.spi.FieldProblem;
import io.meshform.providers.kubernetes.SpecChecker;
import io.meshform.testkit.Testbed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Istio's CRD schema explains what istioctl refuses, and istioctl stays the judge: every case meshform refuses, the real
 * istioctl (the test bed's 1.30.3) refuses too, and every case meshform lets through that istioctl accepts stays
 * accepted. The cases are the ones found by running istioctl 1.30.3 by hand (enum numbers, strings for numbers and
 * null are accepted by Istio's decoder, so meshform must not refuse them).
 */
class IstioSpecSchemaTest {
    private static final String PA = "PeerAuthentication";
    private static final String AP = "AuthorizationPolicy";
    private static final String TM = "Telemetry";
    private static final String RA = "RequestAuthentication";

    record Case(String kind, String spec, String problem) {
    }

    /** {@code problem}: "path: message" meshform reports, or null when it reports nothing (and istioctl accepts). */
    private static final List<Case> CASES = List.of(
            new Case(PA, "{mtls: {mode: STRICTT}}", "/mtls/mode: unknown value `STRICTT`: Istio's PeerAuthentication accepts UNSET, DISABLE, PERMISSIVE, STRICT"),
            new Case(PA, "{mtls: {mode: strict}}", "/mtls/mode: unknown value `strict`: Istio's PeerAuthentication accepts UNSET, DISABLE, PERMISSIVE, STRICT"),
            new Case(PA, "{mtls: {mode: \"3\"}}", "/mtls/mode: unknown value `3`: Istio's PeerAuthentication accepts UNSET, DISABLE, PERMISSIVE, STRICT"),
            new Case(PA, "{mtls: STRICT}", "/mtls: must be a mapping in Istio's PeerAuthentication, found the string \"STRICT\""),
            new Case(PA, "{mtls: []}", "/mtls: must be a mapping in Istio's PeerAuthentication, found a list"),
            new Case(PA, "{mtls: {mode: [STRICT]}}", "/mtls/mode: must be a string in Istio's PeerAuthentication, found a list"),
            new Case(PA, "{mtls: {mode: true}}", "/mtls/mode: must be a string in Istio's PeerAuthentication, found boolean true"),
            new Case(PA, "{selector: x}", "/selector: must be a mapping in Istio's PeerAuthentication, found the string \"x\""),
            new Case(PA, "{selector: {matchLabels: {app: 1}}}", "/selector/matchLabels/app: must be a string in Istio's PeerAuthentication, found number 1"),
            new Case(PA, "{selector: {matchLabels: {app: x}}, portLevelMtls: {\"8080\": {mode: STRICTT}}}",
                    "/portLevelMtls/8080/mode: unknown value `STRICTT`: Istio's PeerAuthentication accepts UNSET, DISABLE, PERMISSIVE, STRICT"),
            new Case(PA, "{selector: {matchLabels: {app: x}}, portLevelMtls: {\"8080\": STRICT}}",
                    "/portLevelMtls/8080: must be a mapping in Istio's PeerAuthentication, found the string \"STRICT\""),
            new Case(AP, "{action: ALOW}", "/action: unknown value `ALOW`: Istio's AuthorizationPolicy accepts ALLOW, DENY, AUDIT, CUSTOM"),
            new Case(AP, "{rules: {}}", "/rules: must be a list in Istio's AuthorizationPolicy, found a mapping"),
            new Case(AP, "{rules: [x]}", "/rules/0: must be a mapping in Istio's AuthorizationPolicy, found the string \"x\""),
            new Case(AP, "{rules: [{to: [{operation: {ports: [8080]}}]}]}", "/rules/0/to/0/operation/ports/0: must be a string in Istio's AuthorizationPolicy, found number 8080"),
            new Case(AP, "{rules: [{to: [{operation: {paths: /x}}]}]}", "/rules/0/to/0/operation/paths: must be a list in Istio's AuthorizationPolicy, found the string \"/x\""),
            new Case(TM, "{tracing: {randomSamplingPercentage: 10}}", "/tracing: must be a list in Istio's Telemetry, found a mapping"),
            new Case(TM, "{metrics: [{overrides: [{match: {metric: ALL_METRIX}}]}]}", "/metrics/0/overrides/0/match/metric: unknown value `ALL_METRIX`: Istio's Telemetry accepts ALL_METRICS, REQUEST_COUNT, REQUEST_DURATION, REQUEST_SIZE, RESPONSE_SIZE, TCP_OPENED_CONNECTIONS, TCP_CLOSED_CONNECTIONS, TCP_SENT_BYTES, TCP_RECEIVED_BYTES, GRPC_REQUEST_MESSAGES, GRPC_RESPONSE_MESSAGES"),
            new Case(RA, "{jwtRules: [{issuer: x, forwardOriginalToken: \"true\"}]}", "/jwtRules/0/forwardOriginalToken: must be true or false in Istio's RequestAuthentication, found the string \"true\""),
            new Case(RA, "{jwtRules: [{issuer: x, fromHeaders: [{name: a, prefix: 1}]}]}", "/jwtRules/0/fromHeaders/0/prefix: must be a string in Istio's RequestAuthentication, found number 1"),
            // Accepted by Istio's decoder, so never refused here.
            new Case(PA, "{mtls: {mode: 3}}", null),
            new Case(PA, "{mtls: null}", null),
            new Case(PA, "{mtls: {mode: null}}", null),
            new Case(PA, "{mtls: {mode: UNSET}}", null),
            new Case(PA, "{mtls: {mode: DISABLE}}", null),
            new Case(PA, "{mtls: {mode: PERMISSIVE}}", null),
            new Case(PA, "{mtls: {mode: STRICT}}", null),
            new Case(AP, "{action: DENY, rules: [{}]}", null),
            new Case(AP, "{action: AUDIT, rules: [{}]}", null),
            new Case(TM, "{tracing: [{randomSamplingPercentage: \"10\"}]}", null),
            new Case(TM, "{metrics: [{overrides: [{match: {mode: CLIENT}}]}]}", null),
            new Case(TM, "{accessLogging: [{match: {mode: SERVER}}]}", null));

    @TempDir
    Path dir;

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private static List<String> meshform(Case c) {
        SpecChecker checker = new SpecChecker();
        IstioSpecSchema.istio().check(c.kind(), YAML.readTree(c.spec()), checker);
        List<String> out = new ArrayList<>();
        for (FieldProblem p : checker.problems()) {
            assertTrue(p.atValue(), "shown at the value: " + p);
            out.add(p.path() + ": " + p.message());
        }
        return out;
    }

    /** Which cases the real istioctl refuses: all in one file, one object per case, named case-N. */
    private Map<Integer, Boolean> istioctlRefuses() throws IOException, InterruptedException {
        StringBuilder file = new StringBuilder();
        for (int i = 0; i < CASES.size(); i++) {
            Case c = CASES.get(i);
            String group = c.kind().equals(TM) ? "telemetry.istio.io" : "security.istio.io";
            file.append("---\napiVersion: ").append(group).append("/v1\nkind: ").append(c.kind())
                    .append("\nmetadata: {name: case-").append(i).append(", namespace: foo}\nspec: ").append(c.spec()).append('\n');
        }
        Path objects = Files.writeString(dir.resolve("cases.yaml"), file);
        Process p = new ProcessBuilder(Testbed.istioctl().toString(), "validate", "-f", objects.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Map<Integer, Boolean> refused = new LinkedHashMap<>();
        for (int i = 0; i < CASES.size(); i++) {
            refused.put(i, out.contains("/foo/case-" + i + ":"));
        }
        return refused;
    }

    @Test
    void meshformRefusesExactlyWhatItSaysAndIstioctlAgrees() throws IOException, InterruptedException {
        Map<Integer, Boolean> istioctl = istioctlRefuses();
        for (int i = 0; i < CASES.size(); i++) {
            Case c = CASES.get(i);
            List<String> found = meshform(c);
            assertEquals(c.problem() == null ? List.of() : List.of(c.problem()), found, c.kind() + " " + c.spec());
            assertEquals(c.problem() != null, istioctl.get(i), "istioctl on " + c.kind() + " " + c.spec());
        }
    }

    @Test
    void everyEnumValueOfIstiosSchemaIsAccepted() {
        // Each allowed value, wherever an enum is, passes: the list comes from the schema itself.
        JsonNode mode = YAML.readTree("{mtls: {mode: PERMISSIVE}, portLevelMtls: {\"1\": {mode: DISABLE}}}");
        SpecChecker c = new SpecChecker();
        IstioSpecSchema.istio().check(PA, mode, c);
        assertEquals(List.of(), c.problems());
    }

    @Test
    void aCloseValueIsSuggestedAndCaseIsNamed() {
        SpecChecker c = new SpecChecker();
        IstioSpecSchema.istio().check(PA, YAML.readTree("{mtls: {mode: strict}}"), c);
        assertEquals("did you mean `STRICT`? (Istio's values are case-sensitive)", c.problems().get(0).hint());
        SpecChecker m = new SpecChecker();
        IstioSpecSchema.istio().check(PA, YAML.readTree("{mtls: STRICT}"), m);
        assertEquals("did you mean `mtls: {mode: STRICT}`?", m.problems().get(0).hint());
        SpecChecker far = new SpecChecker();
        IstioSpecSchema.istio().check(AP, YAML.readTree("{action: PERMIT}"), far);
        assertEquals("use one of the values above; istioctl validate refuses any other", far.problems().get(0).hint());
    }

    @Test
    void fieldsTheSchemaDoesNotKnowAreLeftToTheFieldCheck() {
        // A typed resource's spec carries namespace, name, force and coverage beside Istio's fields.
        SpecChecker c = new SpecChecker();
        IstioSpecSchema.istio().check(PA, YAML.readTree("{namespace: foo, name: x, force: true, mtlz: {mode: X}}"), c);
        assertEquals(List.of(), c.problems());
    }
}

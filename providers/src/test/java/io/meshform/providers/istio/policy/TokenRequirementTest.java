package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The words of {@link TokenRequirement}'s verdict for ALLOW policies, as istiod builds them. */
class TokenRequirementTest {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private static AuthzPolicy policy(String name, String spec) {
        return AuthzPolicy.of(YAML.readTree("metadata: {namespace: shop, name: " + name + "}\nspec: " + spec));
    }

    /**
     * An ALLOW policy without rules becomes rbacPolicyMatchNever (pilot/pkg/security/authz/builder/builder.go): it
     * allows no request, with a token or without, so a token is "required" only in the sense that nothing gets in.
     */
    @Test
    void anAllowPolicyWithoutRulesIsSaidToAllowNothingNotToRequireAToken() {
        TokenRequirement t = TokenRequirement.of(List.of(policy("allow-nothing", "{action: ALLOW}")), List.of());
        assertEquals(TokenRequirement.Verdict.REQUIRED, t.verdict());
        assertEquals(List.of("the ALLOW policy shop/allow-nothing has no rules, so it allows no request at all (those"
                + " without a token are refused too)"), t.coveredBy());
    }

    @Test
    void anEmptyAllowBesideOneThatRequiresATokenIsNamedApart() {
        TokenRequirement t = TokenRequirement.of(List.of(policy("allow-nothing", "{action: ALLOW}"),
                policy("require-jwt", "{rules: [{from: [{source: {requestPrincipals: ['*']}}]}]}")), List.of());
        assertEquals(TokenRequirement.Verdict.REQUIRED, t.verdict());
        assertEquals(List.of("every rule of the ALLOW policy shop/require-jwt requires a token, and the ALLOW policy"
                + " shop/allow-nothing has no rules, so it allows no request at all"), t.coveredBy());
    }

    /**
     * istiod enables the ext_authz filter only for requests a CUSTOM rule matches (builder.go buildHTTP, extauthz.go
     * generateFilterMatcherForProvider): a CUSTOM rule on /admin/* leaves a request without a token to / to the
     * backend, so it is no token requirement for the workload.
     */
    @Test
    void aCustomRuleOnSomePathsRequiresATokenOnlyThere() {
        TokenRequirement t = TokenRequirement.of(List.of(policy("ext", "{action: CUSTOM, provider: {name: auth},"
                + " rules: [{to: [{operation: {paths: ['/admin/*']}}]}]}")), List.of());
        assertEquals(TokenRequirement.Verdict.PARTLY, t.verdict());
        assertEquals(List.of("CUSTOM shop/ext rule 0 sends a request without a token to the auth proxy auth only to paths"
                + " [/admin/*]"), t.gaps());
    }

    @Test
    void aCustomRuleOnAllButSomePathsCoversAndNamesTheExceptions() {
        TokenRequirement t = TokenRequirement.of(List.of(policy("ext", "{action: CUSTOM, provider: {name: auth},"
                + " rules: [{to: [{operation: {paths: ['/admin/*']}}]}, {to: [{operation: {notPaths: ['/healthz']}}]}]}")),
                List.of());
        assertEquals(TokenRequirement.Verdict.REQUIRED, t.verdict());
        assertEquals(List.of("CUSTOM shop/ext sends requests to the auth proxy auth (all but notPaths [/healthz])"),
                t.coveredBy());
        assertEquals(List.of(), t.gaps());
    }

    @Test
    void aCustomRuleOnAHeaderRequiresATokenOnlyWhenTheHeaderHolds() {
        TokenRequirement t = TokenRequirement.of(List.of(policy("ext", "{action: CUSTOM, provider: {name: auth},"
                + " rules: [{when: [{key: 'request.headers[x-login]', values: ['yes']}]}]}")), List.of());
        assertEquals(TokenRequirement.Verdict.PARTLY, t.verdict());
        assertEquals(List.of("CUSTOM shop/ext rule 0 sends a request without a token to the auth proxy auth only when"
                + " request.headers[x-login] [yes]"), t.gaps());
    }
}

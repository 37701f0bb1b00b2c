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
}

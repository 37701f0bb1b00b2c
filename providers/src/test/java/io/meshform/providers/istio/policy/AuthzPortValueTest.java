package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A {@code ports} value is a number to istiod ({@code convertToPort}, pilot/pkg/security/authz/model/util.go), so one
 * written with a leading zero, which its validation accepts, matches the port it names (AuthzPortValueIT: the test
 * bed's istiod builds {@code destination_port: 8080} from "08080").
 */
class AuthzPortValueTest {

    @Test
    void aPortWithALeadingZeroIsThePortItNames() {
        AuthzPolicy p = AuthzPolicy.of(new YAMLMapper().readTree("""
                metadata: {namespace: shop, name: deny-admin-port}
                spec:
                  action: DENY
                  rules: [{to: [{operation: {ports: ["08080"]}}]}]
                """));
        assertNotNull(p.match("GET", "shop.example.com", "/", 8080, false), "ports [\"08080\"] denies port 8080");
        assertNull(p.match("GET", "shop.example.com", "/", 8081, false));
        assertEquals(Integer.valueOf(8080), AuthzPolicy.Operation.port("0008080"));
        assertNull(AuthzPolicy.Operation.port("65536"), "beyond 65535: refused by istiod");
        assertNull(AuthzPolicy.Operation.port("+80"), "strconv.ParseUint takes no sign");
        assertEquals(Integer.valueOf(0), AuthzPolicy.Operation.port("0"));
    }
}

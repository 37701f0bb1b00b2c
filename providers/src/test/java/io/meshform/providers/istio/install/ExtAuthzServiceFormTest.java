package io.meshform.providers.istio.install;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The provider service forms istiod accepts and refuses ({@code validateExtensionProviderService},
 * pkg/config/validation/agent/extensionprovider.go, Istio 1.30.3). The refused ones were checked with that function
 * itself, built from Istio's module: "short names (non FQDN) are not allowed", "domain name ... invalid", "not a valid IP".
 */
class ExtAuthzServiceFormTest {

    @Test
    void formsIstiodAccepts() {
        for (String ok : new String[] {"cortex-auth-proxy.cortex.svc.cluster.local", "cortex/cortex-auth-proxy.cortex.svc.cluster.local",
                "*/auth.example.com", "./auth.example.com", "cortex/*.example.com", "cortex/*", "Cortex/Auth.Example.com",
                "10.0.0.1", "fd00::1", "auth.example.com."}) {
            assertNull(ExtAuthzRules.serviceProblem(ok), ok);
        }
    }

    @Test
    void formsIstiodRefuses() {
        String shortName = ExtAuthzRules.serviceProblem("cortex/cortex-auth-proxy");
        assertNotNull(shortName);
        assertTrue(shortName.contains("short names (non FQDN) are not allowed"), shortName);
        assertTrue(shortName.contains("cortex/cortex-auth-proxy.cortex.svc.cluster.local"), shortName);
        for (String bad : new String[] {"cortex/Bad_Host.example.com", "999.1.1.1", "010.0.0.1", "cortex/a*.example.com",
                "cortex/*foo.example.com", "cortex/", "/auth.example.com", "bad ns/auth.example.com", "a/b/c.example.com",
                "auth_proxy.example.com", "1.2.3"}) {
            assertNotNull(ExtAuthzRules.serviceProblem(bad), bad);
        }
    }
}

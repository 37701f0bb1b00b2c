package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Credentials a kubeconfig puts in its server URL never reach a message or a debug line (audit A, L1). */
class SafeUrlsTest {
    @Test
    void aServerUrlLosesUserinfoQueryAndFragment() {
        assertEquals("https://127.0.0.1:6443/", SafeUrls.server("https://admin:hunter2PW@127.0.0.1:6443/?access_token=QSECRETQ"));
        assertEquals("https://h/prefix", SafeUrls.server("https://tok@h/prefix#x?y"));
        assertEquals("https://h:1", SafeUrls.server("https://h:1"));
    }

    @Test
    void requestQueriesKeepOnlyTheApiParametersValues() {
        assertEquals("dryRun=All&fieldManager=meshform&access_token=(hidden)",
                SafeUrls.query("dryRun=All&fieldManager=meshform&access_token=QSECRETQ"));
        assertEquals("access_token=(hidden)", SafeUrls.query("access_token=QSECRETQ/api/v1/namespaces"));
        assertEquals("(hidden)&watch=true", SafeUrls.query("QSECRETQ&watch=true"));
    }

    @Test
    void urlsInMessagesAreScrubbed() {
        assertEquals("Failure executing: GET at: https://127.0.0.1:1/api/v1/namespaces?access_token=(hidden)&limit=5. Message: x",
                SafeUrls.scrub("Failure executing: GET at: https://admin:pw@127.0.0.1:1/api/v1/namespaces?access_token=QSECRETQ&limit=5."
                        + " Message: x"));
        assertEquals("Post \"https://istiod.istio-system.svc:443/validate?timeout=10s\": EOF",
                SafeUrls.scrub("Post \"https://istiod.istio-system.svc:443/validate?timeout=10s\": EOF"));
    }
}

package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The models judge each proxy by the config objects its own istiod reads ({@link ConfigRevision#readBy}:
 * {@code LabelsInRevision}, pkg/config/model.go, Istio 1.30.3, with the istiod's revision).
 */
class ConfigRevisionModelTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static PeerPolicy wide(String ns, String name, Instant created, MtlsMode mode, String revision) {
        return new PeerPolicy(ns, name, created, Map.of(), mode, new TreeMap<>(), null, revision);
    }

    @Test
    void theRuleIsLabelsInRevision() {
        assertTrue(ConfigRevision.readBy(null, "canary"), "an unlabelled object is global");
        assertTrue(ConfigRevision.readBy("canary", "canary"));
        assertFalse(ConfigRevision.readBy("canary", "default"));
        assertTrue(ConfigRevision.readBy("canary", null), "a proxy whose revision is not known: every object counts");
    }

    /**
     * Each istiod keeps the oldest selector-less policy of a namespace among those it reads: an older STRICT labelled
     * canary shadows a newer DISABLE for canary's pods only; default's istiod never sees it and keeps the DISABLE.
     */
    @Test
    void eachRevisionComposesThePoliciesItReads() {
        PeerAuthentications peers = new PeerAuthentications("istio-system", List.of(
                wide("shop", "strict", T0, MtlsMode.STRICT, "canary"), wide("shop", "open", T0.plusSeconds(60), MtlsMode.DISABLE, null)));
        assertEquals(MtlsMode.STRICT, peers.servedBy("canary").effective("shop", Map.of()).mode());
        assertEquals(1, peers.servedBy("canary").shadowed().size());
        assertEquals(MtlsMode.DISABLE, peers.servedBy("default").effective("shop", Map.of()).mode());
        assertEquals(Map.of(), peers.servedBy("default").shadowed());
        assertEquals(MtlsMode.DISABLE, peers.effective(new ReachPod("shop", "a-0", "a", Map.of(), true, false, false, List.of())
                .withRevision("default")).mode());
        assertSame(peers, peers.servedBy(null), "not known: the whole mesh");
        PeerAuthentications unlabelled = new PeerAuthentications("istio-system", List.of(wide("shop", "s", T0, MtlsMode.STRICT, null)));
        assertSame(unlabelled, unlabelled.servedBy("canary"), "nothing labelled: one model for every revision");
    }

    @Test
    void anAuthorizationPolicyAttachesToTheProxiesOfTheRevisionThatReadsIt() {
        AuthzPolicy p = new AuthzPolicy("shop", "deny", "DENY", null, Map.of("app", "api"), List.of(), false, List.of(), "canary");
        Map<String, String> api = Map.of("app", "api");
        assertTrue(PolicyAttachment.attaches(p, "shop", api, "canary", "istio-system"));
        assertFalse(PolicyAttachment.attaches(p, "shop", api, "default", "istio-system"));
        assertTrue(PolicyAttachment.attaches(p, "shop", api, null, "istio-system"));
        assertEquals("canary", AuthzPolicy.of(tools.jackson.databind.json.JsonMapper.builder().build().readTree(
                "{\"metadata\": {\"namespace\": \"shop\", \"name\": \"x\", \"labels\": {\"istio.io/rev\": \"canary\"}}, \"spec\": {}}"))
                .revision());
    }

    /**
     * A server's pods get a key per revision (a workload half moved to the canary is configured by two istiods); the
     * same pods in another state, served by no revision yet (their sidecar comes with the plan), are still found.
     */
    @Test
    void aServerIsFoundAcrossStatesWhateverRevisionServesIt() {
        ReachPod bare = new ReachPod("shop", "api-0", "api", Map.of("app", "api"), false, false, false, List.of(new ReachPod.Port(8080, null)));
        ReachPod meshed = bare.withSidecar(true).withRevision("canary");
        MeshState before = new MeshState("istio-system", true, List.of("*"), MeshState.DEFAULT_DOMAIN, List.of(bare), List.of(),
                List.of(), List.of(), List.of());
        MeshState after = new MeshState("istio-system", true, List.of("*"), MeshState.DEFAULT_DOMAIN, List.of(meshed), List.of(),
                List.of(wide("istio-system", "default", T0, MtlsMode.STRICT, "canary")), List.of(), List.of());
        Reachability was = new Reachability(before);
        Reachability now = new Reachability(after);
        String key = now.servers().keySet().iterator().next();
        assertFalse(was.servers().containsKey(key));
        assertNotNull(was.server(key));
        assertEquals(MtlsMode.STRICT, now.servers().get(key).mtls().mode());
        assertEquals(MtlsMode.PERMISSIVE, new Reachability(new MeshState("istio-system", true, List.of("*"), MeshState.DEFAULT_DOMAIN,
                List.of(bare.withSidecar(true).withRevision("default")), List.of(), after.peers(), List.of(), List.of()))
                .servers().values().iterator().next().mtls().mode());
    }
}

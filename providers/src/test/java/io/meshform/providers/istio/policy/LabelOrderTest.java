package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Labels and selectors of the mesh model iterate in key order, whatever order they came in: a message prints a
 * policy's selector ("for workloads {app=..., tier=...}"), and the reachability model walks a pod's labels to find
 * its Services. With {@code Map.copyOf}, whose order is randomised per JVM, two identical plans differed.
 */
class LabelOrderTest {

    private static Map<String, String> shuffled(long seed) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            keys.add("label-" + (char) ('a' + i));
        }
        Collections.shuffle(keys, new Random(seed));
        Map<String, String> m = new LinkedHashMap<>();
        keys.forEach(k -> m.put(k, "v-" + k));
        return m;
    }

    @Test
    void selectorsAndLabelsIterateInKeyOrder() {
        for (long seed = 0; seed < 5; seed++) {
            Map<String, String> given = shuffled(seed);
            String sorted = new TreeMap<>(given).toString();
            PeerPolicy peer = new PeerPolicy("ns", "p", null, given, MtlsMode.STRICT, new TreeMap<>(), null);
            assertEquals(sorted, peer.selector().toString(), "PeerPolicy, seed " + seed);
            ReachPod pod = new ReachPod("ns", "w-0", "w", given, true, false, false, List.of());
            assertEquals(sorted, pod.labels().toString(), "ReachPod, seed " + seed);
            ReachService svc = new ReachService("ns", "s", given, false, List.of(), null);
            assertEquals(sorted, svc.selector().toString(), "ReachService, seed " + seed);
            assertEquals(sorted, new OutsideCaller.Target("ns", given, List.of()).selector().toString(), "caller, seed " + seed);
            assertEquals(sorted, new ClientTls.Client("ns", given, true, false, null).labels().toString(), "client, seed " + seed);
        }
    }

    @Test
    void theCopiesStillRefuseNullsAndChanges() {
        Map<String, String> withNull = new LinkedHashMap<>();
        withNull.put("app", null);
        assertThrows(NullPointerException.class, () -> new ReachPod("ns", "w-0", "w", withNull, true, false, false, List.of()));
        PeerPolicy peer = new PeerPolicy("ns", "p", null, Map.of("app", "x"), MtlsMode.STRICT, new TreeMap<>(), null);
        assertThrows(UnsupportedOperationException.class, () -> peer.selector().put("b", "y"));
    }
}

package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.kubernetes.Json;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import io.meshform.testkit.Testbed;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The real {@code istioctl analyze} as a plan runs it, against the live cluster. */
@LiveClusterTest
class AnalyzeRunIT {

    /**
     * An object analyze cannot read is skipped with a warning that Istio logs to stdout ahead of the JSON; meshform
     * reported "istioctl analyze did not run: istioctl analyze exited 0" instead of the analysis and the object.
     */
    @Test
    void anObjectAnalyzeCannotReadIsNamedAndTheRestIsAnalyzed(ClusterContext cluster) {
        JsonNode bad = Json.MAPPER.readTree("""
                {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
                 "metadata": {"name": "default", "namespace": "analyze-run-it"}, "spec": {"mtls": {"mode": "STRIKT"}}}
                """);
        Istioctl istioctl = new Istioctl(Testbed.istioctl().toString(), "the test bed", cluster.kubeconfigPath().toString(), null);
        try (ObjectFiles files = ObjectFiles.write(istioctl.runDirectory(), List.of(bad))) {
            AnalyzeRun.Result r = AnalyzeRun.run(istioctl, files, Optional.empty(), null);
            assertNull(r.failure(), "analyze ran: " + r.failure());
            assertEquals(1, r.unreadable().size(), r.unreadable().toString());
            assertTrue(r.unreadable().get(0).contains("STRIKT"), r.unreadable().toString());
        }
    }
}

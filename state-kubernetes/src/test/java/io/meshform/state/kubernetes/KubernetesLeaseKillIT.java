package io.meshform.state.kubernetes;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.state.LockHandle;
import io.meshform.state.LockInfo;
import io.meshform.state.StateLockedException;
import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A runner holding the Kubernetes state lock is killed with SIGKILL on this host: the next run sees that the holder
 * (and any child it recorded) is gone and takes the lock at once, without waiting out the lease.
 */
@LiveClusterTest
class KubernetesLeaseKillIT {
    private static final int LEASE_SECONDS = 30;

    @Test
    void theLockOfAHolderKilledOnThisHostIsTakenAtOnce(ClusterContext cluster) throws Exception {
        String namespace = cluster.newNamespace();
        Process holder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LeaseHolder.class.getName(),
                cluster.kubeconfigPath().toString(), namespace, "killed", Integer.toString(LEASE_SECONDS)))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("LOCKED"));
            assertTrue(line != null, "the holder took the lock");

            KubernetesStateBackend other = new KubernetesStateBackend(cluster.client(), namespace, "killed",
                    Duration.ofSeconds(LEASE_SECONDS));
            StateLockedException held = assertThrows(StateLockedException.class,
                    () -> other.lock(LockInfo.forOperation("plan"), Duration.ZERO));
            assertTrue(held.getMessage().contains("pid " + holder.pid()), held.getMessage());

            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long killedAt = System.nanoTime();
            try (LockHandle mine = other.lock(LockInfo.forOperation("plan"), Duration.ZERO)) {
                long waited = (System.nanoTime() - killedAt) / 1_000_000;
                assertTrue(waited <= 2_000, "took the lock " + waited + " ms after the kill, not at once");
            }
        } finally {
            holder.destroyForcibly();
        }
    }
}

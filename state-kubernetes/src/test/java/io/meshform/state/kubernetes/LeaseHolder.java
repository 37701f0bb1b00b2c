package io.meshform.state.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshform.state.LockHandle;
import io.meshform.state.LockInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A child process for KubernetesLeaseKillIT: takes the Kubernetes state lock, says so, and holds it (renewing)
 * until it is killed. Arguments: kubeconfig, namespace, state name, lease seconds.
 */
public final class LeaseHolder {
    private LeaseHolder() {
    }

    public static void main(String[] args) throws Exception {
        Config config = Config.fromKubeconfig(Files.readString(Path.of(args[0])));
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        KubernetesStateBackend backend = new KubernetesStateBackend(client, args[1], args[2],
                Duration.ofSeconds(Long.parseLong(args[3])));
        LockHandle lock = backend.lock(LockInfo.forOperation("apply"), Duration.ZERO);
        System.out.println("LOCKED " + lock.id());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}

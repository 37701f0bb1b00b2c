package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.testkit.ClusterContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Removes the Istio that earlier tests left on the shared cluster ({@code istioctl uninstall --purge}) and returns
 * once it is gone, for tests that start without Istio.
 *
 * <p>istioctl returns as soon as it has asked for the deletes (Istio 1.30.3 operator/cmd/mesh/uninstall.go
 * {@code uninstall}): its objects go in the foreground (operator/pkg/uninstall/prune.go {@code DeleteResource}), so a
 * Deployment stays until the garbage collector has deleted its ReplicaSets and pods, and a CRD stays Terminating until
 * the API server has deleted every object of its kind. An {@code istioctl install} run meanwhile applies onto them:
 * the Deployment then vanishes under its readiness wait, and a CRD it applied while Terminating still reads Established
 * but vanishes afterwards, and the API server refuses new objects of its kind meanwhile ("create not allowed while
 * custom resource definition is terminating"). On a loaded CI host that takes seconds.
 */
public final class NoIstio {
    /** How long the deletes may take: generous for a loaded CI host. */
    static final Duration GONE_WITHIN = Duration.ofSeconds(180);
    private static final String OWNED = "install.operator.istio.io/owning-resource";
    private static final String TERMINATING = " (terminating)";

    private NoIstio() {
    }

    /**
     * Uninstalls Istio with its CRDs when any of it is there and not already being deleted (an uninstall without
     * --purge, such as destroy's, leaves the CRDs), and waits until {@link #left} is empty.
     */
    public static void uninstall(ClusterContext cluster) throws IOException, InterruptedException {
        KubernetesClient client = cluster.client();
        if (client.apps().deployments().inNamespace("istio-system").withName("istiod").get() != null
                || left(client).stream().anyMatch(o -> !o.endsWith(TERMINATING))) {
            Process p = new ProcessBuilder(cluster.istioctl().toString(), "uninstall", "-y", "--purge",
                    "--kubeconfig", cluster.kubeconfigPath().toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(3, TimeUnit.MINUTES) && p.exitValue() == 0, "istioctl uninstall failed:\n" + out);
        }
        awaitGone(client);
    }

    /** Waits until nothing of an install is left ({@link #left}); fails naming what is, after {@link #GONE_WITHIN}. */
    public static void awaitGone(KubernetesClient client) throws InterruptedException {
        long deadline = System.nanoTime() + GONE_WITHIN.toNanos();
        List<String> left = left(client);
        while (!left.isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("istioctl uninstall --purge deleted Istio, but after " + GONE_WITHIN.toSeconds()
                        + " s these are still there (being deleted: a finalizer or the garbage collector holds them;"
                        + " see kubectl get): " + String.join(", ", left));
            }
            Thread.sleep(250);
            left = left(client);
        }
    }

    /**
     * What of an install is still there: Istio's CRDs (group {@code *.istio.io}, which --purge deletes) and the objects
     * in istio-system and the webhook configurations that carry the install's label.
     */
    static List<String> left(KubernetesClient client) {
        List<String> left = new ArrayList<>();
        client.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
                .filter(c -> c.getSpec().getGroup().endsWith("istio.io"))
                .forEach(c -> left.add(describe("CustomResourceDefinition", c)));
        Stream.of(client.apps().deployments().inNamespace("istio-system").withLabel(OWNED).list().getItems(),
                        client.services().inNamespace("istio-system").withLabel(OWNED).list().getItems(),
                        client.configMaps().inNamespace("istio-system").withLabel(OWNED).list().getItems(),
                        client.serviceAccounts().inNamespace("istio-system").withLabel(OWNED).list().getItems(),
                        client.admissionRegistration().v1().mutatingWebhookConfigurations().withLabel(OWNED).list().getItems(),
                        client.admissionRegistration().v1().validatingWebhookConfigurations().withLabel(OWNED).list().getItems())
                .flatMap(List::stream)
                .forEach(o -> left.add(describe(o.getKind() == null ? o.getClass().getSimpleName() : o.getKind(), o)));
        return left;
    }

    private static String describe(String kind, HasMetadata o) {
        return kind + " " + (o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace() + "/")
                + o.getMetadata().getName() + (o.getMetadata().getDeletionTimestamp() == null ? "" : TERMINATING);
    }
}

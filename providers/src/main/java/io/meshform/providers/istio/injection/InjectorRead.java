package io.meshform.providers.istio.injection;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.spi.StackContext;
import io.meshform.providers.kubernetes.RawReads;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * The cluster's injectors as one run read them ({@link Injectors}), and why they could not be read when the LIST of
 * MutatingWebhookConfigurations was refused or failed. Every {@code kubernetes.labels} or {@code kubernetes.namespace}
 * plan whose injection labels change, and the mesh checks, ask the same question; {@link #once} answers them all from
 * one LIST and one GET per revision's ConfigMap, kept in the run's {@link StackContext} (a plan's, an apply's or a
 * drift's), which the engine also hands the checks ({@code CheckContext.run}). It dies with that context: an apply
 * reads again after its own changes, since the apply's plan and the apply are two runs with a context each.
 *
 * <p>Within an apply, the first restart after a labels change reads the webhooks and the later ones use that read:
 * every install of the stack is applied before any injection label ({@code InstallFirst}), so the read follows every
 * install the apply makes. A {@code kubernetes.manifest} of the same apply that writes what the read holds (a
 * MutatingWebhookConfiguration: an injector or a revision tag, Istio's
 * manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml and revision-tags-mwc.yaml; or an
 * injector's {@code istio-sidecar-injector[-REV]} ConfigMap, istiod-injector-configmap.yaml, Istio 1.30.3) makes it
 * stale ({@link #staleAfter}): the next restart reads again, and such a manifest comes before the injection labels of
 * a {@code kubernetes.labels} ({@code InstallFirst}).
 *
 * @param injectors what was read; {@link Injectors#UNKNOWN} when the LIST was refused or failed
 * @param refused   why the LIST was refused or failed ("forbidden (HTTP 403)"), or null when it answered (a 404, an API
 *                  the server does not serve, is an answer: no injector)
 */
public record InjectorRead(Injectors injectors, String refused) {
    /** What the webhooks are, for the checks' list of what they could not read. */
    public static final String WEBHOOKS = "mutatingwebhookconfigurations.admissionregistration.k8s.io";

    /**
     * The run's read: the first caller reads, the others (concurrent ones wait) take its answer, until a step of the run
     * writes an object the read is made of ({@link #staleAfter}).
     */
    public static InjectorRead once(StackContext run, Supplier<KubernetesClient> client) {
        return run.memo(InjectorRead.class, InjectorRead::staleAfter, () -> of(client.get()));
    }

    /**
     * Whether writing {@code w} changes what a read holds: any MutatingWebhookConfiguration (the LIST's label selector
     * is the server's to apply, and a manifest may add the label), or a ConfigMap named as an injector's.
     */
    static boolean staleAfter(StackContext.Written w) {
        return w.kind().equals("MutatingWebhookConfiguration") && w.group().equals("admissionregistration.k8s.io")
                || w.kind().equals("ConfigMap") && w.group().isEmpty() && w.name() != null
                && (w.name().equals(InjectorConfigMap.NAME) || w.name().startsWith(InjectorConfigMap.NAME + "-"));
    }

    /**
     * One LIST of the injector webhooks, with the selector istioctl uses, then one GET per revision they call of its
     * {@link InjectorConfigMap}, in the namespace of the Service its webhooks call.
     */
    public static InjectorRead of(KubernetesClient client) {
        List<JsonNode> items = new ArrayList<>();
        try {
            JsonNode answer = RawReads.get(client, Injectors.WEBHOOKS + "?labelSelector=istio.io%2Frev");
            if (answer == null) {
                // a server that does not serve the admission API (a test double) says nothing of injectors
                return new InjectorRead(Injectors.UNKNOWN, null);
            }
            answer.path("items").forEach(items::add);
        } catch (KubernetesClientException e) {
            return new InjectorRead(Injectors.UNKNOWN, InjectorConfigMap.refusal(e));
        }
        Injectors out = Injectors.ofConfigurations(items);
        Map<String, InjectorConfigMap> read = new TreeMap<>();
        Injectors.istiodNamespaces(items).forEach((rev, ns) -> read.put(rev, InjectorConfigMap.read(client, ns.orElse(null), rev)));
        return new InjectorRead(out.withLivePolicies(read), null);
    }

    /**
     * A plan note when the webhooks could not be read: which revision the labels select is then taken to be the one
     * they name, installed or not, and nothing is said of a missing revision.
     */
    public Optional<String> note(String namespace) {
        if (refused == null) {
            return Optional.empty();
        }
        return Optional.of("the injector webhooks (" + WEBHOOKS + ") could not be read: " + refused + "; namespace "
                + namespace + "'s injection is taken to be by the revision its labels name, whether or not it is installed,"
                + " and its injector policy to be Istio's default; grant list on mutatingwebhookconfigurations to have them"
                + " read");
    }
}

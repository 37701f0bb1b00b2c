package io.meshform.providers.istio.injection;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.RawReads;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * The sidecar injectors installed in the cluster, read the way istioctl reads them (istioctl/pkg/tag/util.go, Istio
 * 1.30.3): every MutatingWebhookConfiguration labelled {@code istio.io/rev} is an injector; one that also carries
 * {@code istio.io/tag} is a revision tag whose webhooks call the istiod of the revision its {@code istio.io/rev} names
 * ({@code GetWebhookRevision}), one without it is the revision's own ({@code GetWebhooksWithRevision}). A namespace's
 * {@code istio.io/rev} value, or "default" for {@code istio-injection=enabled}, selects the webhooks of the tag or
 * revision of that name; when a {@code default} tag exists, {@code istioctl tag set default} has made the default
 * revision's own istio-injection webhooks never match ({@code DeactivateIstioInjectionWebhook}), so a tag wins over a
 * revision of the same name. A name no webhook answers to injects nothing: no webhook selects the namespace.
 *
 * @param revisions the revisions whose own injector webhooks are installed
 * @param tags      the revision each installed tag points at
 * @param known          false when the webhooks could not be read: every name then counts as installed, as before
 */
public record Injectors(java.util.SortedSet<String> revisions, Map<String, String> tags, boolean known) {
    public static final String TAG_LABEL = "istio.io/tag";
    static final String WEBHOOKS = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";
    /** Nothing read: names resolve to themselves, as meshform did before it read the webhooks. */
    public static final Injectors UNKNOWN = new Injectors(new java.util.TreeSet<>(), Map.of(), false);

    public Injectors {
        revisions = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(revisions));
        tags = java.util.Collections.unmodifiableMap(new TreeMap<>(tags));
    }

    /** From the labels of each MutatingWebhookConfiguration. */
    public static Injectors of(List<Map<String, String>> webhookLabels) {
        java.util.SortedSet<String> revisions = new java.util.TreeSet<>();
        Map<String, String> tags = new TreeMap<>();
        for (Map<String, String> labels : webhookLabels) {
            String rev = labels.get(Injection.REVISION_LABEL);
            if (rev == null || rev.isEmpty()) {
                continue;
            }
            String tag = labels.get(TAG_LABEL);
            if (tag != null && !tag.isEmpty()) {
                tags.put(tag, rev);
            } else {
                revisions.add(rev);
            }
        }
        return new Injectors(revisions, tags, true);
    }

    /**
     * One LIST of the injector webhooks, with the selector istioctl uses. A refusal (no RBAC to read webhooks) or a 404 gives
     * {@link #UNKNOWN}: meshform then says what it said before rather than claim a revision is missing.
     */
    public static Injectors read(KubernetesClient client) {
        try {
            JsonNode answer = RawReads.get(client, WEBHOOKS + "?labelSelector=istio.io%2Frev");
            if (answer == null) {
                return UNKNOWN; // a server that does not serve the admission API (a test double) says nothing of injectors
            }
            List<Map<String, String>> labels = new ArrayList<>();
            for (JsonNode w : answer.path("items")) {
                labels.add(Json.stringMap(w.path("metadata").get("labels")));
            }
            return of(labels);
        } catch (KubernetesClientException e) {
            return UNKNOWN;
        }
    }

    /** With the revisions the stack's own istio.install declares, which apply installs before pods need them. */
    public Injectors plus(List<String> declaredRevisions) {
        if (!known || declaredRevisions.isEmpty()) {
            return this;
        }
        java.util.SortedSet<String> out = new java.util.TreeSet<>(revisions);
        out.addAll(declaredRevisions);
        return new Injectors(out, tags, true);
    }

    /** The revision whose istiod injects for {@code name} (a revision or tag); empty when no webhook answers to it. */
    public Optional<String> resolve(String name) {
        if (!known) {
            return Optional.ofNullable(name);
        }
        if (tags.containsKey(name)) {
            return Optional.of(tags.get(name));
        }
        return revisions.contains(name) ? Optional.of(name) : Optional.empty();
    }

    /** What new pods get under these namespace labels: injection by the resolved revision, or none. */
    public Injection effective(Map<String, String> namespaceLabels) {
        Injection labelled = Injection.of(namespaceLabels);
        if (!labelled.enabled()) {
            return labelled;
        }
        return resolve(labelled.revision()).map(r -> new Injection(true, r)).orElse(Injection.OFF);
    }

    /** The revision or tag the labels name that no injector answers to. */
    public Optional<String> missing(Map<String, String> namespaceLabels) {
        Injection labelled = Injection.of(namespaceLabels);
        return labelled.enabled() && resolve(labelled.revision()).isEmpty() ? Optional.of(labelled.revision()) : Optional.empty();
    }

    /** "revisions r1; tags default -> r1, prod -> r1", or "none". */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (!revisions.isEmpty()) {
            parts.add("revision" + (revisions.size() == 1 ? " " : "s ") + String.join(", ", revisions));
        }
        if (!tags.isEmpty()) {
            parts.add("tag" + (tags.size() == 1 ? " " : "s ") + String.join(", ",
                    tags.entrySet().stream().map(e -> e.getKey() + " -> " + e.getValue()).toList()));
        }
        return parts.isEmpty() ? "none" : String.join("; ", parts);
    }

    /** How {@code name} reaches its revision, for a plan line: "tag prod points at revision r1", or "revision r1". */
    public String via(String name) {
        return tags.containsKey(name) ? "tag " + name + " points at revision " + tags.get(name) : "revision " + name;
    }
}

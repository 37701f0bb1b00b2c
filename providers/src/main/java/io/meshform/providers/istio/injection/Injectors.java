package io.meshform.providers.istio.injection;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.providers.kubernetes.Json;
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
 *
 * <p>An install with {@code values.sidecarInjectorWebhook.enableNamespacesByDefault: true} adds the webhook
 * {@code auto.sidecar-injector.istio.io} to the default revision's (or the default tag's) configuration
 * (mutatingwebhook.yaml and revision-tags-mwc.yaml, "Special case 3: no labels at all"): it injects every pod without
 * a {@code sidecar.istio.io/inject} or {@code istio.io/rev} label in every namespace with neither
 * {@code istio-injection} nor {@code istio.io/rev}, except kube-system, kube-public, kube-node-lease and
 * local-path-storage. {@code autoRevision} is the revision such an active webhook calls.
 *
 * <p>A webhook only sends the pod to istiod; istiod's injector then applies its own policy
 * ({@code injectRequired}, pkg/kube/inject/inject.go, called by the webhook in pkg/kube/inject/webhook.go): the
 * {@code policy} of the revision's {@code istio-sidecar-injector} ConfigMap, which the chart renders from
 * {@code values.global.proxy.autoInject} (istiod-injector-configmap.yaml; default {@code enabled}). {@code disabled}
 * injects only pods that ask with {@code sidecar.istio.io/inject: "true"} (label, else annotation); any other value is
 * "Illegal value for autoInject" and injects nothing. The same ConfigMap carries {@code neverInjectSelector} and
 * {@code alwaysInjectSelector} (from {@code values.sidecarInjectorWebhook}), which {@code injectRequired} applies to pods
 * without a {@code sidecar.istio.io/inject} of their own ({@link InjectorPolicy}). {@link #read} reads each webhook
 * revision's ConfigMap ({@link InjectorConfigMap}: what istiod itself reads, whoever installed or edited it);
 * {@link #plusInstalls} then puts the stack's render in place of it for the revisions the stack installs, as the plan
 * leaves them. {@code policies} holds each revision's where it is not the chart's default; {@code unreadPolicies} the
 * revisions whose ConfigMap could not be read and why: those count as the defaults, and {@link #assumed} says so.
 *
 * @param revisions    the revisions whose own injector webhooks are installed
 * @param tags         the revision each installed tag points at
 * @param known        false when the webhooks could not be read: every name then counts as installed, as before
 * @param autoRevision the revision whose istiod injects unlabelled namespaces, or null when no webhook does
 * @param policies     the injector's policy and selectors by revision, where not the chart's defaults
 * @param unreadPolicies why the policy of a revision could not be read, by revision (it counts as the defaults)
 */
public record Injectors(java.util.SortedSet<String> revisions, Map<String, String> tags, boolean known, String autoRevision,
                        Map<String, InjectorPolicy> policies, Map<String, String> unreadPolicies) {
    public static final String TAG_LABEL = "istio.io/tag";
    static final String WEBHOOKS = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";
    /** Nothing read: names resolve to themselves, as meshform did before it read the webhooks. */
    public static final Injectors UNKNOWN = new Injectors(new java.util.TreeSet<>(), Map.of(), false);
    /** The install's field that turns on the auto webhook, as a JSON pointer into an istio.install's spec. */
    public static final String NAMESPACES_BY_DEFAULT = "/values/sidecarInjectorWebhook/enableNamespacesByDefault";
    /** The install's field the chart renders as the injector's policy, as a JSON pointer into an istio.install's spec. */
    public static final String AUTO_INJECT = "/values/global/proxy/autoInject";
    /** The install's pod selectors the injector never injects, as a JSON pointer into an istio.install's spec. */
    public static final String NEVER_INJECT = "/values/sidecarInjectorWebhook/neverInjectSelector";
    /** The install's pod selectors the injector injects even under policy disabled. */
    public static final String ALWAYS_INJECT = "/values/sidecarInjectorWebhook/alwaysInjectSelector";
    /**
     * The install's fields {@link #plusInstalls} reads: a check that uses it reads them, and cannot judge an install
     * whose applied value of any of them is a sensitive value's digest (DigestGuard in the checks).
     */
    public static final java.util.Set<String> INSTALL_FIELDS = java.util.Set.of("/revision", NAMESPACES_BY_DEFAULT, AUTO_INJECT,
            NEVER_INJECT, ALWAYS_INJECT);
    /** The injector policy of an install that does not set {@link #AUTO_INJECT} (the chart's values.yaml). */
    public static final String POLICY_ENABLED = "enabled";
    /** The policy under which the injector injects only pods that ask ({@code InjectionPolicyDisabled}). */
    public static final String POLICY_DISABLED = "disabled";
    /** The webhook the chart adds for enableNamespacesByDefault. */
    static final String AUTO_WEBHOOK = "auto.sidecar-injector.istio.io";
    /** Namespaces the auto webhook's namespaceSelector leaves out, by kubernetes.io/metadata.name. */
    static final java.util.Set<String> AUTO_EXCLUDED = java.util.Set.of("kube-system", "kube-public", "kube-node-lease",
            "local-path-storage");
    static final String NAME_LABEL = "kubernetes.io/metadata.name";
    /** The label istioctl's NeverMatch selector sets on webhooks it deactivates (istioctl/pkg/util/common.go). */
    static final String DEACTIVATED = "istio.io/deactivated";

    public Injectors(java.util.SortedSet<String> revisions, Map<String, String> tags, boolean known) {
        this(revisions, tags, known, null);
    }

    public Injectors(java.util.SortedSet<String> revisions, Map<String, String> tags, boolean known, String autoRevision) {
        this(revisions, tags, known, autoRevision, Map.of());
    }

    public Injectors(java.util.SortedSet<String> revisions, Map<String, String> tags, boolean known, String autoRevision,
                     Map<String, InjectorPolicy> policies) {
        this(revisions, tags, known, autoRevision, policies, Map.of());
    }

    public Injectors {
        revisions = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(revisions));
        tags = java.util.Collections.unmodifiableMap(new TreeMap<>(tags));
        policies = java.util.Collections.unmodifiableMap(new TreeMap<>(policies));
        unreadPolicies = java.util.Collections.unmodifiableMap(new TreeMap<>(unreadPolicies));
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
     * One LIST of the injector webhooks, with the selector istioctl uses, then one GET per revision they call of its
     * {@link InjectorConfigMap} ({@link InjectorRead#of}). A refusal of the LIST (no RBAC to read webhooks) or a 404
     * gives {@link #UNKNOWN}: meshform then says what it said before rather than claim a revision is missing;
     * {@link InjectorRead} says why, and a run shares one read ({@link InjectorRead#once}). A ConfigMap that cannot be
     * read leaves its revision in {@link #unreadPolicies}.
     */
    public static Injectors read(KubernetesClient client) {
        return InjectorRead.of(client).injectors();
    }

    /**
     * The namespace of the istiod each revision's webhooks (its own and its tags') call: their
     * {@code clientConfig.service.namespace}, empty when they call a URL instead.
     */
    static Map<String, Optional<String>> istiodNamespaces(List<JsonNode> configurations) {
        Map<String, Optional<String>> out = new TreeMap<>();
        for (JsonNode w : configurations) {
            String rev = Json.stringMap(w.path("metadata").get("labels")).get(Injection.REVISION_LABEL);
            if (rev == null || rev.isEmpty()) {
                continue;
            }
            for (JsonNode hook : w.path("webhooks")) {
                String ns = Json.text(hook.path("clientConfig").path("service"), "namespace");
                if (ns != null || !out.containsKey(rev)) {
                    out.put(rev, Optional.ofNullable(ns));
                }
                if (ns != null) {
                    break;
                }
            }
        }
        return out;
    }

    /** With the policies read from each revision's ConfigMap; one that could not be read counts as the defaults. */
    public Injectors withLivePolicies(Map<String, InjectorConfigMap> configMaps) {
        Map<String, InjectorPolicy> p = new TreeMap<>(policies);
        Map<String, String> unread = new TreeMap<>(unreadPolicies);
        configMaps.forEach((rev, cm) -> {
            p.remove(rev);
            unread.remove(rev);
            if (cm.unread() != null) {
                unread.put(rev, cm.unread());
            } else if (!cm.policy().equals(InjectorPolicy.DEFAULT)) {
                p.put(rev, cm.policy());
            }
        });
        return new Injectors(revisions, tags, known, autoRevision, p, unread);
    }

    /**
     * The revisions serving any of these namespaces (by their labels, or as the auto webhook's) whose policy could not
     * be read, each with why: what the model says of their pods assumes Istio's defaults.
     */
    public Map<String, String> assumed(java.util.Collection<Map<String, String>> namespaceLabels) {
        Map<String, String> out = new TreeMap<>();
        for (Map<String, String> labels : namespaceLabels) {
            Injection i = effective(labels);
            if (i.enabled() && unreadPolicies.containsKey(i.revision())) {
                out.put(i.revision(), unreadPolicies.get(i.revision()));
            }
        }
        return out;
    }

    /** A sentence for a plan: which revisions' injector policies were assumed, and why; empty when none. */
    public static Optional<String> assumedNote(Map<String, String> assumed) {
        if (assumed.isEmpty()) {
            return Optional.empty();
        }
        List<String> why = assumed.entrySet().stream().map(e -> "revision " + e.getKey() + ": " + e.getValue()).toList();
        return Optional.of("the injector policy of " + (assumed.size() == 1 ? "revision " : "revisions ")
                + String.join(", ", assumed.keySet()) + " could not be read (" + String.join("; ", why) + "), so which pods"
                + " get a sidecar assumes Istio's defaults (policy enabled, no neverInjectSelector or alwaysInjectSelector)"
                + " and may be wrong; grant get on ConfigMaps in the istiod namespace, or install the revision from this stack");
    }

    /** From the MutatingWebhookConfigurations themselves: their labels, and whether one holds an active auto webhook. */
    public static Injectors ofConfigurations(List<JsonNode> configurations) {
        List<Map<String, String>> labels = new ArrayList<>();
        String auto = null;
        for (JsonNode w : configurations) {
            Map<String, String> l = Json.stringMap(w.path("metadata").get("labels"));
            labels.add(l);
            for (JsonNode hook : w.path("webhooks")) {
                if (AUTO_WEBHOOK.equals(Json.text(hook, "name"))
                        && !hook.path("namespaceSelector").path("matchLabels").has(DEACTIVATED) && auto == null) {
                    auto = l.get(Injection.REVISION_LABEL);
                }
            }
        }
        return of(labels).withAutoRevision(auto);
    }

    /** With {@code revision}'s istiod injecting unlabelled namespaces (null: none does). */
    public Injectors withAutoRevision(String revision) {
        return new Injectors(revisions, tags, known, revision, policies, unreadPolicies);
    }

    /** The injector policy of {@code revision}'s istiod: {@link #POLICY_ENABLED} unless read or installed otherwise. */
    public String policy(String revision) {
        return injectorPolicy(revision).policy();
    }

    /** The policy and selectors of {@code revision}'s istiod: the chart's defaults unless read or installed otherwise. */
    public InjectorPolicy injectorPolicy(String revision) {
        return policies.getOrDefault(revision, InjectorPolicy.DEFAULT);
    }

    /**
     * The revision whose auto webhook injects a namespace with these labels: one with neither istio-injection nor
     * istio.io/rev, outside the namespaces the webhook excludes. Empty when no auto webhook is active.
     */
    public Optional<String> autoInjects(Map<String, String> namespaceLabels) {
        Map<String, String> labels = namespaceLabels == null ? Map.of() : namespaceLabels;
        if (autoRevision == null || labels.containsKey(Injection.INJECTION_LABEL) || labels.containsKey(Injection.REVISION_LABEL)
                || AUTO_EXCLUDED.contains(labels.get(NAME_LABEL))) {
            return Optional.empty();
        }
        return Optional.of(autoRevision);
    }

    /** With the revisions the stack's own istio.install declares, which apply installs before pods need them. */
    public Injectors plus(List<String> declaredRevisions) {
        if (!known || declaredRevisions.isEmpty()) {
            return this;
        }
        java.util.SortedSet<String> out = new java.util.TreeSet<>(revisions);
        out.addAll(declaredRevisions);
        return new Injectors(out, tags, true, autoRevision, policies, unreadPolicies);
    }

    /**
     * With the stack's istio.install specs applied: their revisions count as installed, and one that sets
     * {@code values.sidecarInjectorWebhook.enableNamespacesByDefault} decides the auto webhook. The chart renders that
     * webhook for the default revision only ({@code if (eq .Values.revision "")} in mutatingwebhook.yaml), or on the
     * default tag; so an install of another revision that sets it is taken to serve unlabelled namespaces only when
     * the default tag points at it.
     */
    public Injectors plusInstalls(List<JsonNode> installSpecs) {
        Injectors out = plus(installSpecs.stream().map(Injectors::revisionOf).toList());
        Map<String, InjectorPolicy> policies = new TreeMap<>(out.policies);
        Map<String, String> unread = new TreeMap<>(out.unreadPolicies);
        for (JsonNode spec : installSpecs) {
            unread.remove(revisionOf(spec)); // the stack's render, as the plan leaves it, stands in for the live ConfigMap
            JsonNode policy = spec.at(AUTO_INJECT);
            InjectorPolicy p = new InjectorPolicy(policy.isValueNode() && !policy.isNull() ? policy.asString() : POLICY_ENABLED,
                    InjectSelector.listOf(spec.at(NEVER_INJECT)), InjectSelector.listOf(spec.at(ALWAYS_INJECT)));
            if (p.equals(InjectorPolicy.DEFAULT)) {
                policies.remove(revisionOf(spec));
            } else {
                policies.put(revisionOf(spec), p);
            }
        }
        out = new Injectors(out.revisions, out.tags, out.known, out.autoRevision, policies, unread);
        // the install's own word counts even when the webhooks could not be read
        for (JsonNode spec : installSpecs) {
            JsonNode flag = spec.path("values").path("sidecarInjectorWebhook").get("enableNamespacesByDefault");
            if (flag == null || flag.isNull()) {
                continue;
            }
            String rev = revisionOf(spec);
            boolean servesDefault = rev.equals("default") || rev.equals(out.tags.get("default"));
            boolean on = flag.isBoolean() ? flag.booleanValue() : "true".equals(flag.asString());
            if (servesDefault) {
                out = out.withAutoRevision(on ? out.resolve("default").orElse(rev) : null);
            }
        }
        return out;
    }

    private static String revisionOf(JsonNode installSpec) {
        String r = Json.text(installSpec, "revision");
        return r == null || r.isBlank() ? "default" : r;
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
            return autoInjects(namespaceLabels).map(r -> new Injection(true, r)).orElse(labelled);
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

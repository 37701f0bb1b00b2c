package io.meshform.providers.istio.injection;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.RawReads;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Where a running istiod reads its injector policy: the ConfigMap {@code istio-sidecar-injector}, suffixed
 * {@code -<revision>} for a revisioned install ({@code getInjectorConfigMapName}, pilot/pkg/bootstrap/sidecarinjector.go,
 * Istio 1.30.3), in istiod's own namespace, which istiod watches ({@code NewConfigMapWatcher(client, args.Namespace,
 * name, "config", "values")}, pkg/kube/inject/watcher.go). Its key {@code config} is YAML of {@code inject.Config}
 * (pkg/kube/inject/inject.go: {@code policy}, {@code neverInjectSelector}, {@code alwaysInjectSelector}, the templates);
 * the chart renders it from the install's values (istiod-injector-configmap.yaml), and whoever edits it changes what
 * istiod does without changing any install. A {@code config} that does not parse is not taken ("failed to read
 * injection config", istiod keeps what it had, or does not start), and without the ConfigMap istiod skips its injector
 * ("Skipping sidecar injector, template not found"): in both cases meshform cannot say what istiod decides.
 *
 * @param policy what the {@code config} key says, or null when it could not be read
 * @param unread why not ("forbidden (HTTP 403)"), or null when read
 */
public record InjectorConfigMap(InjectorPolicy policy, String unread) {
    static final String NAME = "istio-sidecar-injector";
    static final String CONFIG_KEY = "config";
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    /** The ConfigMap's name for {@code revision} ("default" and "" are the unrevisioned install's). */
    static String name(String revision) {
        return revision == null || revision.isEmpty() || revision.equals("default") ? NAME : NAME + "-" + revision;
    }

    /** "the ConfigMap istio-system/istio-sidecar-injector-r1", for messages. */
    static String describe(String namespace, String revision) {
        return "the ConfigMap " + (namespace == null ? "" : namespace + "/") + name(revision);
    }

    /**
     * One GET of {@code revision}'s ConfigMap in {@code namespace} (the namespace of the Service its webhooks call;
     * null when they call a URL, as an external control plane's do: its istiod's ConfigMap is not known to be here).
     */
    static InjectorConfigMap read(KubernetesClient client, String namespace, String revision) {
        if (namespace == null) {
            return new InjectorConfigMap(null, "its webhooks call istiod by URL, not by a Service of this cluster, so where"
                    + " its " + name(revision) + " ConfigMap is is not known");
        }
        JsonNode cm;
        try {
            cm = RawReads.get(client, "/api/v1/namespaces/" + namespace + "/configmaps/" + name(revision));
        } catch (KubernetesClientException e) {
            return new InjectorConfigMap(null, describe(namespace, revision) + ": " + refusal(e));
        }
        if (cm == null) {
            return new InjectorConfigMap(null, describe(namespace, revision) + " is absent (an istiod started without it runs no"
                    + " injector; one started before keeps what it read)");
        }
        String config = Json.text(cm.path("data"), CONFIG_KEY);
        if (config == null) {
            return new InjectorConfigMap(null, describe(namespace, revision) + " has no key " + CONFIG_KEY);
        }
        try {
            return new InjectorConfigMap(parse(config), null);
        } catch (RuntimeException e) {
            return new InjectorConfigMap(null, describe(namespace, revision) + ": its key " + CONFIG_KEY
                    + " does not parse as YAML, and istiod does not take it either");
        }
    }

    /**
     * The policy and selectors of a {@code config} key. A missing {@code policy} unmarshals to "", which
     * {@code injectRequired} treats as illegal: istiod injects nothing, and so does the model.
     */
    public static InjectorPolicy parse(String configYaml) {
        JsonNode c = YAML.readTree(configYaml);
        if (c == null || !c.isObject()) {
            throw new IllegalArgumentException("not a YAML mapping");
        }
        JsonNode policy = c.get("policy");
        return new InjectorPolicy(policy == null || policy.isNull() ? "" : policy.asString(),
                InjectSelector.listOf(c.get("neverInjectSelector")), InjectSelector.listOf(c.get("alwaysInjectSelector")));
    }

    /** Why a read was refused or failed, in a few words ("forbidden (HTTP 403)"). */
    static String refusal(KubernetesClientException e) {
        return switch (e.getCode()) {
            case 403 -> "forbidden (HTTP 403)";
            case 401 -> "the credentials were refused (HTTP 401)";
            default -> e.getCode() > 0 ? "HTTP " + e.getCode() : String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        };
    }
}

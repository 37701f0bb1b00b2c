package io.meshform.providers.istio.install;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.spi.PlanDetail;
import io.meshform.providers.istio.core.IstioRelease;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.KubeErrors;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import io.meshform.providers.kubernetes.KubeObjects;
import io.meshform.providers.kubernetes.ParallelLists;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * What differs between istioctl's render and the cluster: one plan line per rendered object that is missing or
 * different, and per live object of the revision's components that the render no longer has (istioctl prunes it).
 * What never counts as a difference is {@link NoiseRules}'; reading is one LIST per kind and namespace.
 */
public final class RenderDiff {
    /**
     * Built on first use, not when the Istio provider is made: a no-op plan answers from the kept render (JSON), and
     * building a YAML mapper was on the path to the first API request of every plan (BENCHMARKS.md, issue 18,
     * afternoon session).
     */
    private static final class Yaml {
        static final YAMLMapper MAPPER = YAMLMapper.builder().build();
    }
    private final KubeConnection kube;

    RenderDiff(KubeConnection kube) {
        this.kube = kube;
    }

    /** The rendered manifests (one JSON tree per object) and their digest. */
    public record Render(List<JsonNode> objects, String digest) {
    }

    public static Render parseRender(String yaml) {
        List<JsonNode> objects = new ArrayList<>();
        try (var it = Yaml.MAPPER.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && doc.isObject() && doc.has("kind")) {
                    objects.add(doc);
                }
            }
        }
        List<String> canonical = objects.stream().map(o -> Json.canonical(o).toString()).sorted().toList();
        objects.sort(Comparator.comparing(RenderDiff::describe));
        return new Render(objects, "sha256:" + Json.sha256(String.join("\n", canonical)));
    }

    static String describe(JsonNode obj) {
        JsonNode md = obj.path("metadata");
        String ns = Json.text(md, "namespace");
        return Json.text(obj, "kind") + " " + (ns == null ? "" : ns + "/") + Json.text(md, "name");
    }

    /** Kinds istioctl installs per component in istio-system, listed even when the render has none left of a kind. */
    static final List<Target> COMPONENT_KINDS = List.of(
            new Target("apps/v1", "Deployment", Mesh.ISTIO_NAMESPACE, null), new Target("v1", "Service", Mesh.ISTIO_NAMESPACE, null),
            new Target("v1", "ServiceAccount", Mesh.ISTIO_NAMESPACE, null), new Target("v1", "ConfigMap", Mesh.ISTIO_NAMESPACE, null),
            new Target("autoscaling/v2", "HorizontalPodAutoscaler", Mesh.ISTIO_NAMESPACE, null),
            new Target("policy/v1", "PodDisruptionBudget", Mesh.ISTIO_NAMESPACE, null),
            new Target("rbac.authorization.k8s.io/v1", "Role", Mesh.ISTIO_NAMESPACE, null),
            new Target("rbac.authorization.k8s.io/v1", "RoleBinding", Mesh.ISTIO_NAMESPACE, null));

    static final String COMPONENT_LABEL = "operator.istio.io/component";

    /** Lines for objects only (addons): missing or different. */
    List<PlanDetail> compare(List<JsonNode> rendered) {
        return compare(rendered, null, null, this::listByName).details();
    }

    /** {@link #compare(List)}, listing through {@code lister} (a plan's {@link PlanLists}). */
    List<PlanDetail> compare(List<JsonNode> rendered, java.util.function.Function<Target, Map<String, JsonNode>> lister) {
        return compare(rendered, null, null, lister).details();
    }

    /**
     * The lines of a comparison, and the newer Istio releases whose shared CRDs the cluster keeps (a note among the
     * lines, not drift; applying this install would write its own CRDs over them).
     */
    record Comparison(List<PlanDetail> details, java.util.SortedSet<String> newerSharedCrds) {
        Comparison {
            details = List.copyOf(details);
            newerSharedCrds = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(newerSharedCrds));
        }
    }

    /**
     * One line per rendered object that is missing ("+ Deployment istio-system/istiod") or differs ("~ ... (paths)"),
     * from one LIST per kind and namespace (four at a time). Given the revision, also one line per live object of that
     * revision's Istio components that the render no longer has ("- Deployment istio-system/istio-egressgateway"):
     * istioctl install prunes those. Webhook caBundle/failurePolicy and replicas are ignored.
     */
    Comparison compare(List<JsonNode> rendered, String revision, String release) {
        return compare(rendered, revision, release, this::listByName);
    }

    /** {@link #compare(List, String, String)}, listing through {@code lister} (a plan's {@link PlanLists}). */
    Comparison compare(List<JsonNode> rendered, String revision, String release,
                       java.util.function.Function<Target, Map<String, JsonNode>> lister) {
        return compare(rendered, revision, release, lister, ValueReach.NONE);
    }

    /**
     * {@link #compare(List, String, String, java.util.function.Function)}, leaving out what {@code reach} says a value
     * of unknown applied form decides (drift of a rotated sensitive value): those objects and fields are neither
     * reported as differing nor as matching; the caller lists them as not checked.
     */
    Comparison compare(List<JsonNode> rendered, String revision, String release,
                       java.util.function.Function<Target, Map<String, JsonNode>> lister, ValueReach reach) {
        Map<Target, List<JsonNode>> groups = new LinkedHashMap<>();
        for (JsonNode o : rendered) {
            String ns = Json.text(o.path("metadata"), "namespace");
            groups.computeIfAbsent(new Target(Json.text(o, "apiVersion"), Json.text(o, "kind"), ns, null),
                    k -> new ArrayList<>()).add(o);
        }
        if (revision != null) {
            COMPONENT_KINDS.forEach(k -> groups.putIfAbsent(k, new ArrayList<>()));
        }
        Map<Target, Map<String, JsonNode>> listed = ParallelLists.each(groups.keySet(), lister);
        List<PlanDetail> details = new ArrayList<>();
        java.util.TreeSet<String> newerShared = new java.util.TreeSet<>();
        for (Map.Entry<Target, List<JsonNode>> g : groups.entrySet()) {
            Map<String, JsonNode> live = listed.get(g.getKey());
            Set<String> renderedNames = new java.util.HashSet<>();
            for (JsonNode want : g.getValue()) {
                renderedNames.add(Json.text(want.path("metadata"), "name"));
                if (reach.coversObject(describe(want))) {
                    continue;
                }
                JsonNode have = live.get(Json.text(want.path("metadata"), "name"));
                if (have == null) {
                    details.add(PlanDetail.add(describe(want)));
                    continue;
                }
                String newer = newerRelease(have, want, release);
                if (newer != null && "CustomResourceDefinition".equals(Json.text(want, "kind"))) {
                    // CRDs are shared by all revisions; a canary of a newer release installs its own, which serve the
                    // older control plane too. They are not drift of this (older) install.
                    newerShared.add(newer);
                    continue;
                }
                JsonNode liveObj = NoiseRules.ignored(have);
                JsonNode wantObj = NoiseRules.withoutZeroesMissingIn(NoiseRules.ignored(want), liveObj);
                List<String> paths = summarize(Json.paths(Json.project(liveObj, wantObj), wantObj));
                if ("ConfigMap".equals(Json.text(want, "kind"))) {
                    paths = insideConfig(paths, liveObj.path("data"), wantObj.path("data"));
                }
                paths = reach.checkable(describe(want), paths);
                if (!paths.isEmpty()) {
                    details.add(PlanDetail.change(describe(want) + " (" + String.join(", ", paths.subList(0, Math.min(3, paths.size())))
                            + (paths.size() > 3 ? ", ..." : "") + ")"));
                }
            }
            if (revision != null) {
                new TreeMap<>(live).forEach((name, o) -> {
                    String shown = new Target(g.getKey().apiVersion(), g.getKey().kind(), Json.text(o.path("metadata"), "namespace"), name)
                            .describe();
                    if (!renderedNames.contains(name) && prunable(o, revision) && !reach.coversObject(shown)) {
                        details.add(PlanDetail.remove(shown + " (component " + labels(o).get(COMPONENT_LABEL) + ")"));
                    }
                });
            }
        }
        if (!newerShared.isEmpty()) {
            details.add(PlanDetail.note(NEWER_CRDS + String.join(", ", newerShared) + " (a newer revision installed them; they serve this one too)"));
        }
        return new Comparison(details, newerShared);
    }

    /** A detail line, not drift: the shared CRDs come from a newer release than this install renders. */
    static final String NEWER_CRDS = "  CRDs kept at Istio ";

    static final String VERSION_LABEL = "operator.istio.io/version";

    /**
     * The live object's Istio release when it is newer than the rendered one's: istioctl install labels what it
     * writes with its version; {@code manifest generate} may not, so the rendering istioctl's version stands in.
     */
    static String newerRelease(JsonNode have, JsonNode want, String release) {
        String live = labels(have).get(VERSION_LABEL);
        String rendered = Json.text(want.path("metadata").path("labels"), VERSION_LABEL, release);
        return live != null && rendered != null && IstioRelease.compare(live, rendered) > 0 ? live : null;
    }

    /** A live object's labels (empty when it has none). */
    static Map<String, String> labels(JsonNode live) {
        return Json.stringMap(live.path("metadata").get("labels"));
    }

    Map<String, JsonNode> listByName(Target collection) {
        Map<String, JsonNode> live = new HashMap<>();
        try {
            KubeObjects.list(kube.client(), collection).forEach(o -> live.put(KubeObjects.nameOf(o), o));
        } catch (KubernetesClientException e) {
            if (!KubeErrors.notFound(e) && KubeErrors.answered(e)) {
                throw kube.explain(Mesh.INSTALL_TYPE, "list", collection.kind() + " objects", e);
            }
            // unknown kind (CRD not installed yet) or namespace absent: all missing
        } catch (RuntimeException e) {
            // discovery could not resolve the kind: all missing
        }
        return live;
    }

    /**
     * An object istioctl installed for this revision's components and would prune: it carries the component label and
     * the revision, and not the mark istioctl puts on what it keeps across installs (the revision-tag webhook).
     */
    static boolean prunable(JsonNode o, String revision) {
        Map<String, String> labels = labels(o);
        return labels.containsKey(COMPONENT_LABEL) && revision.equals(labels.get("istio.io/rev"))
                && !"true".equals(labels.get("install.operator.istio.io/owning-resource-not-pruned"));
    }

    /**
     * Istio keeps its mesh config and values as YAML (or JSON) text in ConfigMaps; "data.mesh" would hide which
     * setting changed, so a changed text that parses on both sides is diffed inside: "mesh.enableTracing".
     */
    static List<String> insideConfig(List<String> paths, JsonNode liveData, JsonNode wantData) {
        List<String> out = new ArrayList<>();
        for (String p : paths) {
            String key = p.startsWith("data.") ? p.substring("data.".length()) : null;
            JsonNode before = key == null ? null : parseConfig(liveData.path(key));
            JsonNode after = key == null ? null : parseConfig(wantData.path(key));
            if (before == null || after == null) {
                out.add(p);
                continue;
            }
            for (String inner : Json.paths(before, after)) {
                String shown = key + "." + inner;
                if (!out.contains(shown)) {
                    out.add(shown);
                }
            }
        }
        return out;
    }

    private static JsonNode parseConfig(JsonNode text) {
        if (text == null || !text.isString()) {
            return null;
        }
        try {
            JsonNode tree = Yaml.MAPPER.readTree(text.asString());
            return tree != null && tree.isObject() ? tree : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * A CRD schema change lists hundreds of characters per field; "spec.versions[0].schema" says enough to a reviewer,
     * who reads the CRD itself for detail.
     */
    static List<String> summarize(List<String> paths) {
        List<String> out = new ArrayList<>();
        for (String p : paths) {
            int schema = p.indexOf(".schema.");
            String shown = schema > 0 ? p.substring(0, schema + ".schema".length()) : p;
            if (!out.contains(shown)) {
                out.add(shown);
            }
        }
        return out;
    }
}

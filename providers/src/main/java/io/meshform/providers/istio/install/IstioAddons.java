package io.meshform.providers.istio.install;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.load.InputFiles;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.KubeErrors;
import io.meshform.providers.kubernetes.KubeObjects;
import io.meshform.providers.kubernetes.KubeObjects.Target;
import io.meshform.engine.load.YamlDocument;
import io.meshform.providers.kubernetes.StackFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Istio's diagnostic addons. istioctl does not install them; Istio ships them as sample manifests
 * ({@code samples/addons/kiali.yaml, prometheus.yaml, grafana.yaml, jaeger.yaml}). An addon that is on is applied
 * from the directory {@code addons.manifests} names, marked as this install's; one that is explicitly off is removed:
 * the objects a previous apply recorded and marked ({@link AddonRemovals}), and the samples' own objects when someone
 * applied them by hand (matched by name and the samples' label, so an unrelated object that happens to share a name
 * is left alone).
 */
final class IstioAddons {
    /** One addon: its switch in the spec, its sample file, and the objects that file creates in Istio's samples. */
    enum Addon {
        KIALI("kiali", "kiali.yaml", "app.kubernetes.io/name", "kiali", List.of(
                "v1/ServiceAccount/kiali", "v1/ConfigMap/kiali", "v1/Service/kiali", "apps/v1/Deployment/kiali",
                "rbac.authorization.k8s.io/v1/ClusterRole/kiali", "rbac.authorization.k8s.io/v1/ClusterRoleBinding/kiali")),
        PROMETHEUS("prometheus", "prometheus.yaml", "app.kubernetes.io/name", "prometheus", List.of(
                "v1/ServiceAccount/prometheus", "v1/ConfigMap/prometheus", "v1/Service/prometheus",
                "apps/v1/Deployment/prometheus", "rbac.authorization.k8s.io/v1/ClusterRole/prometheus",
                "rbac.authorization.k8s.io/v1/ClusterRoleBinding/prometheus")),
        GRAFANA("grafana", "grafana.yaml", "app.kubernetes.io/name", "grafana", List.of(
                "v1/ServiceAccount/grafana", "v1/ConfigMap/grafana", "v1/Service/grafana", "apps/v1/Deployment/grafana")),
        /** The tracing backend: Jaeger, whose Zipkin-compatible Service the sidecars send spans to. */
        TRACING("tracing", "jaeger.yaml", "app", "jaeger", List.of(
                "apps/v1/Deployment/jaeger", "v1/ConfigMap/jaeger", "v1/Service/tracing", "v1/Service/jaeger-collector"));

        final String key;
        final String file;
        final String label;
        final String labelValue;
        final List<String> sampleObjects;

        Addon(String key, String file, String label, String labelValue, List<String> sampleObjects) {
            this.key = key;
            this.file = file;
            this.label = label;
            this.labelValue = labelValue;
            this.sampleObjects = sampleObjects;
        }

        static Addon of(String key) {
            for (Addon a : values()) {
                if (a.key.equals(key)) {
                    return a;
                }
            }
            throw new IllegalArgumentException(key);
        }
    }

    /** Cluster-scoped kinds the samples use; everything else lands in istio-system when the file names no namespace. */
    private static final Set<String> CLUSTER_KINDS = Set.of("ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
            "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "Namespace", "PriorityClass", "StorageClass");

    /** One object an addon owns; encoded into the state as {@code addon|apiVersion|kind|namespace|name}. */
    record AddonObject(String addon, String apiVersion, String kind, String namespace, String name) {
        Target target() {
            return new Target(apiVersion, kind, namespace, name);
        }

        String describe() {
            return target().describe();
        }

        String encode() {
            return String.join("|", addon, apiVersion, kind, namespace == null ? "" : namespace, name);
        }

        static AddonObject decode(String s) {
            String[] p = s.split("\\|", -1);
            return new AddonObject(p[0], p[1], p[2], p[3].isEmpty() ? null : p[3], p[4]);
        }

        static AddonObject of(String addon, JsonNode obj) {
            JsonNode md = obj.path("metadata");
            return new AddonObject(addon, Json.text(obj, "apiVersion"), Json.text(obj, "kind"), Json.text(md, "namespace"),
                    Json.text(md, "name"));
        }
    }

    private final KubeConnection kube;
    /** One LIST of a kind in a namespace, by name: the install's own, so both read the cluster the same way. */
    private final java.util.function.Function<Target, Map<String, JsonNode>> lister;

    IstioAddons(KubeConnection kube, java.util.function.Function<Target, Map<String, JsonNode>> lister) {
        this.kube = kube;
        this.lister = lister;
    }

    /** The addons the spec turns on ({@code addons.<name>: true}), in a fixed order. */
    static List<Addon> on(JsonNode spec) {
        return switched(spec, true);
    }

    /** The addons the spec turns off explicitly; an addon the spec does not mention is left as it is. */
    static List<Addon> off(JsonNode spec) {
        return switched(spec, false);
    }

    private static List<Addon> switched(JsonNode spec, boolean value) {
        JsonNode addons = spec == null ? null : spec.get("addons");
        List<Addon> out = new ArrayList<>();
        for (Addon a : Addon.values()) {
            JsonNode v = addons == null ? null : addons.get(a.key);
            if (v != null && v.isBoolean() && v.booleanValue() == value) {
                out.add(a);
            }
        }
        return out;
    }

    /** The addons whose objects meshform applies: those on, except tracing when no manifests directory is given. */
    static List<Addon> applied(JsonNode spec) {
        boolean dir = manifestsDir(spec) != null;
        return on(spec).stream().filter(a -> dir).toList();
    }

    static String manifestsDir(JsonNode spec) {
        return Json.text(spec.path("addons"), "manifests");
    }

    /**
     * The objects of every applied addon, read from {@code <manifests>/<file>}, by addon. Namespaced objects without
     * a namespace go to istio-system, as {@code kubectl apply -n istio-system} would put them. A file holds only what
     * Istio's sample addons hold ({@link AddonRules}): anything else is an error naming the file and document.
     * Without confinement (library use and tests).
     */
    static Map<Addon, List<ObjectNode>> load(ResourceAddress address, JsonNode spec, Path baseDir) {
        return load(address, spec, StackFiles.unconfined(), baseDir);
    }

    /**
     * The same, reading through {@code files}: the directory is a path the stack names, so it must lie inside the
     * stack's root, and each file is read bounded and with the stack file's YAML rules.
     */
    static Map<Addon, List<ObjectNode>> load(ResourceAddress address, JsonNode spec, StackFiles files, Path learntBase) {
        Map<Addon, List<ObjectNode>> out = new LinkedHashMap<>();
        List<Addon> addons = applied(spec);
        if (addons.isEmpty()) {
            return out;
        }
        for (Addon a : addons) {
            String name = Path.of(manifestsDir(spec)).resolve(a.file).toString();
            out.put(a, read(address, a, name, files, learntBase));
        }
        return out;
    }

    private static List<ObjectNode> read(ResourceAddress address, Addon a, String name, StackFiles files, Path learntBase) {
        String where = address + ": addons." + a.key;
        List<YamlDocument> docs;
        try {
            docs = files.readYaml(name, learntBase, "addon manifest");
        } catch (io.meshform.engine.diag.DiagnosticsException e) {
            String summary = e.diagnostics().get(0).summary();
            if (summary.endsWith("not found")) {
                throw KubeErrors.error(where + " is on, but " + files.resolve(name, learntBase, "addon manifest") + " does not exist",
                        "addons.manifests must name a directory holding Istio's sample addons (samples/addons in the"
                                + " Istio release archive: kiali.yaml, prometheus.yaml, grafana.yaml, jaeger.yaml)");
            }
            throw KubeErrors.error(where + ": " + StackFiles.oneLine(e), null);
        }
        List<AddonRules.Doc> objects = new ArrayList<>();
        int n = 0;
        for (YamlDocument doc : docs) {
            n++;
            if (doc.root().isEmpty()) {
                continue;
            }
            if (!(doc.root() instanceof ObjectNode o) || Json.text(o, "apiVersion") == null || Json.text(o, "kind") == null
                    || Json.text(o.path("metadata"), "name") == null) {
                throw KubeErrors.error(where + ": document " + n + " of " + name + " is not a Kubernetes object",
                        "each document needs apiVersion, kind and metadata.name");
            }
            ObjectNode obj = o.deepCopy();
            ObjectNode md = (ObjectNode) obj.get("metadata");
            if (!CLUSTER_KINDS.contains(Json.text(obj, "kind")) && Json.text(md, "namespace") == null) {
                md.put("namespace", IstioInstallType.ISTIO_NAMESPACE);
            }
            objects.add(new AddonRules.Doc(n, obj));
        }
        if (objects.isEmpty()) {
            throw KubeErrors.error(where + ": " + name + " holds no objects", null);
        }
        AddonRules.check(where, name, IstioInstallType.ISTIO_NAMESPACE, objects);
        return objects.stream().map(AddonRules.Doc::object).toList();
    }

    /** The recorded objects no longer wanted: removed if this install applied them ({@link AddonRemovals}). */
    static List<AddonObject> noLongerWanted(List<AddonObject> recorded, Map<Addon, List<ObjectNode>> wanted) {
        Set<Target> keep = new LinkedHashSet<>();
        wanted.values().forEach(list -> list.forEach(o -> keep.add(AddonObject.of("", o).target())));
        return recorded.stream().filter(r -> !keep.contains(r.target())).toList();
    }

    /** Istio's sample objects of the addons the spec switches off: removed if they carry the sample's label. */
    static List<AddonObject> offSamples(JsonNode spec) {
        List<AddonObject> out = new ArrayList<>();
        for (Addon a : off(spec)) {
            for (String s : a.sampleObjects) {
                int slash = s.lastIndexOf('/');
                int kindSlash = s.lastIndexOf('/', slash - 1);
                String apiVersion = s.substring(0, kindSlash);
                String kind = s.substring(kindSlash + 1, slash);
                String ns = CLUSTER_KINDS.contains(kind) ? null : IstioInstallType.ISTIO_NAMESPACE;
                out.add(new AddonObject(a.key, apiVersion, kind, ns, s.substring(slash + 1)));
            }
        }
        return out;
    }

    /**
     * Server-side applies every object as meshform's field manager, taking over fields a hand apply left, with
     * {@code mark} (this state's lineage and the install's address) among its annotations: only an object carrying
     * it is deleted later on the state's word ({@link AddonRemovals}).
     */
    void apply(Map<Addon, List<ObjectNode>> wanted, Map<String, String> mark, ProgressSink progress) {
        for (Map.Entry<Addon, List<ObjectNode>> e : wanted.entrySet()) {
            progress.note("addon " + e.getKey().key + ": applying " + e.getValue().size() + " object(s) from "
                    + e.getKey().file);
            for (ObjectNode o : e.getValue()) {
                try {
                    KubeObjects.apply(kube.client().resource(Json.toGeneric(marked(o, mark))), kube.fieldManager(), true, false);
                } catch (KubernetesClientException ex) {
                    throw kube.explain(IstioInstallType.NAME, "apply", "addon " + e.getKey().key + " "
                            + AddonObject.of(e.getKey().key, o).describe(), ex);
                }
            }
        }
    }

    /** A copy of {@code o} with {@code mark} added to its annotations (the digest and the plan keep the file's object). */
    static ObjectNode marked(ObjectNode o, Map<String, String> mark) {
        ObjectNode copy = o.deepCopy();
        if (!mark.isEmpty()) {
            ObjectNode md = (ObjectNode) copy.get("metadata");
            ObjectNode annotations = md.get("annotations") instanceof ObjectNode a ? a : md.putObject("annotations");
            mark.forEach(annotations::put);
        }
        return copy;
    }

    /**
     * Deletes the objects (one already gone is fine) and returns once they are gone, within {@code timeout}: one a
     * finalizer holds stays, being deleted, and the next plan would list it as still to remove.
     */
    void delete(String address, List<AddonObject> objects, Duration timeout, ProgressSink progress) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<AddonObject, String> deleted = new java.util.LinkedHashMap<>();
        for (AddonObject o : objects) {
            progress.note("addon " + o.addon() + ": deleting " + o.describe());
            try {
                var gone = one(o.target()).delete();
                if (!gone.isEmpty()) {
                    deleted.put(o, io.meshform.providers.kubernetes.DeleteWait.uidOf(gone));
                }
            } catch (KubernetesClientException ex) {
                if (!KubeErrors.notFound(ex)) {
                    throw kube.explain(IstioInstallType.NAME, "delete", "addon " + o.addon() + " " + o.describe(), ex);
                }
            }
        }
        deleted.forEach((o, uid) -> io.meshform.providers.kubernetes.DeleteWait.untilGone(address,
                "addon " + o.addon() + " " + o.describe(), uid, () -> one(o.target()).get(),
                Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), progress));
    }

    private io.fabric8.kubernetes.client.dsl.Resource<io.fabric8.kubernetes.api.model.GenericKubernetesResource> one(Target t) {
        var op = kube.client().genericKubernetesResources(t.apiVersion(), t.kind());
        return t.namespace() == null ? op.withName(t.name()) : op.inNamespace(t.namespace()).withName(t.name());
    }

    /** Recorded objects from their encodings, comma-separated (see {@link InstallRecord}). */
    static List<AddonObject> decode(String s) {
        List<AddonObject> out = new ArrayList<>();
        if (s != null && !s.isBlank()) {
            for (String part : s.split(",")) {
                out.add(AddonObject.decode(part));
            }
        }
        return out;
    }

    /** The objects of the addons applied, by addon, in the order applied. */
    static List<AddonObject> objects(Map<Addon, List<ObjectNode>> wanted) {
        List<AddonObject> out = new ArrayList<>();
        wanted.forEach((a, list) -> list.forEach(o -> out.add(AddonObject.of(a.key, o))));
        return out;
    }

    /** A digest of the addon objects, folded into the render digest so a changed sample file plans an update. */
    static String digest(Map<Addon, List<ObjectNode>> wanted) {
        List<String> canonical = new ArrayList<>();
        wanted.forEach((a, list) -> list.forEach(o -> canonical.add(a.key + "=" + Json.canonical(o))));
        canonical.sort(String::compareTo);
        return Json.sha256(String.join("\n", canonical));
    }
}

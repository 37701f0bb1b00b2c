package io.meshform.cli;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The API of the training run's fake Kubernetes cluster ({@link TrainingApiServer} carries it over TLS): objects
 * in memory, so a training apply creates what its plan and drift then read back, and the runs go through the
 * same planner, checks, apply and drift code (and the same fabric8 model classes) as runs against a real cluster.
 * It answers what meshform sends (see a run's {@code --log-level debug} request lines): {@code /version}, LISTs
 * with equality label selectors, GETs (the object, or a NotFound Status), server-side-apply PATCHes (merged into
 * the stored object, with metadata and a managedFields entry for the field manager, as kube-apiserver does),
 * POST, PUT and DELETE. Everything else gets a NotFound Status. It is no Kubernetes: no validation, no watches.
 */
final class TrainingCluster {

    /** An HTTP answer: status code and JSON body. */
    record Response(int code, String body) {
    }

    /** Where a request points: {@code api/v1} or {@code apis/GROUP/VERSION}, the resource, namespace and name. */
    record Address(String groupVersion, String plural, String namespace, String name) {

        /** The address of an API path, or null for a path outside {@code /api} and {@code /apis}. */
        static Address of(String path) {
            String[] seg = path.replaceAll("^/+|/+$", "").split("/");
            int gv = seg[0].equals("api") ? 2 : seg[0].equals("apis") ? 3 : 0;
            if (gv == 0 || seg.length <= gv) {
                return null;
            }
            String groupVersion = String.join("/", List.of(seg).subList(0, gv));
            if (seg[gv].equals("namespaces") && seg.length > gv + 2) {
                return new Address(groupVersion, seg[gv + 2], seg[gv + 1], seg.length > gv + 3 ? seg[gv + 3] : null);
            }
            return new Address(groupVersion, seg[gv], null, seg.length > gv + 1 ? seg[gv + 1] : null);
        }

        String apiVersion() {
            return groupVersion.startsWith("api/") ? groupVersion.substring(4) : groupVersion.substring(5);
        }

        /** The collection's key prefix: every namespace when none is given. */
        String collection() {
            return groupVersion + "/" + plural + "/" + (namespace == null ? "" : namespace + "/");
        }

        String key() {
            return groupVersion + "/" + plural + "/" + (namespace == null ? "" : namespace) + "/" + name;
        }
    }

    /** Kinds of the collections a plan lists before anything is stored in them (a List must name its kind). */
    private static final Map<String, String> KINDS = Map.ofEntries(Map.entry("namespaces", "Namespace"),
            Map.entry("pods", "Pod"), Map.entry("services", "Service"), Map.entry("configmaps", "ConfigMap"),
            Map.entry("serviceaccounts", "ServiceAccount"), Map.entry("deployments", "Deployment"),
            Map.entry("peerauthentications", "PeerAuthentication"),
            Map.entry("authorizationpolicies", "AuthorizationPolicy"), Map.entry("destinationrules", "DestinationRule"));

    private final JsonMapper json = JsonMapper.builder().build();
    private final YAMLMapper yaml = new YAMLMapper();
    private final Map<String, ObjectNode> objects = new TreeMap<>();
    private final List<String> requests = new ArrayList<>();
    private long resourceVersion = 100;

    /** A cluster with the namespaces every cluster has, plus the given ones (a stack's labels need them to exist). */
    TrainingCluster(List<String> namespaces) {
        List<String> all = new ArrayList<>(List.of("default", "kube-system", "istio-system"));
        all.addAll(namespaces);
        for (String ns : all) {
            ObjectNode body = json.createObjectNode();
            body.put("apiVersion", "v1").put("kind", "Namespace").putObject("metadata").put("name", ns);
            store(new Address("api/v1", "namespaces", null, ns), body, "kube-apiserver", "Update", body.deepCopy());
        }
    }

    /** Method and path of every request so far, in order. */
    synchronized List<String> requests() {
        return List.copyOf(requests);
    }

    synchronized Response answer(String method, String target, byte[] body) {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        Map<String, String> query = query(q < 0 ? "" : target.substring(q + 1));
        requests.add(method + " " + path);
        if (path.equals("/version")) {
            return new Response(200, """
                    {"major": "1", "minor": "36", "gitVersion": "v1.36.3", "platform": "linux/amd64"}""");
        }
        Address at = Address.of(path);
        if (at == null) {
            return notFound(path, "");
        }
        boolean dryRun = query.containsKey("dryRun");
        String manager = query.getOrDefault("fieldManager", "training");
        switch (method) {
            case "GET":
                return at.name() == null ? list(at, query.get("labelSelector")) : get(at);
            case "PATCH", "PUT", "POST":
                ObjectNode object = (ObjectNode) yaml.readTree(body);
                Address target1 = at.name() != null ? at : new Address(at.groupVersion(), at.plural(), at.namespace(),
                        object.path("metadata").path("name").asString());
                boolean created = !objects.containsKey(target1.key());
                ObjectNode merged = method.equals("PATCH") && !created ? merge(objects.get(target1.key()).deepCopy(), object)
                        : object;
                String operation = method.equals("PATCH") ? "Apply" : "Update";
                JsonNode sent = object.deepCopy();
                ObjectNode stored = dryRun ? withMetadata(target1, merged, manager, operation, sent)
                        : store(target1, merged, manager, operation, sent);
                return new Response(created ? 201 : 200, json.writeValueAsString(stored));
            case "DELETE":
                ObjectNode gone = dryRun ? objects.get(at.key()) : objects.remove(at.key());
                return gone == null ? notFound(at.plural(), at.name()) : new Response(200, json.writeValueAsString(gone));
            default:
                return new Response(405, status(405, "MethodNotAllowed", method + " is not supported here"));
        }
    }

    /** Changes one of the objects as someone with kubectl would, so a drift run has something to find. */
    synchronized void editByHand(String path, String field, String value) {
        Address at = Address.of(path);
        ObjectNode object = objects.get(at.key());
        if (object == null) {
            throw new IllegalStateException("the training cluster has no " + path + " to change");
        }
        ObjectNode patch = json.createObjectNode();
        patch.putObject("data").put(field, value);
        store(at, merge(object.deepCopy(), patch), "kubectl-edit", "Update", patch);
    }

    private Response get(Address at) {
        ObjectNode object = objects.get(at.key());
        return object == null ? notFound(at.plural(), at.name()) : new Response(200, json.writeValueAsString(object));
    }

    private Response list(Address at, String selector) {
        ObjectNode list = json.createObjectNode();
        ArrayNode items = json.createArrayNode();
        String kind = KINDS.get(at.plural());
        for (Map.Entry<String, ObjectNode> e : objects.entrySet()) {
            if (e.getKey().startsWith(at.collection()) && matches(e.getValue().path("metadata").path("labels"), selector)) {
                items.add(e.getValue());
                kind = e.getValue().path("kind").asString();
            }
        }
        list.put("apiVersion", at.apiVersion()).put("kind", kind == null ? "List" : kind + "List");
        list.putObject("metadata").put("resourceVersion", String.valueOf(resourceVersion));
        list.set("items", items);
        return new Response(200, json.writeValueAsString(list));
    }

    /** Equality selectors (k=v, k==v, k!=v) and existence (k, !k); set selectors (k in (...)) match everything. */
    static boolean matches(JsonNode labels, String selector) {
        if (selector == null || selector.isBlank() || selector.contains("(")) {
            return true;
        }
        for (String term : selector.split(",")) {
            boolean ok;
            if (term.contains("!=")) {
                String[] kv = term.split("!=", 2);
                ok = !kv[1].equals(labels.path(kv[0]).asString(null));
            } else if (term.contains("=")) {
                String[] kv = term.split("==?", 2);
                ok = kv[1].equals(labels.path(kv[0]).asString(null));
            } else if (term.startsWith("!")) {
                ok = !labels.has(term.substring(1));
            } else {
                ok = labels.has(term);
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Stores {@code object} as {@code manager} sent {@code sent} (the whole object, or a patch merged into it). */
    private ObjectNode store(Address at, ObjectNode object, String manager, String operation, JsonNode sent) {
        ObjectNode stored = withMetadata(at, object, manager, operation, sent);
        objects.put(at.key(), stored);
        return stored;
    }

    /** What kube-apiserver adds: name, namespace, uid, creation time, resource version and managedFields. */
    private ObjectNode withMetadata(Address at, ObjectNode object, String manager, String operation, JsonNode sent) {
        object.put("apiVersion", object.path("apiVersion").asString(at.apiVersion()));
        if (!object.has("kind") && KINDS.containsKey(at.plural())) {
            object.put("kind", KINDS.get(at.plural()));
        }
        ObjectNode meta = object.get("metadata") instanceof ObjectNode m ? m : object.putObject("metadata");
        meta.put("name", at.name());
        if (at.namespace() != null) {
            meta.put("namespace", at.namespace());
        }
        if (!meta.has("uid")) {
            meta.put("uid", UUID.nameUUIDFromBytes(at.key().getBytes(StandardCharsets.UTF_8)).toString());
            meta.put("creationTimestamp", "2026-01-01T00:00:00Z");
        }
        meta.put("resourceVersion", String.valueOf(++resourceVersion));
        ArrayNode entries = meta.get("managedFields") instanceof ArrayNode a ? a : meta.putArray("managedFields");
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (manager.equals(entries.get(i).path("manager").asString())) {
                entries.remove(i);
            }
        }
        ObjectNode entry = entries.addObject().put("manager", manager).put("operation", operation)
                .put("apiVersion", object.path("apiVersion").asString()).put("time", "2026-01-01T00:00:00Z")
                .put("fieldsType", "FieldsV1");
        entry.set("fieldsV1", fields(sent, true));
        return object;
    }

    /** The FieldsV1 set of an object: {"f:key": {...}} for every key, nested maps recursively. */
    private ObjectNode fields(JsonNode node, boolean top) {
        ObjectNode out = json.createObjectNode();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = e.getKey();
            if (top && (key.equals("apiVersion") || key.equals("kind") || key.equals("status"))
                    || key.equals("managedFields") || key.equals("resourceVersion") || key.equals("uid")) {
                continue;
            }
            out.set("f:" + key, e.getValue().isObject() ? fields(e.getValue(), false) : json.createObjectNode());
        }
        return out;
    }

    /** A merge patch (RFC 7386): maps merge key by key, null removes, anything else replaces. */
    private static ObjectNode merge(ObjectNode target, JsonNode patch) {
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            JsonNode old = target.get(e.getKey());
            if (e.getValue().isNull()) {
                target.remove(e.getKey());
            } else if (old instanceof ObjectNode o && e.getValue().isObject()) {
                merge(o, e.getValue());
            } else {
                target.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return target;
    }

    private Response notFound(String plural, String name) {
        return new Response(404, status(404, "NotFound", plural + " \"" + name + "\" not found"));
    }

    private String status(int code, String reason, String message) {
        ObjectNode s = json.createObjectNode().put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
                .put("message", message).put("reason", reason).put("code", code);
        s.putObject("metadata");
        return json.writeValueAsString(s);
    }

    private static Map<String, String> query(String query) {
        Map<String, String> out = new TreeMap<>();
        for (String pair : query.split("&")) {
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                out.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}

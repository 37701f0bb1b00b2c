package io.meshform.cli.faults;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshform.state.ResourceState;
import io.meshform.state.StateSnapshot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * What must hold after any fault: the state parses, every object it records exists in the cluster (the same object:
 * its uid matches), and every object that carries this state's lineage mark or that the stack declares, and that is
 * live, is either recorded or left for the next run to adopt ({@link #unrecorded()}).
 *
 * @param problem    why the state could not be read, or null
 * @param state      the state read, or null (none yet, or unreadable)
 * @param missing    recorded resources whose object is not in the cluster
 * @param unrecorded live objects (namespace/name) that are meshform's but not in the state
 */
record StateAudit(String problem, StateSnapshot state, List<String> missing, Set<String> unrecorded) {

    /** The annotation meshform puts on what it creates, naming the state history it belongs to. */
    static final String LINEAGE_MARK = "meshform.io/lineage";

    /**
     * @param read        reads the state (a backend's read())
     * @param namespaces  where the stack's ConfigMaps live
     * @param declared    the ConfigMaps (namespace/name) the stack declares
     */
    static StateAudit of(Supplier<java.util.Optional<StateSnapshot>> read, KubernetesClient client,
                         Collection<String> namespaces, Set<String> declared) {
        StateSnapshot state;
        try {
            state = read.get().orElse(null);
        } catch (RuntimeException e) {
            return new StateAudit(e.getMessage(), null, List.of(), Set.of());
        }
        // One LIST per namespace instead of a GET per recorded object: the suite audits after every fault.
        Map<String, HasMetadata> configMaps = new HashMap<>();
        for (String ns : namespaces) {
            for (HasMetadata cm : client.configMaps().inNamespace(ns).list().getItems()) {
                configMaps.put(ns + "/" + cm.getMetadata().getName(), cm);
            }
        }
        List<String> missing = new ArrayList<>();
        Set<String> recordedObjects = new TreeSet<>();
        if (state != null) {
            for (ResourceState r : state.resources()) {
                String gone = missing(client, r, recordedObjects, configMaps);
                if (gone != null) {
                    missing.add(r.address() + ": " + gone);
                }
            }
        }
        Set<String> unrecorded = new TreeSet<>();
        for (String ns : namespaces) {
            for (HasMetadata cm : configMaps.entrySet().stream().filter(e -> e.getKey().startsWith(ns + "/"))
                    .map(Map.Entry::getValue).toList()) {
                String key = ns + "/" + cm.getMetadata().getName();
                var annotations = cm.getMetadata().getAnnotations();
                boolean marked = annotations != null && state != null && state.lineage().equals(annotations.get(LINEAGE_MARK));
                if ((marked || declared.contains(key)) && !recordedObjects.contains(key)) {
                    unrecorded.add(key);
                }
            }
        }
        return new StateAudit(null, state, missing, unrecorded);
    }

    /** Why the recorded resource's object is not in the cluster, or null when it is. */
    private static String missing(KubernetesClient client, ResourceState r, Set<String> recordedObjects,
                                  Map<String, HasMetadata> configMaps) {
        JsonNode a = r.attributes();
        switch (r.type()) {
            case "kubernetes.manifest" -> {
                JsonNode m = a.path("manifest");
                String ns = m.at("/metadata/namespace").asString("");
                String name = m.at("/metadata/name").asString("");
                recordedObjects.add(ns + "/" + name);
                boolean listed = m.path("kind").asString().equals("ConfigMap") && configMaps.keySet().stream()
                        .anyMatch(k -> k.startsWith(ns + "/"));
                HasMetadata live = listed ? configMaps.get(ns + "/" + name)
                        : client.genericKubernetesResources(m.path("apiVersion").asString(), m.path("kind").asString())
                                .inNamespace(ns).withName(name).get();
                if (live == null) {
                    return m.path("kind").asString() + " " + ns + "/" + name + " does not exist";
                }
                String uid = r.metadata().get("uid");
                if (uid != null && !uid.equals(live.getMetadata().getUid())) {
                    return "the live object is another one (uid " + live.getMetadata().getUid() + ", recorded " + uid + ")";
                }
                return null;
            }
            case "kubernetes.namespace" -> {
                String name = a.path("name").asString("");
                return client.namespaces().withName(name).get() == null ? "namespace " + name + " does not exist" : null;
            }
            case "istio.install" -> {
                String revision = a.path("revision").asString("default");
                String istiod = revision.equals("default") ? "istiod" : "istiod-" + revision;
                return client.apps().deployments().inNamespace("istio-system").withName(istiod).get() == null
                        ? "Deployment istio-system/" + istiod + " does not exist" : null;
            }
            default -> {
                return "the fault suite cannot check type " + r.type();
            }
        }
    }

    /** Nothing lost so far: the state parses and records nothing that is gone. */
    boolean sound() {
        return problem == null && missing.isEmpty();
    }

    String describe() {
        if (problem != null) {
            return "the state does not parse: " + problem;
        }
        return "serial " + (state == null ? "none" : state.serial()) + ", " + (state == null ? 0 : state.resources().size())
                + " recorded, missing " + missing + ", unrecorded " + unrecorded.size();
    }
}

package io.meshform.providers.istio.policy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.ReadRequest;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.providers.kubernetes.BeingDeleted;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.KubeErrors;
import io.meshform.providers.kubernetes.KubeObjects;
import io.meshform.providers.kubernetes.LineageMark;
import io.meshform.providers.kubernetes.ManagedFields;
import io.meshform.providers.kubernetes.ParallelLists;
import io.meshform.providers.kubernetes.RawReads;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** How an Istio policy type reads its declared objects from the cluster, and what of each it compares. */
final class PolicyReads {
    private final IstioPolicyType type;
    private final KubeConnection kube;

    PolicyReads(IstioPolicyType type, KubeConnection kube) {
        this.type = type;
        this.kube = kube;
    }

    /**
     * One LIST per namespace, of every object of the kind there: meshform's own (labelled) and those made by hand or by
     * kubectl, which lack the label and are found by name (the engine refuses to take them over unless the resource says
     * adopt: true). It was a labelled LIST first and an unfiltered one only when a declared object was missing, but
     * that is every object of a cold apply: two round trips in a row per namespace on the plan's critical path (an N=100
     * cold apply on the local control plane sent the second LISTs 330-420 ms after the first and the checks' reads
     * waited behind them; BENCHMARKS.md, issue 18). One unfiltered LIST gives the same objects by name, from one
     * snapshot, and the checks read every object of the kind in the cluster anyway.
     */
    Map<ResourceAddress, LiveObject> read(ReadRequest request) {
        Map<String, List<ResourceRef>> byNamespace = new TreeMap<>();
        for (ResourceRef r : request.resources()) {
            byNamespace.computeIfAbsent(Json.text(r.spec(), "namespace"), k -> new ArrayList<>()).add(r);
        }
        Map<String, Map<String, JsonNode>> listed = ParallelLists.each(byNamespace.keySet(), ns -> {
            Map<String, JsonNode> byName = new HashMap<>();
            try {
                // Read as JSON trees (RawReads.items), the one conversion each object needs.
                RawReads.items(kube.client(), type.op().inNamespace(ns), type.apiVersion(), type.kind(), null)
                        .forEach(i -> byName.put(KubeObjects.nameOf(i), i));
            } catch (KubernetesClientException ex) {
                if (!KubeErrors.notFound(ex)) {
                    throw kube.explain(type.name(), "list", type.kind() + " objects in namespace " + ns, ex);
                }
                // no such CRD yet (Istio not installed) or no namespace: nothing exists
            }
            return byName;
        });
        Map<ResourceAddress, LiveObject> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<ResourceRef>> e : byNamespace.entrySet()) {
            Map<String, JsonNode> byName = listed.get(e.getKey());
            for (ResourceRef r : e.getValue()) {
                JsonNode live = byName.get(IstioPolicyType.objectName(r.address(), r.spec()));
                if (live != null) {
                    String name = KubeObjects.nameOf(live);
                    // whether it is going too: then its plan is a replacement (BeingDeleted)
                    out.put(r.address(), new LiveObject(project(r.spec(), live), KubeObjects.resourceVersionOf(live),
                            BeingDeleted.of(live).orElse(null)).withOwnership(LineageMark.of(live, kube.fieldManager(), type.kind() + " " + e.getKey() + "/"
                                    + name, e.getKey() + "/" + name)));
                }
            }
        }
        return out;
    }

    /**
     * The live object in the spec's shape. Top-level spec fields that neither the spec declares nor meshform owns
     * (someone else set them) are left out, since an apply would not remove them.
     */
    ObjectNode project(JsonNode spec, JsonNode live) {
        ObjectNode out = Json.object();
        for (String meta : IstioPolicyType.META_FIELDS) {
            if (spec.has(meta)) {
                out.set(meta, spec.get(meta).deepCopy());
            }
        }
        JsonNode liveSpec = live.get("spec");
        ManagedFields owners = ManagedFields.of(live, "spec");
        Set<String> keep = new LinkedHashSet<>(type.istioSpec(spec).propertyNames());
        keep.addAll(owners.keysOf(kube.fieldManager()));
        if (liveSpec != null && liveSpec.isObject()) {
            for (Map.Entry<String, JsonNode> f : liveSpec.properties()) {
                if (keep.contains(f.getKey())) {
                    out.set(f.getKey(), f.getValue().deepCopy());
                }
            }
        }
        return out;
    }
}

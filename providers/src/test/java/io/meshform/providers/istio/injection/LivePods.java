package io.meshform.providers.istio.injection;

import io.fabric8.kubernetes.api.model.Pod;
import io.meshform.providers.kubernetes.Json;
import java.util.List;

/** Pods built with fabric8's builders (easy to write in a test), as the checks read them: from their JSON. */
public final class LivePods {
    private LivePods() {
    }

    public static LivePod of(Pod pod) {
        return LivePod.of(Json.toNode(pod));
    }

    public static List<LivePod> of(List<Pod> pods) {
        return pods.stream().map(LivePods::of).toList();
    }
}

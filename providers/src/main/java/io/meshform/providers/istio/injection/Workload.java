package io.meshform.providers.istio.injection;

/** A Deployment, StatefulSet or DaemonSet: the controllers whose pods `kubectl rollout restart` replaces. */
public record Workload(String kind, String namespace, String name) implements Comparable<Workload> {
    public static final String DEPLOYMENT = "Deployment";
    public static final String STATEFUL_SET = "StatefulSet";
    public static final String DAEMON_SET = "DaemonSet";

    public String describe() {
        return kind + " " + namespace + "/" + name;
    }

    @Override
    public int compareTo(Workload o) {
        return describe().compareTo(o.describe());
    }
}

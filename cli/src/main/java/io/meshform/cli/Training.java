package io.meshform.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The training run of the launcher's class cache (dist/src/main/dist/lib/launch.sh): runs, in one JVM, what users
 * run, so the AppCDS archive (JDK 17-24) or AOT cache (JDK 25+) written at its exit holds the classes those runs
 * load. {@code version}, help, {@code validate} of the given stack; then, against a fake API server on a loopback
 * port ({@link TrainingApiServer}), an apply, a no-op plan and a drift of a small generated stack, and two plans of
 * the given stack, so the planner, the mesh checks, the plan's rendering, the apply and the drift code and the fabric8
 * model classes a real run reads into are loaded too (a plan that stopped at its first request left about 990 of a
 * real plan's classes out: BENCHMARKS.md, issue 18, midday session: training).
 * <p>
 * Nothing leaves the machine and nothing is written outside the given directory: the server listens on 127.0.0.1,
 * the runs get their kubeconfig and state files in the directory, and the JVM's home (where istioctl's answers are
 * remembered) and temporary directory are moved into it. The small stack's runs point istioctl at a path that does
 * not exist (they only warn); the given stack's plans use the user's istioctl, if any, for the offline render of its
 * istio.install, never for {@code istioctl analyze}, which against the fake server retries for minutes. The given
 * stack is not applied: that would run {@code istioctl install} against the fake server.
 *
 * <pre>java -XX:ArchiveClassesAtExit=F -Djava.io.tmpdir=DIR/tmp -cp meshform.jar io.meshform.cli.Training DIR [STACK]</pre>
 *
 * Prints one line: the API requests the fake server answered by method, and each run's exit code and time.
 */
public final class Training {
    /** The namespaces examples/cortex-production.yaml (the launcher's training stack) labels: they must exist. */
    private static final List<String> EXISTING_NAMESPACES = List.of("cortex", "cortex-compute");

    private Training() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]).toAbsolutePath();
        Path stack = args.length > 1 && Files.isRegularFile(Path.of(args[1])) ? Path.of(args[1]) : null;
        // istioctl's remembered answers go under the home (unless MESHFORM_CACHE or XDG_CACHE_HOME say otherwise:
        // the launcher unsets the one and sets the other into DIR). The temporary files the providers make for
        // istioctl need -Djava.io.tmpdir=DIR/... on the command line: the JDK reads that property once, at start.
        System.setProperty("user.home", Files.createDirectories(dir.resolve("home")).toString());
        System.out.println(run(dir, stack));
    }

    /** Runs the training; returns its summary line. */
    static String run(Path dir, Path stack) throws IOException {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        Map<String, String> env = new HashMap<>(System.getenv());
        Terminal quiet = new Terminal(sink, sink, InputStream.nullInputStream(), env, false);
        List<String> exits = new ArrayList<>();
        List<String> times = new ArrayList<>();
        Step step = (name, args) -> {
            long start = System.nanoTime();
            exits.add(name + "=" + Main.run(quiet, args));
            times.add(name + "=" + (System.nanoTime() - start) / 1_000_000);
        };
        step.run("version", "version");
        step.run("help", "--help");
        step.run("plan-help", "plan", "--help");
        step.run("typo", "plna");
        if (stack != null) {
            step.run("validate", "validate", "-f", stack.toString(), "--no-color");
        }
        TrainingCluster cluster = new TrainingCluster(EXISTING_NAMESPACES);
        try (TrainingApiServer server = TrainingApiServer.start(cluster)) {
            Path kubeconfig = server.writeKubeconfig(dir.resolve("kubeconfig"));
            Path small = writeSmallStack(dir.resolve("small.yaml"));
            step.run("apply", cluster(dir, kubeconfig, "apply", small, "--auto-approve"));
            step.run("plan", cluster(dir, kubeconfig, "plan", small));
            cluster.editByHand("/api/v1/namespaces/training-0/configmaps/settings-0", "team", "changed-by-hand");
            step.run("drift", cluster(dir, kubeconfig, "drift", small));
            if (stack != null) {
                // With the providers' istioctl, if there is one: it renders istio.install offline (the second plan
                // reads the render it remembered, as users' plans do). Not its analyze: against this server it
                // retries for minutes.
                String[] plan = withIstioctl(cluster(dir, kubeconfig, "plan", stack, "--no-analyze"));
                step.run("stack-plan", plan);
                step.run("stack-plan-again", plan);
            }
        }
        // fabric8's model classes (about 600), which plan and drift of built-in kinds no longer load (BuiltInKinds),
        // but an apply's typed objects and a custom kind's lookup still do, through the same scan: in the class
        // cache they cost 92 ms of CPU, from the jar 336 ms (BENCHMARKS.md, issue 18, late session: small).
        new io.fabric8.kubernetes.client.utils.KubernetesSerialization().getRegisteredKubernetesResource("v1", "Namespace");
        Map<String, Integer> byMethod = new TreeMap<>();
        for (String request : cluster.requests()) {
            byMethod.merge(request.substring(0, request.indexOf(' ')), 1, Integer::sum);
        }
        return "training: requests " + byMethod + ", exit codes " + String.join(" ", exits) + ", ms "
                + String.join(" ", times);
    }

    /** One command of the training, recorded with its exit code and time. */
    private interface Step {
        void run(String name, String... args);
    }

    /** The arguments of a run against the fake server, with its own state file per stack in the directory. */
    private static String[] cluster(Path dir, Path kubeconfig, String command, Path stack, String... more) {
        List<String> args = new ArrayList<>(List.of(command, "-f", stack.toString(),
                "--state", dir.resolve(stack.getFileName() + ".state.json").toString(),
                "--kubeconfig", kubeconfig.toString(), "--istioctl", dir.resolve("istioctl-absent").toString(),
                "--no-color"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** Without the --istioctl of {@link #cluster}: the providers' own istioctl (MESHFORM_ISTIOCTL, PATH). */
    private static String[] withIstioctl(String[] args) {
        List<String> out = new ArrayList<>(List.of(args));
        int i = out.indexOf("--istioctl");
        out.remove(i + 1);
        out.remove(i);
        return out.toArray(String[]::new);
    }

    /**
     * The shape of bench/run's generated stacks: namespaces, their injection labels, ConfigMaps as
     * kubernetes.manifest and PeerAuthentications, two of each.
     */
    private static Path writeSmallStack(Path file) throws IOException {
        StringBuilder s = new StringBuilder("""
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: training, environment: staging}
                resources:
                """);
        for (int i = 0; i < 2; i++) {
            s.append("""
                      - type: kubernetes.namespace
                        name: ns-%1$d
                        spec: {name: training-%1$d, labels: {team: platform}}
                      - type: kubernetes.labels
                        name: injection-%1$d
                        dependsOn: [kubernetes.namespace.ns-%1$d]
                        spec: {kind: Namespace, name: training-%1$d, labels: {istio-injection: enabled}}
                      - type: kubernetes.manifest
                        name: settings-%1$d
                        dependsOn: [kubernetes.namespace.ns-%1$d]
                        spec:
                          manifest:
                            apiVersion: v1
                            kind: ConfigMap
                            metadata: {name: settings-%1$d, namespace: training-%1$d}
                            data: {index: "%1$d", team: platform}
                      - type: istio.peerAuthentication
                        name: pa-%1$d
                        dependsOn: [kubernetes.namespace.ns-%1$d]
                        spec: {namespace: training-%1$d, name: pa-%1$d, selector: {matchLabels: {app: app-%1$d}}, mtls: {mode: PERMISSIVE}}
                    """.formatted(i));
        }
        Files.writeString(file, s);
        return file;
    }
}

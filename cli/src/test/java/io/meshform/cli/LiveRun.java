package io.meshform.cli;

import io.meshform.testkit.ClusterContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One CLI run in the test's JVM against the live cluster: its exit code and what it printed, stdout and stderr in
 * one text as a terminal shows them (no terminal: colours off, nothing to read on stdin).
 */
record LiveRun(int code, String out) {

    /** {@code meshform ARGS -f STACK --kubeconfig <the test cluster's>}. */
    static LiveRun of(ClusterContext cluster, Path stack, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", stack.toString(), "--kubeconfig", cluster.kubeconfigPath().toString()));
        return exactly(all.toArray(String[]::new));
    }

    /** {@code meshform ARGS}, nothing added (e.g. {@code show PLANFILE}, which takes no stack). */
    static LiveRun exactly(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false), args);
        return new LiveRun(code, buf.toString(StandardCharsets.UTF_8));
    }
}

package io.meshform.bench;

import io.meshform.state.LocalStateBackend;
import io.meshform.state.ResourceState;
import io.meshform.state.StateSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What recording an apply's steps costs the local state, without a cluster: N steps recorded one by one (as an
 * apply with --parallelism 1 does; parallel steps are grouped into fewer records or writes), then the end of the
 * apply. With the journal each step is one appended, fdatasync'd line and the end one whole write; without it
 * ({@code MESHFORM_STATE_JOURNAL=off}) each step rewrites the whole, growing file (temp file, fsync, rename,
 * backup link, directory fsync). Each resource is about the size of a recorded ConfigMap of the bench's stack.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgs = {"-Xmx256m"})
public class StateRecordingBenchmark {
    @Param({"1000"})
    int steps;

    @Param({"true", "false"})
    boolean journal;

    private Path dir;
    private ResourceState[] resources;

    @Setup(Level.Trial)
    public void resources() {
        JsonMapper json = JsonMapper.builder().build();
        resources = new ResourceState[steps];
        for (int i = 0; i < steps; i++) {
            ObjectNode a = json.createObjectNode();
            ObjectNode m = a.putObject("manifest");
            m.put("apiVersion", "v1").put("kind", "ConfigMap");
            m.putObject("metadata").put("name", "cm-" + i).put("namespace", "bench-" + i % 10)
                    .putObject("annotations").put("meshform.io/lineage", "0f8c1d2e-5b6a-4c3d-9e8f-7a6b5c4d3e2f");
            m.putObject("data").put("index", Integer.toString(i)).put("team", "platform");
            resources[i] = new ResourceState("kubernetes.manifest.cm-" + i, "kubernetes.manifest", a,
                    Map.of("uid", "2b9f4c1e-8d7a-4e6b-b5c3-" + String.format("%012d", i), "resourceVersion", "1234" + i,
                            "depends_on", "kubernetes.namespace.ns-" + i % 10));
        }
    }

    @Setup(Level.Invocation)
    public void freshDirectory() throws IOException {
        dir = Files.createTempDirectory("meshform-state-bench");
    }

    @TearDown(Level.Invocation)
    public void removeDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    public StateSnapshot recordEveryStepThenFinish() {
        LocalStateBackend backend = new LocalStateBackend(dir.resolve("meshform.state.json"), journal);
        StateSnapshot s = backend.write(StateSnapshot.empty("bench"));
        for (ResourceState r : resources) {
            s = backend.record(s.with(r));
        }
        return backend.compact().orElse(s);
    }
}

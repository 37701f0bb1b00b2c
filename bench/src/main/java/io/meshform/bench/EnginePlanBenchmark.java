package io.meshform.bench;

import io.meshform.engine.load.StackLoader;
import io.meshform.engine.load.VariableInputs;
import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.state.StateSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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

/**
 * The engine alone: load and validate a stack file of N resources, build the graph and plan it against an
 * in-memory provider. Each resource depends on the one 100 before it, so the graph has real edges. The heap
 * limit is part of the claim: the fork runs with -Xmx256m, so a run that needs more fails.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgs = {"-Xmx256m", "-Xms256m"})
public class EnginePlanBenchmark {
    @Param({"10000"})
    int resources;

    private Path dir;
    private Path stackFile;
    private TypeRegistry types;

    @Setup(Level.Trial)
    public void writeStack() throws IOException {
        dir = Files.createTempDirectory("meshform-bench");
        stackFile = dir.resolve("stack.yaml");
        StringBuilder sb = new StringBuilder("apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: bench}\nresources:\n");
        for (int i = 0; i < resources; i++) {
            sb.append("  - type: test.thing\n    name: r").append(i).append('\n');
            if (i >= 100) {
                sb.append("    dependsOn: [test.thing.r").append(i - 100).append("]\n");
            }
            sb.append("    spec:\n      value: \"v").append(i).append("\"\n      namespace: ns").append(i % 10)
                    .append("\n      labels: {app: bench, index: \"").append(i).append("\"}\n");
        }
        Files.writeString(stackFile, sb.toString());
        types = new InMemoryCluster().registry();
    }

    @TearDown(Level.Trial)
    public void clean() throws IOException {
        Files.deleteIfExists(stackFile);
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public Plan loadValidateGraphAndPlan() {
        Stack stack = new StackLoader(types).load(stackFile, VariableInputs.none()).stack();
        Plan plan = new Planner(types, "bench").plan(stack, StateSnapshot.empty("bench"), PlanOptions.defaults());
        if (plan.changes().size() != resources) {
            throw new IllegalStateException("expected " + resources + " changes, got " + plan.changes().size());
        }
        return plan;
    }
}

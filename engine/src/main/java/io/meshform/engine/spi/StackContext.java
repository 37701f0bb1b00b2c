package io.meshform.engine.spi;

import io.meshform.engine.model.Environment;
import io.meshform.engine.model.Stack;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * What every request of one run knows about the stack it serves: the stack (its resources and environment) and the
 * directory of its file, which relative paths in specs ({@code file:} of a manifest, {@code addons.manifests}, an
 * install's own {@code istioctl}) resolve against. The engine makes one per run (plan, apply, drift, the check of a
 * saved plan) and hands the same one to every request, so resource types keep nothing between calls: what they need
 * travels here, or from {@code read} to {@code plan} in {@link LiveObject#data()}.
 *
 * <p>{@link #memo} holds what a type learns from the cluster once per run and asks again per resource (does
 * namespace X exist, which istioctl a path names); it dies with the run, so no answer outlives the run that got it.
 */
public final class StackContext {
    private final Stack stack;
    private final Path baseDirectory;
    private final ConcurrentMap<Object, Object> memo = new ConcurrentHashMap<>();
    private final boolean drift;

    private StackContext(Stack stack, Path baseDirectory, boolean drift) {
        this.stack = stack;
        this.baseDirectory = baseDirectory;
        this.drift = drift;
    }

    /** The context of a run over {@code stack}: paths resolve against the directory of the stack's file. */
    public static StackContext of(Stack stack) {
        Objects.requireNonNull(stack, "stack");
        Path file = stack.file();
        Path dir = file == null ? null : file.toAbsolutePath().getParent();
        return new StackContext(stack, dir == null ? Path.of("").toAbsolutePath() : dir, false);
    }

    /**
     * The context of a drift run over {@code stack} ({@link #drift()}): what {@link #of} gives, for a run that only
     * compares the cluster with what was applied.
     */
    public static StackContext forDrift(Stack stack) {
        StackContext plain = of(stack);
        return new StackContext(plain.stack, plain.baseDirectory, true);
    }

    /**
     * True in a drift run: plan is asked to compare what was applied (sensitive values in clear where the stack still
     * gives the applied value) with the cluster, and sends nothing a plan sends only for its warnings (a Secret's
     * dry-run for a conflict): drift reports no warnings, and runs with read-only rights.
     */
    public boolean drift() {
        return drift;
    }

    /**
     * A context without a stack (a single-resource tool, or a test that drives one type by hand): relative paths
     * resolve against the working directory, and {@link #stack()} declares nothing.
     */
    public static StackContext detached() {
        return new StackContext(new Stack("detached", Environment.DEVELOPMENT, null,
                io.meshform.engine.model.BackendConfig.localDefault(), java.util.List.of(), ""),
                Path.of("").toAbsolutePath(), false);
    }

    public Stack stack() {
        return stack;
    }

    /** The absolute directory of the stack file. */
    public Path baseDirectory() {
        return baseDirectory;
    }

    public Environment environment() {
        return stack.environment();
    }

    /** {@code path} as written in a spec: absolute as it is, relative to the stack file's directory otherwise. */
    public Path resolve(String path) {
        Path p = Path.of(path);
        return p.isAbsolute() ? p : baseDirectory.resolve(p).normalize();
    }

    /** The value {@code key} has in this run, computed by {@code compute} on first use (once, even when asked concurrently). */
    @SuppressWarnings("unchecked")
    public <T> T memo(Object key, Supplier<T> compute) {
        return (T) memo.computeIfAbsent(key, k -> compute.get());
    }
}

package io.meshform.engine.spi;

import io.meshform.engine.model.Environment;
import io.meshform.engine.model.Stack;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;
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
 * An answer read from objects a step of the same run then writes is stale: {@link #memo(Object, Predicate, Supplier)}
 * says which writes make it so, and {@link #wrote} drops it, so the next request reads again.
 */
public final class StackContext {
    private final Stack stack;
    private final Path baseDirectory;
    private final ConcurrentMap<Object, Object> memo = new ConcurrentHashMap<>();
    /** For an answer read from objects of the cluster: which writes of this run make it stale. */
    private final ConcurrentMap<Object, Predicate<Written>> staleAfter = new ConcurrentHashMap<>();
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

    /**
     * As {@link #memo(Object, Supplier)}, for an answer read from cluster objects that a step of this run may write
     * (an apply's {@code kubernetes.manifest} of an injector webhook): after a write {@code staleAfter} accepts
     * ({@link #wrote}), the next call reads again. Without such a write the run reads once.
     */
    public <T> T memo(Object key, Predicate<Written> staleAfter, Supplier<T> compute) {
        this.staleAfter.put(key, staleAfter);
        return memo(key, compute);
    }

    /**
     * A step of this run wrote (applied or deleted) {@code written}: the answers it makes stale are dropped. An answer
     * being computed meanwhile is dropped once it is in (the map waits for it), so a read that began before the write
     * is not kept.
     */
    public void wrote(Written written) {
        staleAfter.forEach((key, stale) -> {
            if (stale.test(written)) {
                memo.remove(key);
            }
        });
    }

    /**
     * An object a step wrote, as Kubernetes names it: {@code apiVersion} ({@code admissionregistration.k8s.io/v1}),
     * {@code kind}, {@code namespace} (null for a cluster-scoped object) and {@code name}.
     */
    public record Written(String apiVersion, String kind, String namespace, String name) {
        /** The API group: the part of {@code apiVersion} before the slash, empty for the core group ({@code v1}). */
        public String group() {
            int slash = apiVersion == null ? -1 : apiVersion.indexOf('/');
            return slash < 0 ? "" : apiVersion.substring(0, slash);
        }
    }
}

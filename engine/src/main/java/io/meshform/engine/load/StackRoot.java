package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.diag.SourceRange;
import io.meshform.state.RealPaths;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The directory a stack may read from. A stack is edited by whoever can open a pull request, and planned by a
 * pipeline that holds cluster credentials: a path the stack names ({@code imports}, a manifest {@code file:},
 * {@code addons.manifests}, a local backend {@code path}, and {@code --var-file} files) must resolve, after
 * symbolic links, inside this directory, so that a stack cannot read (and print) the runner's kubeconfig or
 * tokens. The root is the directory of the {@code -f} file unless {@code --root} names another;
 * {@code --allow-outside-root} lifts the rule for runs whose stacks are trusted.
 *
 * @param directory    the root, absolute and normalised
 * @param allowOutside true when the user allowed paths outside the root
 */
public record StackRoot(Path directory, boolean allowOutside) {
    /** Provider settings that carry the root: the CLI sets them, providers confine the files they read with them. */
    public static final String ROOT_SETTING = "stackRoot";
    public static final String ALLOW_OUTSIDE_SETTING = "allowOutsideRoot";
    /** The directory of the stack file, against which relative paths in the stack resolve. */
    public static final String BASE_SETTING = "stackDirectory";

    public StackRoot {
        directory = directory.toAbsolutePath().normalize();
    }

    /** No confinement: library use and tests, where the caller decides what is read. */
    public static StackRoot unconfined() {
        return new StackRoot(Path.of("").toAbsolutePath().getRoot(), true);
    }

    /** The root the provider settings name, or no confinement when they name none. */
    public static StackRoot fromSettings(Map<String, String> settings) {
        String root = settings.get(ROOT_SETTING);
        if (root == null || root.isBlank()) {
            return unconfined();
        }
        return new StackRoot(Path.of(root), "true".equals(settings.get(ALLOW_OUTSIDE_SETTING)));
    }

    /**
     * Resolves {@code name} (as written in the stack) against {@code base} and checks that it stays inside the
     * root. Returns the path to read: symbolic links resolved, so what was checked is what is read.
     *
     * @param what "import", "manifest file", ... for the message
     * @param at   where the name is written, or null
     */
    public Path resolve(Path base, String name, String what, SourceRange at) {
        Path candidate = base.resolve(name).toAbsolutePath().normalize();
        Path real;
        try {
            real = RealPaths.resolve(candidate);
        } catch (IOException e) {
            if (allowOutside) {
                return candidate;
            }
            // Where a loop (or a chain longer than the kernel follows) leads cannot be told: never judge it inside.
            throw new DiagnosticsException(Diagnostic.error(what + " `" + name + "` cannot be resolved: "
                            + (e instanceof FileSystemLoopException ? "it is a loop of symbolic links (or more than "
                            + RealPaths.MAX_LINKS + " links in a row)" : "a symbolic link on it cannot be read ("
                            + e.getMessage() + ")"),
                    "a stack may only name files under its root (the directory of the -f file, or --root DIR), and"
                            + " where this path leads cannot be told; point it at a regular file under the root, or"
                            + " pass --allow-outside-root if you trust every author of this stack", at));
        }
        if (allowOutside || inside(real)) {
            return real;
        }
        throw new DiagnosticsException(Diagnostic.error(what + " `" + name + "` is outside the stack's root directory "
                        + directory + (real.equals(candidate) ? "" : " (through a symbolic link it leads to " + real
                        + (Files.exists(real) ? "" : ", which does not exist yet: a write there would create it") + ")"),
                "a stack may only name files under its root (the directory of the -f file, or --root DIR), so that"
                        + " whoever edits a stack cannot make the run read its kubeconfig or tokens, or write outside"
                        + " the root; move the file under the root (and remove a link that points out of it), pass"
                        + " --root with a directory that holds it, or --allow-outside-root if you trust every author of"
                        + " this stack", at));
    }

    /** True when {@code path} (already resolved) lies inside the root. */
    public boolean inside(Path path) {
        Path root = realPath(directory);
        return path.startsWith(root) || path.startsWith(directory);
    }

    /**
     * The path with every symbolic link on it resolved, component by component ({@link RealPaths}): a link inside
     * the root to a file outside is outside, and so is a <em>dangling</em> link (its target does not exist yet),
     * which is judged by its target, since a write through it creates the target. Where the path cannot be
     * resolved (a loop of links), the path itself; {@link #resolve} refuses such a path instead.
     */
    static Path realPath(Path path) {
        try {
            return RealPaths.resolve(path);
        } catch (IOException e) {
            return path;
        }
    }
}

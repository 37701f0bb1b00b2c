package io.meshform.state;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Where a path leads once every symbolic link on it is resolved, component by component, as the kernel resolves it
 * when a file is created there. Unlike {@link Path#toRealPath}, the path need not exist: a part that does not exist
 * is kept as written, and a <em>dangling</em> link is judged by its target (followed recursively), never by where
 * the link itself lies. So a link inside a directory that points to a file not yet created elsewhere leads
 * elsewhere, which is where a write through it would land.
 */
public final class RealPaths {
    /** The most links one resolution follows, as Linux does (MAXSYMLINKS); more is reported as a loop. */
    public static final int MAX_LINKS = 40;

    private RealPaths() {
    }

    /**
     * The absolute path {@code path} leads to, with no symbolic link left on it (as far as it exists).
     *
     * @throws FileSystemLoopException when more than {@link #MAX_LINKS} links are met (a loop, or a chain too long
     *     for the kernel to follow)
     * @throws IOException             when a link cannot be read
     */
    public static Path resolve(Path path) throws IOException {
        Path abs = path.toAbsolutePath();
        Path current = abs.getRoot();
        Deque<String> todo = new ArrayDeque<>();
        abs.forEach(part -> todo.addLast(part.toString()));
        int links = 0;
        while (!todo.isEmpty()) {
            String name = todo.removeFirst();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                // current holds no link, so its parent is the physical parent
                Path parent = current.getParent();
                current = parent == null ? current : parent;
                continue;
            }
            Path next = current.resolve(name);
            if (!Files.isSymbolicLink(next)) {
                current = next;
                continue;
            }
            if (++links > MAX_LINKS) {
                throw new FileSystemLoopException(abs.toString());
            }
            Path target = Files.readSymbolicLink(next);
            // The target's parts come before what is left; an absolute target starts again from its root.
            Deque<String> parts = new ArrayDeque<>();
            target.forEach(part -> parts.addLast(part.toString()));
            while (!parts.isEmpty()) {
                todo.addFirst(parts.removeLast());
            }
            if (target.isAbsolute()) {
                current = target.getRoot();
            }
        }
        return current;
    }

    /** True when {@code path}, once resolved, lies in {@code directory} (resolved too) or is that directory. */
    public static boolean within(Path path, Path directory) throws IOException {
        Path dir = directory.toAbsolutePath().normalize();
        Path real = resolve(path);
        return real.startsWith(resolve(dir)) || real.startsWith(dir);
    }
}

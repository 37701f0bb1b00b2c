package io.meshform.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/**
 * File writes that a crash (kill -9, power loss) cannot leave half done: the content goes to a temp file in the
 * same directory, is fsynced, and replaces the target by an atomic rename. Files are owner-only because state
 * holds the applied specs, which may include secrets.
 */
final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Replaces {@code target} with {@code bytes}: readers see the old or the new content, never a mix. */
    static void write(Path target, byte[] bytes) throws IOException {
        Path dir = directoryOf(target);
        Files.createDirectories(dir);
        Path tmp = tempBeside(target);
        try {
            writeNew(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically, so meshform "
                        + "cannot write state there safely; keep the state on a local disk", e);
            }
            fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Makes {@code backup} hold what {@code file} holds now, without copying: a hard link to the current file,
     * renamed into place, so the backup costs nothing however large the state. Falls back to a copy where the
     * file system has no hard links.
     */
    static void preserve(Path file, Path backup) throws IOException {
        Path dir = directoryOf(backup);
        Path tmp = tempBeside(backup);
        try {
            try {
                Files.createLink(tmp, file);
            } catch (UnsupportedOperationException | IOException e) {
                write(backup, Files.readAllBytes(file));
                return;
            }
            Files.move(tmp, backup, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Opens (creating, owner-only) the lock file for an OS lock. A link there is refused rather than followed:
     * meshform writes the holder record into this file, and a planted link must not make it write elsewhere.
     */
    static FileChannel openLockFile(Path lockFile) throws IOException {
        Files.createDirectories(directoryOf(lockFile));
        return FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), ownerOnly(lockFile));
    }

    /**
     * Deletes the temp files a killed write left beside {@code target} ({@code .<name>.tmp-<uuid>}). Only the lock
     * holder calls this, so no write of another run can be under way.
     */
    static void removeLeftovers(Path target) {
        Path dir = directoryOf(target);
        String prefix = "." + target.getFileName() + ".tmp-";
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix))) {
            for (Path p : leftovers) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover costs space, never correctness: readers only ever open the target itself
        }
    }

    /**
     * Where writes to {@code path} land: {@code path} itself, or, when it is a symbolic link (or a chain of them),
     * the file the link points to, even if that file does not exist yet. Relative links resolve against the link's
     * directory, as the kernel resolves them.
     *
     * @throws StateException for a chain of more than 40 links (a loop)
     */
    static Path throughLinks(Path path) {
        Path p = path;
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops == 40) {
                throw new StateException("state path " + path + " is a loop of symbolic links; point --state at the "
                        + "real file");
            }
            try {
                Path target = Files.readSymbolicLink(p);
                Path dir = p.toAbsolutePath().getParent();
                p = (dir == null ? target : dir.resolve(target)).normalize();
            } catch (IOException e) {
                throw new StateException("cannot read the symbolic link " + p + ": " + e.getMessage(), e);
            }
        }
        return p;
    }

    private static void writeNew(Path path, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(path,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly(path))) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
    }

    static FileAttribute<?>[] ownerOnly(Path path) {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[] {
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
        }
        return new FileAttribute<?>[0];
    }

    /** Makes the rename itself durable; not every platform can open a directory, and then we skip it. */
    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open directories; the rename is still atomic, only its durability is weaker
        }
    }

    /** A fresh hidden name beside {@code target}, on its file system, so the rename into place is atomic. */
    private static Path tempBeside(Path target) {
        return directoryOf(target).resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
    }

    static Path directoryOf(Path target) {
        Path parent = target.toAbsolutePath().getParent();
        return parent == null ? target.toAbsolutePath().getRoot() : parent;
    }
}

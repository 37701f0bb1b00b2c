package io.meshform.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
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
     * Creates {@code target} holding {@code bytes}, failing with FileAlreadyExistsException when it exists.
     * The content is complete when the file appears: it is written aside, then hard-linked into place.
     */
    static void createExclusive(Path target, byte[] bytes) throws IOException {
        Path dir = directoryOf(target);
        Files.createDirectories(dir);
        Path tmp = tempBeside(target);
        try {
            writeNew(tmp, bytes);
            try {
                Files.createLink(target, tmp);
            } catch (UnsupportedOperationException | FileSystemException e) {
                if (e instanceof java.nio.file.FileAlreadyExistsException exists) {
                    throw exists;
                }
                // no hard links here (some network and FUSE file systems): create in place; a reader may then
                // briefly see an empty file, which it reports as an unreadable lock
                writeNew(target, bytes);
            }
            fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
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

    private static FileAttribute<?>[] ownerOnly(Path path) {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[] {
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
        }
        return new FileAttribute<?>[0];
    }

    /** Makes the rename itself durable; not every platform can open a directory, and then we skip it. */
    private static void fsyncDirectory(Path dir) {
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

    private static Path directoryOf(Path target) {
        Path parent = target.toAbsolutePath().getParent();
        return parent == null ? target.toAbsolutePath().getRoot() : parent;
    }
}

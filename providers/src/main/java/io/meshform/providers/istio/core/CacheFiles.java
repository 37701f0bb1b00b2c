package io.meshform.providers.istio.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The files of meshform's cache of istioctl answers (remembered outputs, parsed renders): each written whole and
 * readable by the user alone, as they may hold rendered configuration, and the directory bounded to the newest
 * files by modification time, so a user who changes stacks or istioctl often does not collect them without end.
 * A file is read back only when this user wrote it ({@link #read}).
 */
public final class CacheFiles {
    private CacheFiles() {
    }

    /**
     * Writes {@code text} to {@code dir/name} through a private temporary file and one rename (so a reader never
     * sees half a file), then keeps the {@code keep} newest files that {@code names} accepts.
     */
    public static void write(Path dir, String name, String text, Predicate<String> names, int keep) throws IOException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException | IOException ignored) {
            // not ours to change, or not POSIX: the file's own mode still applies
        }
        Path tmp = Files.createTempFile(dir, name, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        keep(dir, names, keep);
    }

    /**
     * The text of {@code dir/name}, when it is a regular file (not a link) that this user owns and no one else may
     * write, in a directory of the same kind: anything else (another user's file planted in a shared cache
     * directory, a link to elsewhere) is not an answer meshform kept, and the caller computes it again.
     */
    public static Optional<String> read(Path dir, String name) {
        try {
            PosixFileAttributes attrs = Files.readAttributes(dir.resolve(name), PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            PosixFileAttributes dirAttrs = Files.readAttributes(dir, PosixFileAttributes.class);
            UserPrincipal me = me(dir);
            if (!attrs.isRegularFile() || !attrs.owner().equals(me) || !dirAttrs.owner().equals(me)
                    || othersMayWrite(attrs.permissions()) || othersMayWrite(dirAttrs.permissions())) {
                return Optional.empty();
            }
            return Optional.of(Files.readString(dir.resolve(name), StandardCharsets.UTF_8));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** This process's user: the owner of /proc/self on Linux, else the user named by {@code user.name}. */
    private static UserPrincipal me(Path dir) throws IOException {
        Path self = Path.of("/proc/self");
        return Files.exists(self) ? Files.getOwner(self)
                : dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
    }

    private static boolean othersMayWrite(Set<PosixFilePermission> p) {
        return p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE);
    }

    /** Deletes all but the {@code keep} newest files of {@code dir} whose names {@code names} accepts. */
    public static void keep(Path dir, Predicate<String> names, int keep) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> listed = Files.list(dir)) {
            listed.filter(p -> names.test(p.getFileName().toString())).forEach(files::add);
        }
        if (files.size() <= keep) {
            return;
        }
        files.sort(Comparator.comparing(CacheFiles::modified).reversed());
        for (Path old : files.subList(keep, files.size())) {
            Files.deleteIfExists(old);
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}

package io.meshform.providers.istio.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The private directory (0700) of one meshform run for the files it hands to istioctl: the IstioOperator of an
 * install (it holds the meshConfig and values, sensitive variables spliced there included) and the objects of
 * {@code istioctl validate}. Each file is still deleted as soon as istioctl is done with it; the directory goes when
 * the run ends ({@link #close}, by the provider that owns it; a shutdown hook if the JVM exits first), and what a
 * killed run ({@code kill -9}) left is removed by the next run: the directory's name carries its process's pid and
 * start time, and a directory whose process no longer runs is deleted when the next one is made. Only directories of
 * this user are touched, links never followed.
 *
 * <p>An instance per run, not one per process: several runs in one JVM (the integration tests call {@code Main.run}
 * again and again, at times at once) each get their own directory, and closing one cannot remove another's files.
 */
public final class RunDirectory implements AutoCloseable {
    static final String PREFIX = "meshform-run-";
    /** pid, start time, PID namespace (absent in names older runs made), random. */
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-(\\d+)-(?:(\\d+)-)?[0-9a-f]+");
    /**
     * How long a directory of another PID namespace is kept: a run there (a container sharing this {@code /tmp}) has
     * a pid this process cannot look up, so only its age says it has ended. A live run's directory is written at
     * every istioctl call, and {@link #path} makes it again should it go anyway.
     */
    static final Duration FOREIGN_STALE_AFTER = Duration.ofHours(24);

    /**
     * The inode of this process's PID namespace ({@code /proc/self/ns/pid} reads "pid:[4026531836]"), 0 where it
     * cannot be read. A constant of the process, read once.
     */
    static final long PID_NAMESPACE = pidNamespace();

    private final Path root;
    /** Made on first use (a run that hands istioctl no file makes none); null before, and after {@link #close}. */
    private Path path;
    private Thread atExit;
    private boolean closed;

    private RunDirectory(Path root) {
        this.root = root;
    }

    /** A run's directory under {@code java.io.tmpdir}, made (and stale ones removed) when first used. */
    public static RunDirectory underTemp() {
        return under(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** As {@link #underTemp()}, under {@code root}. */
    static RunDirectory under(Path root) {
        return new RunDirectory(root);
    }

    /** The directory, made now if it was not yet (or was removed by someone meanwhile). */
    public synchronized Path path() {
        if (closed) {
            throw new IllegalStateException("the run that owned " + (path == null ? "this run directory" : path)
                    + " has ended: no file for istioctl can be written there any more");
        }
        if (path == null || !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            path = create(root);
            if (atExit == null) {
                atExit = new Thread(this::deleteNow, "meshform-run-directory");
                try {
                    Runtime.getRuntime().addShutdownHook(atExit);
                } catch (IllegalStateException shuttingDown) {
                    // made while the JVM exits (a SIGTERM): the next run removes it
                }
            }
        }
        return path;
    }

    /** A new file (0600) in this run's directory, e.g. {@code newFile("iop-", ".yaml")}. */
    public Path newFile(String prefix, String suffix) throws IOException {
        return Files.createTempFile(path(), prefix, suffix,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    /** A new directory (0700) in this run's directory. */
    public Path newDirectory(String prefix) throws IOException {
        return Files.createTempDirectory(path(), prefix,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /** Removes the directory with what is left in it; a later {@link #path} fails. Closing twice does nothing. */
    @Override
    public synchronized void close() {
        closed = true;
        deleteNow();
        if (atExit != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(atExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway, and finds nothing
            }
            atExit = null;
        }
    }

    private synchronized void deleteNow() {
        delete(path);
        path = null;
    }

    /** Makes a directory of this process under {@code root}, and removes those of processes that ended. */
    static Path create(Path root) {
        ProcessHandle self = ProcessHandle.current();
        String random = HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        Path dir = root.resolve(PREFIX + self.pid() + "-" + startMillis(self).orElse(0L) + "-" + PID_NAMESPACE + "-" + random);
        try {
            // createDirectory fails on anything already there (a link someone put in its place included).
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make meshform's private temporary directory " + dir, e);
        }
        removeStale(root, dir);
        return dir;
    }

    /**
     * Deletes the run directories under {@code root} of the owner of {@code own} that belong to no running process: in
     * this PID namespace, by pid and start time; in another (the name says so), by age ({@link #FOREIGN_STALE_AFTER}),
     * since a pid there means nothing here.
     */
    static void removeStale(Path root, Path own) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, PREFIX + "*")) {
            Object me = Files.getAttribute(own, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            for (Path dir : entries) {
                Matcher m = NAME.matcher(dir.getFileName().toString());
                if (dir.equals(own) || !m.matches() || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                        || !me.equals(Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS))) {
                    continue;
                }
                boolean foreign = m.group(3) != null && PID_NAMESPACE != 0 && Long.parseLong(m.group(3)) != 0
                        && Long.parseLong(m.group(3)) != PID_NAMESPACE;
                boolean ended = foreign
                        ? Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toInstant()
                                .isBefore(Instant.now().minus(FOREIGN_STALE_AFTER))
                        : !running(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
                if (ended) {
                    delete(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            // cleaning up after others is best effort: this run's own directory is what matters
        }
    }

    /** Whether the process {@code pid} runs and (when both are known) started at {@code startMillis}: pids are reused. */
    private static boolean running(long pid, long startMillis) {
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive()) {
            return false;
        }
        Optional<Long> started = startMillis(p.get());
        return startMillis == 0 || started.isEmpty() || started.get() == startMillis;
    }

    private static long pidNamespace() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
            Matcher m = Pattern.compile("pid:\\[(\\d+)]").matcher(link);
            return m.matches() ? Long.parseLong(m.group(1)) : 0L;
        } catch (IOException | UnsupportedOperationException | SecurityException | NumberFormatException e) {
            return 0L;
        }
    }

    private static Optional<Long> startMillis(ProcessHandle p) {
        return p.info().startInstant().map(java.time.Instant::toEpochMilli);
    }

    static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {  // does not follow links
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // gone, or not ours to delete
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // already gone
        }
    }
}

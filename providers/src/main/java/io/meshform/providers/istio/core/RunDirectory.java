package io.meshform.providers.istio.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The one private directory (0700) of a meshform process for the files it hands to istioctl: the IstioOperator of an
 * install (it holds the meshConfig and values, sensitive variables spliced there included) and the objects of
 * {@code istioctl validate}. Each file is still deleted as soon as istioctl is done with it; the directory goes at
 * exit (a shutdown hook), and what a killed run ({@code kill -9}) left is removed by the next run: the directory's
 * name carries its process's pid and start time, and a directory whose process no longer runs is deleted when the
 * next one is made. Only directories of this user are touched, links never followed.
 */
public final class RunDirectory {
    static final String PREFIX = "meshform-run-";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-(\\d+)-[0-9a-f]+");
    private static RunDirectory current;

    private final Path path;

    private RunDirectory(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    /** This process's directory under {@code java.io.tmpdir}, made (and stale ones removed) on the first call. */
    public static synchronized Path current() {
        if (current == null || !Files.isDirectory(current.path, LinkOption.NOFOLLOW_LINKS)) {
            RunDirectory made = create(Path.of(System.getProperty("java.io.tmpdir")));
            if (current == null) {
                try {
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        synchronized (RunDirectory.class) {
                            delete(current.path);
                        }
                    }, "meshform-run-directory"));
                } catch (IllegalStateException shuttingDown) {
                    // made while the JVM exits (a SIGTERM): the next run removes it
                }
            }
            current = made;
        }
        return current.path;
    }

    /** A new file (0600) in this process's directory, e.g. {@code newFile("iop-", ".yaml")}. */
    public static Path newFile(String prefix, String suffix) throws IOException {
        return Files.createTempFile(current(), prefix, suffix,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    /** A new directory (0700) in this process's directory. */
    public static Path newDirectory(String prefix) throws IOException {
        return Files.createTempDirectory(current(), prefix,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /** Makes this process's directory under {@code root}, and removes those of processes that ended. */
    static RunDirectory create(Path root) {
        ProcessHandle self = ProcessHandle.current();
        String random = HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        Path dir = root.resolve(PREFIX + self.pid() + "-" + startMillis(self).orElse(0L) + "-" + random);
        try {
            // createDirectory fails on anything already there (a link someone put in its place included).
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make meshform's private temporary directory " + dir, e);
        }
        removeStale(root, dir);
        return new RunDirectory(dir);
    }

    /** Deletes the run directories under {@code root} of the owner of {@code own} that belong to no running process. */
    static void removeStale(Path root, Path own) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, PREFIX + "*")) {
            Object me = Files.getAttribute(own, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            for (Path dir : entries) {
                Matcher m = NAME.matcher(dir.getFileName().toString());
                if (dir.equals(own) || !m.matches() || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                        || !me.equals(Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS))) {
                    continue;
                }
                if (!running(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)))) {
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

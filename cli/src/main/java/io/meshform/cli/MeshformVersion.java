package io.meshform.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/** The version and git commit Maven stamped into the jar (cli/pom.xml: resource filtering, and git at build time). */
final class MeshformVersion {
    private static final String DIRECTORY = "io/meshform/cli/";
    private static final Properties STAMP = stamp(origin());

    private MeshformVersion() {
    }

    /** The first line of {@code --version} and of {@code version}: "meshform 0.1.0 (commit abc1234)". */
    static String line() {
        return "meshform " + get() + " (commit " + commit() + ")";
    }

    static String get() {
        return value("version", "dev");
    }

    /** The abbreviated commit, with "-dirty" when the working tree had uncommitted changes; "unknown" outside git. */
    static String commit() {
        String commit = value("commit", "unknown");
        return "true".equals(value("dirty", "false")) && !commit.equals("unknown") ? commit + "-dirty" : commit;
    }

    private static String value(String key, String fallback) {
        String v = STAMP.getProperty(key);
        // An unfiltered placeholder means the build had no git (a source archive): say so rather than print it.
        return v == null || v.isBlank() || v.startsWith("${") ? fallback : v;
    }

    /** The stamp found at {@code where} (a jar or a classes directory; null: through the class loader). */
    static Properties stamp(Path where) {
        return load(where, "version.properties", load(where, "commit.properties", new Properties()));
    }

    private static Properties load(Path where, String resource, Properties p) {
        try (InputStream in = open(where, resource)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // no stamp: the fallbacks say "dev" and "unknown"
        }
        return p;
    }

    /**
     * The stamp from where this class was loaded (the jar, or the classes directory of a build), not through the class
     * loader: {@code getResourceAsStream} asks the parent loaders first, and for a package that is in no named module
     * they look in every module of the JDK's runtime image, whose reader (jdk.internal.jimage.ImageReader) is set up for
     * that alone: a quarter of the CPU {@code meshform version} spends beyond the JVM's own start (JDK 17,
     * jdk/internal/loader/BuiltinClassLoader.java, {@code findResource} and {@code findMiscResource}). The jar is the
     * one the class loader has open, so its central directory is not read again (java.util.zip.ZipFile shares it).
     */
    private static InputStream open(Path where, String resource) throws IOException {
        if (where != null && Files.isRegularFile(where)) {
            JarFile jar = new JarFile(where.toFile(), false);
            ZipEntry entry = jar.getEntry(DIRECTORY + resource);
            if (entry == null) {
                jar.close();
                return null;
            }
            return new java.io.FilterInputStream(jar.getInputStream(entry)) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        jar.close();
                    }
                }
            };
        }
        if (where != null && Files.isDirectory(where)) {
            Path file = where.resolve(DIRECTORY + resource);
            return Files.isRegularFile(file) ? Files.newInputStream(file) : null;
        }
        return MeshformVersion.class.getResourceAsStream(resource);
    }

    /** The jar or directory this class was loaded from; null when that is not a file. */
    private static Path origin() {
        CodeSource source = MeshformVersion.class.getProtectionDomain().getCodeSource();
        try {
            return source == null || source.getLocation() == null ? null : Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null; // not a file (a custom class loader): the class loader finds the stamp
        }
    }
}

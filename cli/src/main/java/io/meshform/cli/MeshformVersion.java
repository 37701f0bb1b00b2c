package io.meshform.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version and git commit Maven stamped into the jar (cli/pom.xml: resource filtering, and git at build time). */
final class MeshformVersion {
    private static final Properties STAMP = load("version.properties", load("commit.properties", new Properties()));

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

    private static Properties load(String resource, Properties p) {
        try (InputStream in = MeshformVersion.class.getResourceAsStream(resource)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // no stamp: the fallbacks say "dev" and "unknown"
        }
        return p;
    }
}

package io.meshform.providers.istio.core;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds a program on {@code PATH} as Go's {@code exec.LookPath} does since Go 1.19: an empty entry or a relative one
 * ({@code .}, {@code bin}) names a directory relative to wherever meshform runs, usually a checked-out repository,
 * so a program found there is not taken ({@code exec.ErrDot}). Otherwise a {@code PATH=.:/usr/bin} would run the
 * repository's own {@code ./istioctl} during {@code validate}, which runs no program the stack names.
 */
public final class ExecutableLookup {
    private ExecutableLookup() {
    }

    /**
     * What a lookup found: the absolute path of the first executable in an absolute entry, or nothing, and then the
     * first place of a relative or empty entry that had one ({@code ./istioctl}), for the error message.
     */
    public record Found(Optional<String> path, Optional<String> skippedRelative) {
        /** Why nothing was taken, e.g. "no istioctl on PATH". */
        public String problem(String name) {
            return skippedRelative.map(r -> "no " + name + " in an absolute PATH entry; " + r + " was found through a relative"
                    + " PATH entry and not run (as Go's exec.LookPath refuses it: it is whatever the current directory holds)")
                    .orElse("no " + name + " on PATH");
        }
    }

    /** {@code name} in the directories of {@code pathVariable} (may be null). */
    public static Found find(String name, String pathVariable) {
        String skipped = null;
        if (pathVariable != null) {
            for (String dir : pathVariable.split(File.pathSeparator, -1)) {
                Path entry = Path.of(dir.isEmpty() ? "." : dir);
                Path p = entry.resolve(name);
                if (!entry.isAbsolute()) {
                    if (skipped == null && Files.isExecutable(p) && !Files.isDirectory(p)) {
                        skipped = (dir.isEmpty() ? "." : dir) + File.separator + name;
                    }
                    continue;
                }
                if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                    return new Found(Optional.of(p.toString()), Optional.empty());
                }
            }
        }
        return new Found(Optional.empty(), Optional.ofNullable(skipped));
    }
}

package io.meshform.providers.istio.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Bounds a cache directory that meshform fills one file per answer (istioctl's remembered outputs, parsed renders):
 * the newest files by modification time are kept, the rest deleted, so a user who changes stacks or istioctl
 * often does not collect them without end.
 */
public final class NewestFiles {
    private NewestFiles() {
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
        files.sort(Comparator.comparing(NewestFiles::modified).reversed());
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

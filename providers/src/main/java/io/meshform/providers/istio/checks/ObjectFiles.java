package io.meshform.providers.istio.checks;

import io.meshform.providers.istio.core.RunDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * The objects a run hands to istioctl, written as one multi-document YAML file in a private temporary directory
 * (0700, the file 0600: they may carry what a stack keeps from other users) and removed when closed, whatever
 * happened in between. The directory lies in the run's own {@link RunDirectory},
 * so what a killed run left is removed by the next.
 */
final class ObjectFiles implements AutoCloseable {
    private final Path dir;
    private final Path file;
    /** Each document's text and the file line its "---" is on. */
    private final List<String> docs;
    private final int[] starts;

    private ObjectFiles(Path dir, Path file, List<String> docs, int[] starts) {
        this.dir = dir;
        this.file = file;
        this.docs = docs;
        this.starts = starts;
    }

    static ObjectFiles write(RunDirectory run, List<? extends JsonNode> objects) {
        return write(run, objects, "objects.yaml");
    }

    static ObjectFiles write(RunDirectory run, List<? extends JsonNode> objects, String name) {
        Path dir = null;
        try {
            dir = run.newDirectory("istio-");
            Path file = Files.createFile(dir.resolve(name), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            StringBuilder sb = new StringBuilder();
            List<String> docs = new java.util.ArrayList<>();
            int[] starts = new int[objects.size()];
            int line = 1;
            for (int i = 0; i < objects.size(); i++) {
                String doc = "---\n" + BlockYaml.write(objects.get(i));
                docs.add(doc);
                starts[i] = line;
                line += (int) doc.chars().filter(c -> c == '\n').count();
                sb.append(doc);
            }
            Files.writeString(file, sb.toString());
            return new ObjectFiles(dir, file, docs, starts);
        } catch (IOException e) {
            delete(dir);
            throw new UncheckedIOException("cannot write the objects for istioctl to a temporary file", e);
        }
    }

    Path file() {
        return file;
    }

    /** A place in the written file: the object (its index in the list written) and a JSON pointer into it. */
    record Place(int index, String pointer) {
    }

    /** The object and field on {@code line} of the file (1-based), when the line belongs to one of the objects. */
    java.util.Optional<Place> locate(int line) {
        int i = -1;
        for (int d = 0; d < starts.length && starts[d] <= line; d++) {
            i = d;
        }
        if (i < 0) {
            return java.util.Optional.empty();
        }
        int relative = line - starts[i] + 1;
        String best = "";
        try {
            var positions = new io.meshform.engine.load.YamlReader().parse(file.toString(), docs.get(i)).positions();
            for (var e : positions.entrySet()) {
                if (e.getValue().line() == relative && e.getKey().length() >= best.length()) {
                    best = e.getKey();
                }
            }
        } catch (RuntimeException unreadable) {
            // our own YAML; if it cannot be read back, the object itself is the place
        }
        return java.util.Optional.of(new Place(i, best));
    }

    Path directory() {
        return dir;
    }

    /** Another file in the same private directory (0600), e.g. the mesh config for {@code --meshConfigFile}. */
    Path add(String name, String content) {
        try {
            Path p = Files.createFile(dir.resolve(name), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            Files.writeString(p, content);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + name + " for istioctl", e);
        }
    }

    @Override
    public void close() {
        delete(dir);
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a temporary file; nothing else to do
                }
            });
        } catch (IOException ignored) {
            // already gone
        }
    }
}

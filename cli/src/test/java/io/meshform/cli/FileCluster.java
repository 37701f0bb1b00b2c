package io.meshform.cli;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.AppliedResource;
import io.meshform.engine.spi.ApplyRequest;
import io.meshform.engine.spi.DeleteRequest;
import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.LiveObject;
import io.meshform.engine.spi.Ownership;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.PlannedChange;
import io.meshform.engine.spi.Provider;
import io.meshform.engine.spi.ProviderFactory;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.engine.spi.ResourceRef;
import io.meshform.engine.spi.ResourceType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A fake cluster kept in a JSON file, for CLI tests that run several commands in a row without a real API
 * server. It takes part only when --kubeconfig names a file ending in {@code .fakecluster.json}; the real
 * providers stay idle (they connect lazily). Type {@code fake.thing}: the live object is the spec, kept under the
 * resource's address, or under the spec's {@code object} field when it has one (two addresses, one object).
 */
public final class FileCluster implements ProviderFactory {
    static final String SUFFIX = ".fakecluster.json";
    private static final JsonMapper JSON = new JsonMapper();

    @Override
    public List<Provider> create(ProviderSettings settings) {
        return settings.get("kubeconfig").filter(k -> k.endsWith(SUFFIX))
                .map(k -> List.<Provider>of(new FakeProvider(Path.of(k)))).orElse(List.of());
    }

    // apply runs steps in parallel: each read-modify-write of the file holds the class's monitor, or two steps that
    // each load, add their object and save lose one of the two objects (the next run then plans it as new).
    static synchronized ObjectNode load(Path file) {
        try {
            return Files.exists(file) ? (ObjectNode) JSON.readTree(Files.readString(file)) : JSON.createObjectNode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static synchronized void save(Path file, ObjectNode objects) {
        try {
            Files.writeString(file, JSON.writeValueAsString(objects));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record FakeProvider(Path file) implements Provider {
        @Override
        public String name() {
            return "fake";
        }

        @Override
        public List<ResourceType> resourceTypes() {
            return List.of(new Thing(file));
        }

        /** A cluster file holding {@code "unreachable": true} is a cluster that does not answer. */
        @Override
        public void ping() {
            answer(file);
        }
    }

    /** Where the file keeps the object a resource's spec names. */
    static String key(ResourceAddress address, JsonNode spec) {
        return spec != null && spec.has("object") ? "object " + spec.get("object").asString() : address.toString();
    }

    /**
     * What another run does while this one reads, for tests of races: a file {@code CLUSTER.onread} holding two paths,
     * "from" and "to", copies the one to the other once (an apply that writes its state meanwhile).
     */
    static void whileReading(Path file) {
        Path hook = Path.of(file + ".onread");
        try {
            if (Files.exists(hook)) {
                List<String> paths = Files.readAllLines(hook);
                Files.delete(hook);
                Files.copy(Path.of(paths.get(0)), Path.of(paths.get(1)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void answer(Path file) {
        if (load(file).path("unreachable").asBoolean(false)) {
            throw new io.meshform.engine.diag.DiagnosticsException(io.meshform.engine.diag.Diagnostic.error(
                    "fake cluster: no answer from the API server", null, null));
        }
    }

    private record Thing(Path file) implements ResourceType {
        @Override
        public String name() {
            return "fake.thing";
        }

        @Override
        public List<FieldProblem> validate(JsonNode spec) {
            List<FieldProblem> out = new ArrayList<>();
            if (!spec.path("mode").isMissingNode() && !List.of("STRICT", "PERMISSIVE").contains(spec.path("mode").asString(""))) {
                out.add(FieldProblem.error("/mode", "mode must be STRICT or PERMISSIVE", "found " + spec.get("mode")));
            }
            return out;
        }

        @Override
        public Map<ResourceAddress, LiveObject> read(io.meshform.engine.spi.ReadRequest request) {
            answer(file);
            whileReading(file);
            ObjectNode objects = load(file);
            Map<ResourceAddress, LiveObject> out = new LinkedHashMap<>();
            for (ResourceRef r : request.resources()) {
                String key = key(r.address(), r.spec());
                JsonNode o = objects.get(key);
                if (o != null) {
                    // Objects apply wrote carry meshform's mark, as the real types' objects do; hand-made ones none.
                    String name = r.spec().has("object") ? r.spec().get("object").asString() : r.address().name();
                    Ownership owner = (o.has("lineage")
                            ? Ownership.marked(o.get("lineage").asString(), o.get("address").asString(), "thing " + name, name)
                            : Ownership.unmarked("thing " + name, name)).withKey(key);
                    out.put(r.address(), new LiveObject(o.get("spec"), o.get("version").asString()).withOwnership(owner));
                }
            }
            return out;
        }

        @Override
        public PlannedChange plan(PlanRequest request) {
            if (request.live() == null) {
                return PlannedChange.of(Action.CREATE, "not in the cluster", null, request.desired());
            }
            return request.live().value().equals(request.desired())
                    ? PlannedChange.of(Action.NOOP, "up to date", request.live().value(), request.desired())
                    : PlannedChange.of(Action.UPDATE, "spec differs", request.live().value(), request.desired());
        }

        @Override
        public AppliedResource apply(ApplyRequest request) {
            if (request.desired().path("refuse").asBoolean(false)) {
                // As an API server that echoes the object it refuses (a webhook, a decoding error).
                throw new IllegalStateException("the server refused " + request.desired());
            }
            synchronized (FileCluster.class) {
                ObjectNode objects = load(file);
                ObjectNode o = objects.putObject(key(request.address(), request.desired()));
                o.set("spec", request.desired());
                o.put("version", String.valueOf(System.nanoTime()));
                request.mark().forEach((k, v) -> o.put(k.equals(Ownership.LINEAGE_ANNOTATION) ? "lineage" : "address", v));
                save(file, objects);
            }
            return new AppliedResource(request.desired(), Map.of());
        }

        /** Values under {@code password} and every {@code keys[].value} are sensitive. */
        @Override
        public java.util.Set<String> sensitivePaths() {
            return java.util.Set.of("/password", "/keys/*/value");
        }

        @Override
        public boolean importable() {
            return true;
        }

        /** Any object of the file, by resource name. */
        @Override
        public java.util.Optional<AppliedResource> importExisting(String id) {
            JsonNode o = load(file).get("fake.thing." + id);
            return o == null ? java.util.Optional.empty() : java.util.Optional.of(new AppliedResource(o.get("spec"), Map.of()));
        }

        @Override
        public void delete(DeleteRequest request) {
            synchronized (FileCluster.class) {
                ObjectNode objects = load(file);
                objects.remove(key(request.address(), request.recorded().attributes()));
                save(file, objects);
            }
        }
    }
}

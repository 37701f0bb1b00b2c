package io.meshform.engine.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A loaded desired-state file: its resources in file order, variables resolved. {@code digest} identifies
 * the resolved content, so a saved plan can tell that the file changed after it was made.
 */
public record Stack(String name, Environment environment, Path file, BackendConfig backend,
                    List<ResourceDecl> resources, String digest) {

    public Stack {
        resources = List.copyOf(resources);
    }

    public Optional<ResourceDecl> find(ResourceAddress address) {
        return resources.stream().filter(r -> r.address().equals(address)).findFirst();
    }

    public boolean declares(String type) {
        return resources.stream().anyMatch(r -> r.type().equals(type));
    }

    public List<ResourceDecl> ofType(String type) {
        return resources.stream().filter(r -> r.type().equals(type)).toList();
    }
}

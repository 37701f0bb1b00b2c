package io.meshform.providers.istio.checks;

import io.meshform.engine.load.StackLoader;
import io.meshform.engine.load.VariableInputs;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.providers.MeshformProviderFactory;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.testkit.Testbed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Stacks loaded the way meshform loads them (positions included), for checks that report lines. */
final class Stacks {
    private Stacks() {
    }

    /** The real istioctl the test bed built; a test that needs it fails without it. */
    static Istioctl istioctl() {
        return new Istioctl(Testbed.istioctl().toString(), "the test bed", null, null);
    }

    /** Loads {@code resources} (the YAML list under {@code resources:}) as stack.yaml in {@code dir}. */
    static Stack load(Path dir, String resources) {
        try {
            Path file = dir.resolve("stack.yaml");
            Files.writeString(file, "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\nresources:\n" + resources);
            TypeRegistry types = new TypeRegistry(new MeshformProviderFactory().create(new ProviderSettings(Map.of())));
            return new StackLoader(types).load(file, new VariableInputs(Map.of(), List.of(), Map.of())).stack();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CheckContext plan(Stack stack) {
        Map<ResourceAddress, JsonNode> after = new LinkedHashMap<>();
        for (ResourceDecl d : stack.resources()) {
            after.put(d.address(), d.spec());
        }
        return new CheckContext(stack, after, Map.of(), CheckContext.Purpose.PLAN);
    }
}

package io.meshform.engine.testing;

import io.meshform.engine.load.StackLoader;
import io.meshform.engine.load.VariableInputs;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.TypeRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a stack file with the usual header and loads it. */
public final class Stacks {
    private Stacks() {
    }

    public static Stack load(TypeRegistry types, Path dir, String resourcesYaml) {
        try {
            Path p = dir.resolve("stack.yaml");
            Files.writeString(p, "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: test}\n" + resourcesYaml);
            return new StackLoader(types).load(p, VariableInputs.none()).stack();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

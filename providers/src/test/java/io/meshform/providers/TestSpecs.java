package io.meshform.providers;

import io.meshform.engine.model.BackendConfig;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.SourceLocator;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.FieldProblem;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Specs written as YAML, as users write them, and stacks around them. */
public final class TestSpecs {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private TestSpecs() {
    }

    public static ObjectNode yaml(String text) {
        return (ObjectNode) YAML.readTree(text);
    }

    public static ResourceDecl decl(String address, String specYaml) {
        return new ResourceDecl(ResourceAddress.parse(address), List.of(), yaml(specYaml), SourceLocator.none("stack.yaml"));
    }

    public static Stack stack(Environment env, ResourceDecl... resources) {
        return new Stack("test", env, Path.of("stack.yaml"), BackendConfig.localDefault(), List.of(resources), "digest");
    }

    public static List<String> errors(List<FieldProblem> problems) {
        return problems.stream().filter(p -> !p.warning()).map(p -> p.path() + ": " + p.message()).toList();
    }

    public static List<String> warnings(List<FieldProblem> problems) {
        return problems.stream().filter(FieldProblem::warning).map(p -> p.path() + ": " + p.message()).toList();
    }

    public static JsonNode node(String yaml) {
        return YAML.readTree(yaml);
    }
}

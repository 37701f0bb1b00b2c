package io.meshform.engine.load;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Variable values from outside the file, lowest precedence first as Terraform users expect: environment
 * ({@code MESHFORM_VAR_name}), then {@code --var-file} files in order, then {@code --var name=value}.
 */
public record VariableInputs(Map<String, String> environment, List<Path> varFiles, Map<String, String> cliValues) {

    public static final String ENV_PREFIX = "MESHFORM_VAR_";

    public VariableInputs {
        environment = Map.copyOf(environment);
        varFiles = List.copyOf(varFiles);
        cliValues = Map.copyOf(cliValues);
    }

    public static VariableInputs none() {
        return new VariableInputs(Map.of(), List.of(), Map.of());
    }
}

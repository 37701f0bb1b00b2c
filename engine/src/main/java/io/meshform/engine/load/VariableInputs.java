package io.meshform.engine.load;

import io.meshform.engine.spi.SortedCopies;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Variable values from outside the file, lowest precedence first as Terraform users expect: environment
 * ({@code MESHFORM_VAR_name}), then {@code --var-file} files in order, then {@code --var name=value}.
 */
public record VariableInputs(Map<String, String> environment, List<Path> varFiles, Map<String, String> cliValues) {

    public static final String ENV_PREFIX = "MESHFORM_VAR_";

    public VariableInputs {
        environment = SortedCopies.of(environment);
        varFiles = List.copyOf(varFiles);
        // In the order given (the command line's): an undeclared --var is reported in this order.
        cliValues = inOrder(cliValues);
    }

    private static Map<String, String> inOrder(Map<String, String> values) {
        Map<String, String> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(Objects.requireNonNull(k), Objects.requireNonNull(v)));
        return Collections.unmodifiableMap(copy);
    }

    public static VariableInputs none() {
        return new VariableInputs(Map.of(), List.of(), Map.of());
    }
}

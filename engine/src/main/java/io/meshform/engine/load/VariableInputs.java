package io.meshform.engine.load;

import io.meshform.engine.spi.SortedCopies;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Variable values from outside the file, lowest precedence first as Terraform users expect: environment
 * ({@code MESHFORM_VAR_name}), then {@code --var-file} files in order, then {@code --var name=value}.
 *
 * <p>A value taken from the environment is sensitive whatever the stack declares: the runner (a CI job) puts its
 * secrets there, and the stack's author, who is trusted less (README, Trust), must not make a plan print one by
 * dropping {@code sensitive: true}. {@code environmentNotSensitive} names the variables the runner says are not
 * secret ({@value #NONSENSITIVE_ENV}{@code =a,b}); {@code --var} and {@code --var-file} values keep the declaration's
 * sensitivity.
 */
public record VariableInputs(Map<String, String> environment, List<Path> varFiles, Map<String, String> cliValues,
                             Set<String> environmentNotSensitive) {

    public static final String ENV_PREFIX = "MESHFORM_VAR_";
    /** The environment variable in which the runner lists, comma-separated, the MESHFORM_VAR_ values that are no secret. */
    public static final String NONSENSITIVE_ENV = "MESHFORM_NONSENSITIVE_VARS";

    public VariableInputs {
        environment = SortedCopies.of(environment);
        varFiles = List.copyOf(varFiles);
        // In the order given (the command line's): an undeclared --var is reported in this order.
        cliValues = inOrder(cliValues);
        environmentNotSensitive = Set.copyOf(environmentNotSensitive);
    }

    /** Every environment value sensitive. */
    public VariableInputs(Map<String, String> environment, List<Path> varFiles, Map<String, String> cliValues) {
        this(environment, varFiles, cliValues, Set.of());
    }

    /** The names listed in a {@value #NONSENSITIVE_ENV} value ({@code "a, b"}); none for null. */
    public static Set<String> namesIn(String list) {
        Set<String> out = new java.util.TreeSet<>();
        if (list != null) {
            for (String n : list.split(",")) {
                if (!n.isBlank()) {
                    out.add(n.strip());
                }
            }
        }
        return out;
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

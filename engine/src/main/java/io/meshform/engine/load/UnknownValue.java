package io.meshform.engine.load;

import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.model.ResourceAddress;
import java.util.Set;

/**
 * A value of a resource's spec not known in a load without variable values ({@link StackLoader#loadWithoutValues}): it
 * refers to declared variables that were given no value, so it stays as written ({@code "${var.ns}-x"}) and the
 * checks of it that need the value are not made. {@code path} is a JSON pointer into the spec. {@code specUnchecked}: the
 * value names a file the spec takes its content from (a manifest's {@code file:}), so none of the spec was checked.
 */
public record UnknownValue(ResourceAddress address, String path, SourceRange range, Set<String> variables,
                           boolean specUnchecked) {

    public UnknownValue {
        variables = Set.copyOf(new java.util.TreeSet<>(variables));
    }

    /** The field as errors name it: {@code spec.mtls.mode}. */
    public String field() {
        return "spec" + path.replace('/', '.');
    }

    /** {@code var.mode} or {@code var.a, var.b}. */
    public String references() {
        return String.join(", ", new java.util.TreeSet<>(variables).stream().map(v -> "var." + v).toList());
    }
}

package io.meshform.engine.drift;

import java.util.Collection;
import java.util.List;

/**
 * What drift says of a resource whose stack gives a sensitive value other than the one applied: state keeps only the
 * applied value's digest, so the parts that value reaches cannot be compared with the cluster until it is applied.
 */
final class RotatedValues {
    private RotatedValues() {
    }

    /**
     * "the stack's value of meshConfig.defaultConfig.proxyMetadata.AUTH_TOKEN is not the one applied (the state records
     * only its digest); apply it, then drift can check it": the spec paths as {@code --ignore} writes them (dotted),
     * never the values. Renderers put it after {@code not checked in full}.
     */
    static String summary(Collection<String> pointers) {
        List<String> paths = pointers.stream().map(RotatedValues::dotted).sorted().toList();
        boolean one = paths.size() == 1;
        return "the stack's " + (one ? "value of " : "values of ") + String.join(", ", paths)
                + (one ? " is not the one" : " are not the ones") + " applied (the state records only "
                + (one ? "its digest" : "their digests") + "); apply " + (one ? "it" : "them")
                + ", then drift can check " + (one ? "it" : "them");
    }

    /** "/meshConfig/defaultConfig/proxyMetadata/AUTH_TOKEN" as "meshConfig.defaultConfig.proxyMetadata.AUTH_TOKEN". */
    static String dotted(String pointer) {
        StringBuilder b = new StringBuilder();
        for (String part : pointer.substring(1).split("/", -1)) {
            String key = part.replace("~1", "/").replace("~0", "~");
            if (key.matches("\\d+")) {
                b.append('[').append(key).append(']');
            } else {
                b.append(b.isEmpty() ? "" : ".").append(key);
            }
        }
        return b.toString();
    }
}

package io.meshform.engine.diag;

/** A JSON pointer into a spec written for people, as {@code --ignore} and the plan write a path. */
public final class SpecPath {
    private SpecPath() {
    }

    /**
     * "/meshConfig/extAuthz/0/name" as "meshConfig.extAuthz[0].name": keys joined with dots, array indexes in brackets,
     * the pointer's escapes ({@code ~1}, {@code ~0}) undone.
     */
    public static String dotted(String pointer) {
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

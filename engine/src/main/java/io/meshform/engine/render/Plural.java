package io.meshform.engine.render;

/** A count with its noun in the number it needs: "1 resource", "0 resources", "2 warnings". */
public final class Plural {
    private Plural() {
    }

    /** {@code n} and {@code noun}, with an "s" unless {@code n} is 1 (every noun meshform counts takes one). */
    public static String of(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}

package io.meshform.engine.render;

/** Terminal colours, or none: chosen once by the CLI (terminal, --no-color, NO_COLOR). */
public record Style(boolean color) {
    private static final String RESET = "\u001b[0m";

    public static Style plain() {
        return new Style(false);
    }

    public String green(String s) {
        return wrap("\u001b[32m", s);
    }

    public String yellow(String s) {
        return wrap("\u001b[33m", s);
    }

    public String red(String s) {
        return wrap("\u001b[31m", s);
    }

    public String bold(String s) {
        return wrap("\u001b[1m", s);
    }

    public String dim(String s) {
        return wrap("\u001b[2m", s);
    }

    private String wrap(String code, String s) {
        return color ? code + s + RESET : s;
    }
}

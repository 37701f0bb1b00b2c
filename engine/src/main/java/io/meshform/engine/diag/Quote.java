package io.meshform.engine.diag;

/**
 * How a message quotes text it did not write itself (a value from a file, a parser's complaint about a token):
 * one line, at most {@link #MAX} characters. The file may not be a stack at all (an import pointing at a token
 * file, a manifest pointing at a kubeconfig), so an error shows where to look, never the content.
 */
public final class Quote {
    public static final int MAX = 60;

    private Quote() {
    }

    public static String shortened(String text) {
        return shortened(text, MAX);
    }

    /** The same with another limit (a parser's reason names a token in a sentence of its own). */
    public static String shortened(String text, int max) {
        if (text == null) {
            return "";
        }
        int nl = text.indexOf('\n');
        String line = nl < 0 ? text : text.substring(0, nl) + " ...";
        line = line.replace('\r', ' ').replace('\t', ' ');
        return line.length() <= max ? line : line.substring(0, max) + "...";
    }
}

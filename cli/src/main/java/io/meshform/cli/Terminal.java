package io.meshform.cli;

import io.meshform.engine.render.Style;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The streams and environment a command runs with. Tests pass their own; {@link Main} passes the process's.
 * Colour only on a terminal, never with --no-color or NO_COLOR (set to anything, as no-color.org says).
 */
public record Terminal(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, boolean interactive,
                       Redactor redactor) {

    public Terminal(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, boolean interactive) {
        this(out, err, in, env, interactive, null);
    }

    public static Terminal system() {
        return new Terminal(System.out, System.err, System.in, System.getenv(), System.console() != null);
    }

    /** This terminal with both streams redacting the sensitive values a command registers (one redactor per run). */
    Terminal redacting() {
        if (redactor != null) {
            return this;
        }
        Redactor r = new Redactor();
        return new Terminal(r.wrap(out), r.wrap(err), in, env, interactive, r);
    }

    Style style(boolean noColor) {
        return new Style(interactive && !noColor && !env.containsKey("NO_COLOR"));
    }

    /** Asks on the terminal; returns null when no answer can be read. */
    String ask(String question) {
        out.print(question);
        out.flush();
        try {
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            return null;
        }
    }
}

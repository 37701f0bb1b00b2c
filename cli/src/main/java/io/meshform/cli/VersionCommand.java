package io.meshform.cli;

import io.meshform.providers.istio.core.Istioctl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a bug report needs: meshform's version and commit, the Java runtime, and the istioctl meshform would run
 * with its client version ({@code istioctl version --remote=false}: no cluster is contacted).
 */
@Command(name = "version", description = "Print the meshform version and commit, the Java runtime and the istioctl it would use.",
        footerHeading = "%nExamples:%n", footer = {"  meshform version", "  meshform version --json | jq -r .meshform.version"})
final class VersionCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON for scripts (default: off, text).")
    boolean json;

    @Option(names = "--istioctl", paramLabel = "PATH", description = "istioctl binary (default: $MESHFORM_ISTIOCTL, then PATH; relative and empty PATH entries are skipped).")
    Path istioctl;

    private final Terminal terminal;

    VersionCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    record Found(String path, String origin, String version, String problem) {
    }

    @Override
    public Integer call() {
        Found tool = istioctl();
        Runtime.Version java = Runtime.version();
        String vendor = System.getProperty("java.vendor", "unknown");
        String home = System.getProperty("java.home", "unknown");
        if (json) {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.putObject("meshform").put("version", MeshformVersion.get()).put("commit", MeshformVersion.commit());
            root.putObject("java").put("version", java.toString()).put("vendor", vendor).put("home", home);
            ObjectNode i = root.putObject("istioctl");
            i.put("path", tool.path()).put("from", tool.origin()).put("version", tool.version());
            i.put("problem", tool.problem());
            terminal.out().println(JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(root));
            return ExitCodes.OK;
        }
        terminal.out().println(MeshformVersion.line());
        terminal.out().println("java     " + text(java) + " (" + vendor + ", " + home + ")");
        terminal.out().println("istioctl " + (tool.version() != null ? tool.version() + " (" + tool.path() + ", from " + tool.origin() + ")"
                : "none usable: " + tool.problem()));
        return ExitCodes.OK;
    }

    /**
     * {@code v.toString()}, spelled out without its stream and lambdas (JDK 17-25 java/lang/Runtime.java,
     * {@code Version.toString}): in a JVM without the class cache, as {@code version} runs, spinning those lambdas
     * was about 9 ms of its 90. VersionCommandTest checks both agree.
     */
    static String text(Runtime.Version v) {
        StringBuilder sb = new StringBuilder();
        for (Integer n : v.version()) {
            sb.append(sb.length() == 0 ? "" : ".").append(n);
        }
        if (v.pre().isPresent()) {
            sb.append('-').append(v.pre().get());
        }
        if (v.build().isPresent()) {
            sb.append('+').append(v.build().get());
            if (v.optional().isPresent()) {
                sb.append('-').append(v.optional().get());
            }
        } else if (v.optional().isPresent()) {
            sb.append(v.pre().isPresent() ? "-" : "+-").append(v.optional().get());
        }
        return sb.toString();
    }

    /** The same choice the Istio provider makes: --istioctl, then MESHFORM_ISTIOCTL, then PATH. */
    private Found istioctl() {
        String path;
        String origin;
        String env = terminal.env().get("MESHFORM_ISTIOCTL");
        if (istioctl != null) {
            path = istioctl.toString();
            origin = "--istioctl";
        } else if (env != null && !env.isBlank()) {
            path = env;
            origin = "MESHFORM_ISTIOCTL";
        } else {
            io.meshform.providers.istio.core.ExecutableLookup.Found found =
                    io.meshform.providers.istio.core.ExecutableLookup.find("istioctl", terminal.env().get("PATH"));
            path = found.path().orElse(null);
            origin = "PATH";
            if (path == null) {
                return new Found(null, origin, null, found.problem("istioctl") + "; set MESHFORM_ISTIOCTL or pass --istioctl");
            }
        }
        if (!Files.isExecutable(Path.of(path))) {
            return new Found(path, origin, null, path + " (from " + origin + ") is not an executable file");
        }
        try {
            return new Found(path, origin, new Istioctl(path, origin, null, null).version(), null);
        } catch (io.meshform.engine.diag.DiagnosticsException e) {
            // Its diagnostics as one line each, not the rendered block: "error: ... 1 error" inside a version report
            // that exits 0 read as a failed command, and the run it quotes may have exited 0.
            return new Found(path, origin, null, String.join("; ", e.diagnostics().stream()
                    .map(d -> d.summary() + (d.detail() == null || d.detail().isBlank() ? "" : ": " + d.detail())).toList()));
        } catch (RuntimeException e) {
            return new Found(path, origin, null, "`" + path + " version --remote=false --short` failed: " + e.getMessage());
        }
    }
}

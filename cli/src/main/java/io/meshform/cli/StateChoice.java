package io.meshform.cli;

import io.meshform.engine.model.BackendConfig;
import io.meshform.engine.render.Style;
import io.meshform.state.BackendCatalog;
import io.meshform.state.BackendKind;
import io.meshform.state.BackendRequest;
import io.meshform.state.LocalBackendKind;
import io.meshform.state.LocalStateBackend;
import io.meshform.state.SettingProblem;
import io.meshform.state.StateBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which state a command works on: the one named on the command line (--state, a local file; --state-secret, a Secret
 * in the cluster), or the backend the stack names, whose local file is one per kubeconfig context under --context.
 * Which settings exist and what they may hold is the backend kind's business: the same rules as the stack loader
 * applies to a {@code backend:} block.
 */
final class StateChoice {
    private final GlobalOptions options;
    private final Style style;
    /** The clients a backend may ask for: the Kubernetes one from the providers' kubeconfig and context. */
    private final BackendRequest.Connections clients;
    /** Said when --context picks a local state that does not exist yet beside one that does; null otherwise. */
    private String contextWarning;

    StateChoice(GlobalOptions options, Style style, BackendRequest.Connections clients) {
        this.options = options;
        this.style = style;
        this.clients = clients;
    }

    /** The per-context warning {@link #open} left, if any, handed out once. */
    String takeContextWarning() {
        String warning = contextWarning;
        contextWarning = null;
        return warning;
    }

    /** The state named on the command line, --state (a local file) or --state-secret (in the cluster), if any. */
    Optional<StateBackend> named() {
        if (options.stateSecret != null) {
            if (options.state != null) {
                throw new UserError("give --state (a local file) or --state-secret (in the cluster), not both");
            }
            String[] parts = options.stateSecret.split("/", -1);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new UserError("--state-secret takes NAMESPACE/NAME, e.g. cortex-ops/production");
            }
            return Optional.of(open(new BackendConfig("kubernetes", Map.of("namespace", parts[0], "name", parts[1]))));
        }
        return options.state == null ? Optional.empty() : Optional.of(new LocalStateBackend(options.state));
    }

    /**
     * The backend {@code config} names: the stack's {@code backend:} block (by default the local file beside the stack),
     * or --state-secret's Secret. Under --context a local file is the context's own ({@link #perContext}).
     */
    StateBackend open(BackendConfig config) {
        BackendKind kind = backendKinds().get(config.kind());
        List<SettingProblem> problems = kind.check(config.settings());
        if (!problems.isEmpty()) {
            SettingProblem first = problems.get(0);
            throw new UserError((options.stateSecret != null ? "--state-secret: " : "backend " + kind.name() + ": ")
                    + first.message() + " (" + first.hint() + ")");
        }
        Path dir = options.file.toAbsolutePath().getParent();
        // A state file in the stack's directory is the stack's choice (a committed link there too), unlike --state:
        // writes must land inside the stack's root unless the runner allowed otherwise.
        io.meshform.engine.load.StackRoot root = options.stackRoot();
        Path confine = root.allowOutside() ? null : root.directory();
        if (kind.name().equals(LocalBackendKind.NAME) && options.context() != null) {
            // One state per cluster: a fleet shares the stack, never the record of what each cluster got. Every
            // command given --context uses the same file, so `apply --context X` writes what `plan --context X
            // --context Y` (or --all-contexts) reads.
            Path shared = LocalBackendKind.file(dir, config.settings());
            Path file = perContext(shared, options.context());
            if (!Files.exists(file) && Files.exists(shared)) {
                contextWarning = style.yellow("warning: with --context " + options.context() + " the local state is "
                        + file + ", which does not exist yet; " + shared.getFileName() + " beside it is the state of runs "
                        + "without --context. If it records context " + options.context() + "'s cluster, rename it to "
                        + file.getFileName() + " (with its .backup), or pass --state " + shared + ".");
            }
            return confine == null ? new LocalStateBackend(file) : LocalStateBackend.confinedTo(confine, file);
        }
        return kind.open(new BackendRequest(config.settings(), dir, clients, confine));
    }

    /**
     * The local state file of one kubeconfig context: the stack's file with the context's name before its
     * extension ({@code meshform.state.json} becomes {@code meshform.CONTEXT.state.json}, {@code prod.state.json}
     * {@code prod.CONTEXT.state.json}). Path separators in the name become {@code _}.
     */
    static Path perContext(Path shared, String context) {
        String safe = context.replaceAll("[/\\\\\\p{Cntrl}]", "_");
        String name = shared.getFileName().toString();
        String perContext;
        if (name.endsWith(".state.json")) {
            perContext = name.substring(0, name.length() - ".state.json".length()) + "." + safe + ".state.json";
        } else if (name.endsWith(".json")) {
            perContext = name.substring(0, name.length() - ".json".length()) + "." + safe + ".json";
        } else {
            perContext = name + "." + safe;
        }
        return shared.resolveSibling(perContext);
    }

    private BackendCatalog backendKinds() {
        return BackendCatalog.installed();
    }
}

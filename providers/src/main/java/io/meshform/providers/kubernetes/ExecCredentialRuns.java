package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.ExecConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The outcome of each exec credential plugin a connection ran: its credential, or the failure it stopped with. The
 * kubeconfig is read more than once in a run (the client built ahead on its own thread, then again by the first
 * request after that build failed; the description in messages; a re-read after a 401), and each read ran the plugin
 * again: a plugin that hangs cost its timeout twice, one that prompts or rate-limits was asked twice. One per
 * connection, so one per process run; a failing plugin is run at most once in it, and its failure is said as it first
 * was. A credential the server refused (401) is forgotten ({@link #forgetToken}), so the re-read after it runs the
 * plugin again for a fresh one, as client-go does on a 401 (k8s.io/client-go plugin/pkg/client/auth/exec/exec.go,
 * {@code UpdateTransportConfig}'s round tripper: a 401 with the cached credential clears it).
 */
final class ExecCredentialRuns {
    private final Map<Key, Object> outcomes = new HashMap<>();

    /** Which plugin: the user and what would be run for it. */
    private record Key(String user, String command, List<String> args, String env) {
    }

    /**
     * Forgets each credential whose token is {@code refused}. Only those: when several requests are refused at once,
     * the first re-read runs the plugin and the others find its new token rather than run it again.
     */
    synchronized void forgetToken(String refused) {
        if (refused != null) {
            outcomes.values().removeIf(o -> o instanceof ExecCredentialPlugin.Credential c && refused.equals(c.token()));
        }
    }

    /** The credential the plugin of kubeconfig user {@code user} last gave in this run, if one was run and gave one. */
    synchronized java.util.Optional<ExecCredentialPlugin.Credential> credentialOf(String user) {
        return outcomes.entrySet().stream()
                .filter(e -> java.util.Objects.equals(e.getKey().user(), user) && e.getValue() instanceof ExecCredentialPlugin.Credential)
                .map(e -> (ExecCredentialPlugin.Credential) e.getValue())
                .findFirst();
    }

    /** The command of the exec plugin run for kubeconfig user {@code user}, if one was run. */
    synchronized java.util.Optional<String> commandOf(String user) {
        return outcomes.keySet().stream().filter(k -> java.util.Objects.equals(k.user(), user)).map(Key::command).findFirst();
    }

    /** The credential of {@code plugin}, run by {@code run} the first time only (or again after {@link #forgetToken}). */
    synchronized ExecCredentialPlugin.Credential get(ExecCredentialPlugin plugin, Supplier<ExecCredentialPlugin.Credential> run) {
        ExecConfig exec = plugin.exec();
        Key key = new Key(plugin.user(), plugin.command(), exec.getArgs() == null ? List.of() : List.copyOf(exec.getArgs()),
                String.valueOf(exec.getEnv()));
        Object outcome = outcomes.get(key);
        if (outcome == null) {
            try {
                outcome = run.get();
            } catch (RuntimeException e) {
                outcome = e;
            }
            outcomes.put(key, outcome);
        }
        if (outcome instanceof RuntimeException e) {
            throw e;
        }
        return (ExecCredentialPlugin.Credential) outcome;
    }
}

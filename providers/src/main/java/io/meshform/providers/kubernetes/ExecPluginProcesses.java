package io.meshform.providers.kubernetes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Every process one run of an exec credential plugin started, to stop them all when it hangs or leaves its output
 * open. {@link ProcessHandle#descendants} finds only what is still linked to the plugin by parent ids: a child started
 * through a subshell or a double fork ({@code (setsid cmd &)}, a daemonising helper) is re-parented when its parent
 * exits and is no descendant any more, yet it holds the plugin's stdout, so the reading thread never saw the end and the
 * process outlived the run. Each run therefore marks the plugin's environment with a value of its own
 * ({@link #MARK}), which everything it starts inherits; on Linux, {@code /proc/PID/environ} of this user's processes
 * names them. Nothing is looked up on the success path: only {@link #stop}, on a failure, reads /proc.
 */
final class ExecPluginProcesses {
    /** The environment variable the plugin is started with; its value is this run's own. */
    static final String MARK = "MESHFORM_EXEC_PLUGIN_RUN";
    /** Rounds of finding and killing: a process may fork while the previous round kills its parent. */
    private static final int ROUNDS = 3;

    private final String run = UUID.randomUUID().toString();

    /** Puts this run's mark in the environment the plugin will be started with. */
    void mark(ProcessBuilder pb) {
        pb.environment().put(MARK, run);
    }

    /**
     * Kills the plugin and every process it started, its descendants and those that carry this run's mark: the
     * children first, so none is re-parented away between the look-up and the kill. Returns how many were killed
     * besides the plugin itself.
     */
    int stop(Process plugin) {
        Set<Long> killed = new HashSet<>();
        for (int round = 0; round < ROUNDS; round++) {
            List<ProcessHandle> found = new ArrayList<>();
            plugin.descendants().forEach(found::add);
            found.addAll(marked());
            // a killed process may linger unreaped (a zombie): counted once, not found anew in each round
            found.removeIf(h -> h.pid() == plugin.pid() || killed.contains(h.pid()) || !h.isAlive());
            found.forEach(h -> {
                h.destroyForcibly();
                killed.add(h.pid());
            });
            plugin.destroyForcibly();
            if (found.isEmpty()) {
                break;
            }
        }
        return killed.size();
    }

    /** This user's processes whose environment carries this run's mark; none where there is no /proc. */
    private List<ProcessHandle> marked() {
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            return List.of();
        }
        byte[] mark = (MARK + "=" + run).getBytes(StandardCharsets.UTF_8);
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses()
                .filter(h -> h.pid() != self && environHas(h.pid(), mark))
                .toList();
    }

    /** Whether /proc/PID/environ (the environment the process was started with) holds {@code mark}. */
    private static boolean environHas(long pid, byte[] mark) {
        byte[] env;
        try {
            env = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
        } catch (IOException | SecurityException e) {
            return false;  // gone meanwhile, or another user's
        }
        for (int i = 0; i + mark.length <= env.length; i++) {
            // only at the start of an entry (entries are NUL-separated)
            if ((i == 0 || env[i - 1] == 0) && Arrays.equals(env, i, i + mark.length, mark, 0, mark.length)) {
                return true;
            }
        }
        return false;
    }
}

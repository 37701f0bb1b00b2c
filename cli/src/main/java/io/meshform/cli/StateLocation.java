package io.meshform.cli;

import io.meshform.engine.model.Stack;
import io.meshform.state.StateBackend;
import java.nio.file.Path;

/**
 * Where a state lies, as a saved plan made before its state existed records it: nothing else binds such a plan (no
 * lineage or serial yet), so a plan reviewed with {@code --context staging} (local state
 * {@code meshform.staging.state.json}) was applied with {@code --context production}, where no state existed either. A
 * local file is named relative to the stack file's directory, so the plan job and the apply job of a pipeline may check
 * the repository out in different places; any other state is its backend's {@link StateBackend#location()} (a Kubernetes
 * Secret and the cluster it is in).
 */
final class StateLocation {
    private static final String LOCAL = "local file ";
    private static final String LINK = " (a link to ";

    private StateLocation() {
    }

    static String of(StateBackend backend, Stack stack) {
        String described = backend.describe();
        if (!described.startsWith(LOCAL) || stack.file() == null) {
            return backend.location();
        }
        String given = described.substring(LOCAL.length());
        int link = given.indexOf(LINK);
        Path file = Path.of(link < 0 ? given : given.substring(0, link)).toAbsolutePath().normalize();
        Path dir = stack.file().toAbsolutePath().normalize().getParent();
        return LOCAL + (dir != null && file.startsWith(dir) ? dir.relativize(file) + " beside the stack file" : file);
    }
}

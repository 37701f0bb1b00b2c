package io.meshform.state;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code backend: {local: {path: FILE}}}: a JSON file, relative to the stack's directory. */
public final class LocalBackendKind implements BackendKind {
    public static final String NAME = "local";
    public static final String DEFAULT_FILE = "meshform.state.json";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, String> settings() {
        return Map.of("path", "the state file, relative to the stack's directory (default: " + DEFAULT_FILE + ")");
    }

    @Override
    public List<SettingProblem> check(Map<String, String> settings) {
        String path = settings.get("path");
        if (path != null && path.isBlank()) {
            return List.of(new SettingProblem("path", "`path` is empty", "name a file, e.g. " + DEFAULT_FILE));
        }
        return List.of();
    }

    @Override
    public StateBackend open(BackendRequest request) {
        Path file = file(request.stackDirectory(), request.settings());
        // The path comes from the stack: where writes land is checked again against its root.
        return request.root() == null ? new LocalStateBackend(file) : LocalStateBackend.confinedTo(request.root(), file);
    }

    /** The file the settings name, resolved from the stack's directory. */
    public static Path file(Path stackDirectory, Map<String, String> settings) {
        return stackDirectory.resolve(settings.getOrDefault("path", DEFAULT_FILE));
    }
}

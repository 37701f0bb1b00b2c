package io.meshform.providers.kubernetes;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.load.StackRoot;
import io.meshform.engine.load.YamlDocument;
import io.meshform.engine.load.YamlReader;
import io.meshform.engine.spi.ProviderSettings;
import java.nio.file.Path;
import java.util.List;

/**
 * The files a stack names that providers read themselves (a manifest's {@code file:}, {@code addons.manifests}):
 * resolved against the stack file's directory, confined to the stack's root ({@link StackRoot}), read through the
 * engine's bounded reader and its hardened YAML parser (aliases, merge keys and duplicate keys refused, as in
 * stack files).
 *
 * @param root confinement from the provider settings (none in library use)
 * @param base the stack file's directory, or null when the settings do not name it
 */
public record StackFiles(StackRoot root, Path base) {

    public static StackFiles of(ProviderSettings settings) {
        return new StackFiles(StackRoot.fromSettings(settings.values()),
                settings.get(StackRoot.BASE_SETTING).map(Path::of).orElse(null));
    }

    public static StackFiles unconfined() {
        return new StackFiles(StackRoot.unconfined(), null);
    }

    /**
     * The path {@code name} (as the stack writes it) stands for, inside the root. {@code learnt} is the stack
     * directory learnt from the graph, used when the settings do not name one.
     */
    public Path resolve(String name, Path learnt, String what) {
        Path dir = base != null ? base : learnt != null ? learnt : Path.of("").toAbsolutePath();
        return root.resolve(dir, name, what, null);
    }

    /** Every YAML document of the file {@code name}; errors name the file as the stack wrote it. */
    public List<YamlDocument> readYaml(String name, Path learnt, String what) {
        return new YamlReader().readAll(resolve(name, learnt, what), name, what);
    }

    /** "x.yaml:3:5: summary (detail)", for one line of a provider error about a file. */
    public static String oneLine(DiagnosticsException e) {
        Diagnostic d = e.diagnostics().get(0);
        return (d.range() == null ? "" : d.range() + ": ") + d.summary()
                + (d.detail() == null || d.detail().isBlank() ? "" : " (" + d.detail().replace('\n', ' ') + ")");
    }
}

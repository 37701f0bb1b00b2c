package io.meshform.engine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.BackendConfig;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.state.BackendCatalog;
import io.meshform.state.BackendKind;
import io.meshform.state.BackendRequest;
import io.meshform.state.LocalBackendKind;
import io.meshform.state.SettingProblem;
import io.meshform.state.StateBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stack loader checks {@code backend:} against the backend kinds it is given, not a list of its own. */
class BackendBlockTest {
    @TempDir
    Path dir;

    /** A kind the loader has never heard of, with one required setting: proves the rules come from the kind. */
    private static final class VaultKind implements BackendKind {
        @Override
        public String name() {
            return "vault";
        }

        @Override
        public Map<String, String> settings() {
            return Map.of("mount", "the KV mount", "ttl", "seconds");
        }

        @Override
        public List<SettingProblem> check(Map<String, String> settings) {
            if (!settings.containsKey("mount")) {
                return List.of(new SettingProblem(null, "backend `vault` needs a `mount`", "e.g. mount: secret"));
            }
            if (settings.containsKey("ttl") && !settings.get("ttl").matches("[0-9]+")) {
                return List.of(new SettingProblem("ttl", "`ttl` must be a number", "e.g. ttl: 60"));
            }
            return List.of();
        }

        @Override
        public StateBackend open(BackendRequest request) {
            throw new UnsupportedOperationException("never opened by the loader");
        }
    }

    private final StackLoader loader = new StackLoader(new InMemoryCluster().registry(),
            new BackendCatalog(List.of(new LocalBackendKind(), new VaultKind())));

    private static final String HEAD = "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\n";

    private List<Diagnostic> errors(String text) throws IOException {
        Path p = dir.resolve("stack.yaml");
        Files.writeString(p, HEAD + text);
        return assertThrows(DiagnosticsException.class, () -> loader.load(p, VariableInputs.none())).diagnostics();
    }

    @Test
    void aKindFromTheCatalogIsAcceptedWithItsSettings() throws IOException {
        Path p = dir.resolve("stack.yaml");
        Files.writeString(p, HEAD + "backend:\n  vault: {mount: secret, ttl: 60}\n");
        BackendConfig b = loader.load(p, VariableInputs.none()).stack().backend();
        assertEquals(new BackendConfig("vault", Map.of("mount", "secret", "ttl", "60")), b);
    }

    @Test
    void anUnknownKindIsRefusedWithTheClosestName() throws IOException {
        List<Diagnostic> e = errors("backend:\n  vaul: {mount: secret}\n");
        assertEquals("unknown backend `vaul`", e.get(0).summary());
        assertEquals("did you mean `vault`?", e.get(0).detail());
        assertEquals(5, e.get(0).range().line());
    }

    @Test
    void aKindThatIsNotInstalledIsUnknown() throws IOException {
        // kubernetes is a real kind, but not in this catalog: the loader has no list of its own.
        assertEquals("unknown backend `kubernetes`", errors("backend:\n  kubernetes: {namespace: x}\n").get(0).summary());
    }

    @Test
    void settingsAreCheckedByTheKindAndShownWhereTheyAreWritten() throws IOException {
        List<Diagnostic> missing = errors("backend:\n  vault: {ttl: 60}\n");
        assertEquals("backend `vault` needs a `mount`", missing.get(0).summary());
        assertEquals(5, missing.get(0).range().line());

        List<Diagnostic> bad = errors("backend:\n  vault:\n    mount: secret\n    ttl: soon\n");
        assertEquals("`ttl` must be a number", bad.get(0).summary());
        assertEquals(7, bad.get(0).range().line(), "at the ttl line");

        List<Diagnostic> unknownKey = errors("backend:\n  vault: {mount: secret, tll: 5}\n");
        assertEquals("unknown field `tll` in backend `vault`", unknownKey.get(0).summary());
    }

    /** Variables are not substituted in the backend: a local path with `${var.env}` wrote a file named so, silently. */
    @Test
    void aVariableReferenceInASettingIsRefusedWhereItIsWritten() throws IOException {
        List<Diagnostic> e = errors("variables:\n  env: {type: string, default: prod}\n"
                + "backend:\n  local:\n    path: \"${var.env}.state.json\"\n");
        assertEquals("backend `local`: `path` takes no variables: `${...}` is not substituted here", e.get(0).summary());
        assertEquals(8, e.get(0).range().line(), "at the path line");
        assertEquals(1, e.stream().filter(d -> d.summary().contains("backend")).count(), e.toString());
    }

    /** The other parts read as written: metadata and imports; each said at its value, every one in one run. */
    @Test
    void metadataAndImportsTakeNoVariablesEither() throws IOException {
        Path p = dir.resolve("stack.yaml");
        Files.writeString(p, "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: \"${var.n}\", environment:"
                + " \"${var.env}\"}\nimports: [\"${var.env}.yaml\"]\nvariables:\n  n: {default: x}\n  env: {default: staging}\n");
        List<Diagnostic> e = assertThrows(DiagnosticsException.class, () -> loader.load(p, VariableInputs.none())).diagnostics();
        List<String> summaries = e.stream().map(Diagnostic::summary).toList();
        assertEquals(List.of("`metadata.name` takes no variables: `${...}` is not substituted here",
                "`metadata.environment` takes no variables: `${...}` is not substituted here",
                "an import takes no variables: `${...}` is not substituted here"),
                summaries.stream().filter(s -> s.contains("takes no variables")).toList(), summaries.toString());
        assertEquals(List.of(), summaries.stream().filter(s -> s.contains("not found") || s.contains("unknown environment")
                || s.contains("invalid stack name")).toList());
    }

    /** A variable's default is read as written too: "${var.a}-y" was the text itself, and `a` was said to be unused. */
    @Test
    void aVariablesDefaultTakesNoVariables() throws IOException {
        Path p = dir.resolve("stack.yaml");
        Files.writeString(p, "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: demo}\nvariables:\n"
                + "  a: {default: x}\n  b: {type: string, default: \"${var.a}-y\"}\n");
        List<Diagnostic> e = assertThrows(DiagnosticsException.class, () -> loader.load(p, VariableInputs.none())).diagnostics();
        List<Diagnostic> refused = e.stream().filter(d -> d.summary().contains("takes no variables")).toList();
        assertEquals(1, refused.size(), e.toString());
        assertEquals("the default of variable `b` takes no variables: `${...}` is not substituted here", refused.get(0).summary());
        assertEquals(6, refused.get(0).range().line(), "at the default");
    }
}

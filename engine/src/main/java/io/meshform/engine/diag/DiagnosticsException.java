package io.meshform.engine.diag;

import java.util.List;
import java.util.stream.Collectors;

/** Carries every error found, so the CLI prints them all and changes nothing. */
public final class DiagnosticsException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<Diagnostic> diagnostics;

    public DiagnosticsException(Diagnostics diagnostics) {
        super(render(diagnostics.all()));
        this.diagnostics = List.copyOf(diagnostics.all());
    }

    public DiagnosticsException(Diagnostic single) {
        this(new Diagnostics().add(single));
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    private static String render(List<Diagnostic> ds) {
        long errors = ds.stream().filter(Diagnostic::isError).count();
        return ds.stream().map(Diagnostic::format).collect(Collectors.joining("\n\n"))
                + "\n\n" + errors + (errors == 1 ? " error" : " errors");
    }
}

package io.meshform.engine.diag;

import java.util.List;
import java.util.stream.Collectors;

/** Carries every error found, so the CLI prints them all and changes nothing. */
public final class DiagnosticsException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<Diagnostic> diagnostics;

    /** Keeps the diagnostics in {@link FileOrder}, so every output (text, JSON) lists them as the file reads. */
    public DiagnosticsException(Diagnostics diagnostics) {
        this(FileOrder.of(diagnostics.all()));
    }

    private DiagnosticsException(List<Diagnostic> sorted) {
        super(render(sorted));
        this.diagnostics = List.copyOf(sorted);
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

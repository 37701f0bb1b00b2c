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

    /**
     * These diagnostics, those without a known position placed at {@code at} (a refusal a resource type raised for a
     * resource, placed at its declaration or at the field it names); this one when every one has a position.
     */
    public DiagnosticsException placedAt(SourceRange at) {
        if (diagnostics.stream().allMatch(d -> d.range() != null && d.range().known())) {
            return this;
        }
        Diagnostics placed = new Diagnostics();
        diagnostics.forEach(d -> placed.add(d.range() != null && d.range().known() ? d
                : new Diagnostic(d.severity(), d.summary(), d.detail(), at)));
        return new DiagnosticsException(placed);
    }

    private static String render(List<Diagnostic> ds) {
        long errors = ds.stream().filter(Diagnostic::isError).count();
        return ds.stream().map(Diagnostic::format).collect(Collectors.joining("\n\n"))
                + "\n\n" + errors + (errors == 1 ? " error" : " errors");
    }
}

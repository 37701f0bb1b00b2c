package io.meshform.engine.diag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Problems collected rather than thrown one at a time, so a user sees every error in a file at once. */
public final class Diagnostics {
    private final List<Diagnostic> items = new ArrayList<>();

    public Diagnostics add(Diagnostic d) {
        items.add(d);
        return this;
    }

    public Diagnostics addAll(Diagnostics other) {
        items.addAll(other.items);
        return this;
    }

    public Diagnostics error(String summary, String detail, SourceRange range) {
        return add(Diagnostic.error(summary, detail, range));
    }

    public Diagnostics warning(String summary, String detail, SourceRange range) {
        return add(Diagnostic.warning(summary, detail, range));
    }

    public boolean hasErrors() {
        return items.stream().anyMatch(Diagnostic::isError);
    }

    public List<Diagnostic> all() {
        return Collections.unmodifiableList(items);
    }

    public List<Diagnostic> errors() {
        return items.stream().filter(Diagnostic::isError).toList();
    }

    public List<Diagnostic> warnings() {
        return items.stream().filter(d -> !d.isError()).toList();
    }

    /** The same diagnostics with {@code text} applied to each summary and detail (a redactor of sensitive values). */
    public Diagnostics withText(java.util.function.UnaryOperator<String> text) {
        Diagnostics out = new Diagnostics();
        items.forEach(d -> out.add(new Diagnostic(d.severity(), text.apply(d.summary()),
                d.detail() == null ? null : text.apply(d.detail()), d.range())));
        return out;
    }

    /** Throws when any error was collected; warnings pass. */
    public void throwIfErrors() {
        if (hasErrors()) {
            throw new DiagnosticsException(this);
        }
    }
}

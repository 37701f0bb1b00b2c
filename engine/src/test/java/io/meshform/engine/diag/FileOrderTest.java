package io.meshform.engine.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class FileOrderTest {
    private static Diagnostic at(String summary, String file, int line, int column) {
        return Diagnostic.error(summary, null, new SourceRange(file, line, column));
    }

    @Test
    void eachFileByLineThenColumnFilesInTheOrderTheyFirstAppear() {
        List<Diagnostic> found = List.of(at("a92", "stack.yaml", 92, 7), at("i3", "base.yaml", 3, 1),
                at("a85", "stack.yaml", 85, 9), Diagnostic.error("nowhere", null, null), at("a85b", "stack.yaml", 85, 3),
                at("a100", "stack.yaml", 100, 1), at("i1", "base.yaml", 1, 1));
        assertEquals(List.of("a85b", "a85", "a92", "a100", "i1", "i3", "nowhere"),
                FileOrder.of(found).stream().map(Diagnostic::summary).toList());
    }

    @Test
    void twoAtOnePositionKeepTheOrderTheyWereFoundIn() {
        List<Diagnostic> found = List.of(at("second", "s.yaml", 9, 5), at("first", "s.yaml", 4, 1), at("third", "s.yaml", 9, 5));
        assertEquals(List.of("first", "second", "third"), FileOrder.of(found).stream().map(Diagnostic::summary).toList());
    }

    @Test
    void anExceptionListsItsDiagnosticsInFileOrder() {
        Diagnostics d = new Diagnostics().add(at("later", "s.yaml", 20, 1)).add(at("earlier", "s.yaml", 2, 1));
        assertEquals(List.of("earlier", "later"),
                new DiagnosticsException(d).diagnostics().stream().map(Diagnostic::summary).toList());
    }
}

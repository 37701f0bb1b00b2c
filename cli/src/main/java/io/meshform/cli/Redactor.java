package io.meshform.cli;

import io.meshform.engine.plan.Sensitive;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last line of defence for sensitive values: every line meshform prints (and every report file it writes) is
 * searched for the sensitive values of the loaded stack, which are replaced by {@value Sensitive#MASK}. Values are
 * masked where they are rendered already (plans, drift, state); this catches what no renderer controls: an API
 * server error that echoes the object, a stack trace under {@code --log-level debug}. One per command run.
 */
final class Redactor {
    private final Set<String> secrets = ConcurrentHashMap.newKeySet();

    void add(Set<String> values) {
        secrets.addAll(values);
    }

    String redact(String text) {
        return secrets.isEmpty() ? text : Sensitive.redact(text, Set.copyOf(secrets));
    }

    /**
     * {@code out}, with each line redacted before it is written (partial lines on an explicit flush, e.g. a prompt).
     * Not auto-flushing: PrintStream flushes after every {@code write(byte[])} when it is, which wrote a line out in
     * pieces, and a value split across two writes reached the terminal unmasked. Whole lines still go out at once.
     */
    PrintStream wrap(PrintStream out) {
        return new PrintStream(new LineFilter(out), false, StandardCharsets.UTF_8);
    }

    private final class LineFilter extends OutputStream {
        private final PrintStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineFilter(PrintStream target) {
            this.target = target;
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') {
                emit();
            }
        }

        /** Whole runs up to each line end at once: byte by byte, an apply's progress lines cost a tenth of its threads' CPU. */
        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int start = off;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    line.write(b, start, i + 1 - start);
                    emit();
                    start = i + 1;
                }
            }
            line.write(b, start, off + len - start);
        }

        @Override
        public synchronized void flush() {
            emit();
            target.flush();
        }

        @Override
        public void close() throws IOException {
            flush();
        }

        private void emit() {
            if (line.size() == 0) {
                return;
            }
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            target.print(redact(text));
        }
    }
}

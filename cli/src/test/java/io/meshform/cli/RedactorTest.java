package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.plan.Sensitive;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every line printed through the redactor loses the stack's sensitive values, however the bytes arrive. */
class RedactorTest {
    private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
    private final Redactor redactor = new Redactor();

    private PrintStream out() {
        redactor.add(Set.of("s3cr3t-token"));
        return redactor.wrap(new PrintStream(sink, true, StandardCharsets.UTF_8));
    }

    private String printed() {
        return sink.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aValueSplitAcrossWritesOfOneLineIsMasked() {
        PrintStream out = out();
        byte[] text = "token: s3cr3t-token here\nnext line\n".getBytes(StandardCharsets.UTF_8);
        for (int cut = 1; cut < text.length; cut++) {
            sink.reset();
            out.write(text, 0, cut);
            out.write(text, cut, text.length - cut);
            assertEquals("token: " + Sensitive.MASK + " here\nnext line\n", printed(), "cut at " + cut);
        }
    }

    @Test
    void manyLinesInOneWriteAreEachMasked() {
        PrintStream out = out();
        out.print("a s3cr3t-token\nb\nc s3cr3t-token s3cr3t-token\n");
        assertEquals("a " + Sensitive.MASK + "\nb\nc " + Sensitive.MASK + " " + Sensitive.MASK + "\n", printed());
    }

    @Test
    void aPartLineIsWrittenOnFlushAndMasked() {
        PrintStream out = out();
        out.print("prompt s3cr3t-token? ");
        out.flush();
        assertEquals("prompt " + Sensitive.MASK + "? ", printed());
        out.println("yes");
        assertEquals("prompt " + Sensitive.MASK + "? yes\n", printed());
    }
}

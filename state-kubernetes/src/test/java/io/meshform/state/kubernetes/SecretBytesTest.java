package io.meshform.state.kubernetes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.state.CorruptStateException;
import io.meshform.state.LocalStateBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** A state Secret's data is bounded as a local state file is, however well it compresses. */
class SecretBytesTest {

    @Test
    void aStateThatInflatesPastTheLimitIsRefusedBeforeItIsRead() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            byte[] zeros = new byte[1 << 20];
            for (long n = 0; n <= LocalStateBackend.MAX_STATE_BYTES; n += zeros.length) {
                gz.write(zeros);  // 257 MiB of zeros: about 260 KB gzip'd, well under a Secret's 1 MiB
            }
        }
        assertTrue(out.size() < 1 << 20, "fits in one Secret: " + out.size());
        CorruptStateException e = assertThrows(CorruptStateException.class,
                () -> SecretBytes.gunzip(out.toByteArray(), "state in Kubernetes Secret ns/meshform-state-x"));
        assertTrue(e.getMessage().contains("more than the limit of 256 MiB"), e.getMessage());
    }

    @Test
    void aStateUnderTheLimitInflatesAsWritten() {
        byte[] json = "{\"serial\": 1}".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(json, SecretBytes.gunzip(SecretBytes.gzip(json), "state"));
    }
}

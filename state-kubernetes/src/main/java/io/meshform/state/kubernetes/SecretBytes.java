package io.meshform.state.kubernetes;

import io.meshform.state.CorruptStateException;
import io.meshform.state.LocalStateBackend;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** The encodings of a state Secret's data: base64 of gzip'd JSON, and the SHA-256 that binds its chunks. */
final class SecretBytes {
    static final String DATA_KEY = KubernetesStateBackend.DATA_KEY;

    private SecretBytes() {
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static byte[] unbase64(String text, String source, String key) {
        try {
            return Base64.getDecoder().decode(text == null ? "" : text);
        } catch (IllegalArgumentException e) {
            throw new CorruptStateException(source, key + " is not valid base64");
        }
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory streams do not fail
        }
        return out.toByteArray();
    }

    /**
     * The state's JSON, at most {@link LocalStateBackend#MAX_STATE_BYTES} as a local state file: a Secret of under
     * 1 MiB can inflate to a gigabyte (gzip compresses zeros a thousandfold), which took a minute and 1.7 GB of
     * memory to refuse as JSON, and a few chunks more would exhaust the JVM's memory.
     */
    static byte[] gunzip(byte[] bytes, String source) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            byte[] json = in.readNBytes((int) LocalStateBackend.MAX_STATE_BYTES + 1);
            if (json.length > LocalStateBackend.MAX_STATE_BYTES) {
                throw new CorruptStateException(source, DATA_KEY + " inflates to more than the limit of "
                        + (LocalStateBackend.MAX_STATE_BYTES >> 20) + " MiB for a state; it was not written by meshform");
            }
            return json;
        } catch (IOException e) {
            throw new CorruptStateException(source, DATA_KEY + " is not valid gzip (" + e.getMessage() + ")");
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}

package io.meshform.engine.load;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a file a user named (a stack, an import, a --var-file, a manifest, a saved plan, a pushed state) with its
 * limits checked before anything is read: it must be a regular file (after following links), so {@code /dev/zero},
 * {@code /dev/urandom}, a FIFO or a directory is refused at once instead of being read until the heap is gone; and its
 * size must be within the limit. The size is checked again while reading, because a file's announced size can lie
 * ({@code /proc} files report 0) or grow while it is read.
 *
 * <p>Errors are {@link InputFileException}s (an {@link IOException}) whose message is a sentence a user can act on;
 * callers add the file's role ("the stack file", "--var-file").
 */
public final class InputFiles {
    private InputFiles() {
    }

    /** A file refused before or while reading: not a regular file, or larger than the limit. */
    public static final class InputFileException extends IOException {
        private static final long serialVersionUID = 1L;

        InputFileException(String message) {
            super(message);
        }
    }

    /** The bytes of {@code path}, at most {@code maxBytes}. */
    public static byte[] readBytes(Path path, long maxBytes) throws IOException {
        checkRegular(path);
        long size = Files.size(path);
        if (size > maxBytes) {
            throw tooLarge(path, size, maxBytes);
        }
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw tooLarge(path, -1, maxBytes);
            }
            return bytes;
        }
    }

    /** The text of {@code path} (UTF-8, malformed input refused), at most {@code maxBytes} bytes. */
    public static String readString(Path path, long maxBytes) throws IOException {
        byte[] bytes = readBytes(path, maxBytes);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new java.nio.charset.MalformedInputException(bytes.length);
        }
    }

    /** Refuses what is not a regular file; a missing file is left to the read (NoSuchFileException). */
    public static void checkRegular(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString());
        }
        if (Files.isDirectory(path)) {
            throw new InputFileException(path + " is a directory, not a file");
        }
        if (!Files.isRegularFile(path)) {
            throw new InputFileException(path + " is not a regular file (a device, pipe or socket); meshform reads only"
                    + " regular files, so that an endless input cannot exhaust its memory");
        }
    }

    /** A size for messages: bytes, KiB or MiB. */
    public static String size(long bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }

    private static InputFileException tooLarge(Path path, long size, long max) {
        return new InputFileException(path + " is larger than the limit of " + size(max)
                + (size >= 0 ? " (" + size + " bytes)" : " (it holds more than its announced size)"));
    }
}

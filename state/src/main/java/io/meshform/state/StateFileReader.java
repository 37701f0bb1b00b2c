package io.meshform.state;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The read side of a {@link LocalStateBackend}: reading a state file's bytes within the size limit, and decoding them
 * with how to restore from the backup when they are corrupt. Not thread-safe: the backend calls it under its monitor.
 */
final class StateFileReader {
    private final Path file;
    private final Path backup;
    private final StateCodec codec;
    /** The bytes last decoded or written, and what they decode to: an apply writes after every step, and decoding the
     * whole previous file each time made a long apply quadratic. */
    private byte[] knownBytes;
    private StateSnapshot knownSnapshot;

    StateFileReader(Path file, Path backup, StateCodec codec) {
        this.file = file;
        this.backup = backup;
        this.codec = codec;
    }

    /** What {@code bytes} of the state file decode to, decoded again only when they differ from the last ones. */
    StateSnapshot decodeKnown(byte[] bytes) {
        if (!Arrays.equals(bytes, knownBytes)) {
            knownSnapshot = decode(bytes);
            knownBytes = bytes;
        }
        return knownSnapshot;
    }

    /** Remembers what was just written, so that the next write's check does not decode it again. */
    void written(byte[] bytes, StateSnapshot snapshot) {
        knownBytes = bytes;
        knownSnapshot = snapshot;
    }

    /** The serial in {@code bytes}, or "unreadable": for a message, which must not fail in turn. */
    String serialOf(byte[] bytes) {
        try {
            return Long.toString(codec.decode(bytes, "state file " + file).serial());
        } catch (StateException e) {
            return "unreadable";
        }
    }

    private StateSnapshot decode(byte[] bytes) {
        try {
            return codec.decode(bytes, "state file " + file);
        } catch (CorruptStateException e) {
            throw e.withRecovery(recoveryAdvice());
        }
    }

    private String recoveryAdvice() {
        if (Files.exists(backup)) {
            return "The version before the last write is in " + backup + ". If it reads well, restore it with:\n"
                    + "  cp " + backup + " " + file + "\n"
                    + "(it lacks the last write's changes: run plan afterwards to see what differs).";
        }
        return "There is no backup (" + backup + " does not exist): fix the file by hand, or restore it from "
                + "version control or your own copies.";
    }

    static void requireRegularFile(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new StateException(path + " is not a regular file (a directory, device, pipe or socket)"
                    + "\nPoint --state at a file (it need not exist yet).");
        }
    }

    /**
     * The bytes of {@code path}, or null when there is none. At most {@link LocalStateBackend#MAX_STATE_BYTES} are
     * read, so a huge file or a device is refused before it fills memory.
     */
    static byte[] readIfPresent(Path path) {
        try {
            if (Files.exists(path)) {
                requireRegularFile(path);
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(path)) {
                bytes = in.readNBytes((int) LocalStateBackend.MAX_STATE_BYTES + 1);
            }
            if (bytes.length > LocalStateBackend.MAX_STATE_BYTES) {
                throw new StateException(path + " is larger than the limit of "
                        + (LocalStateBackend.MAX_STATE_BYTES >> 20) + " MiB for a state file\nCheck that --state names a meshform state file.");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new StateException("could not read " + path + ": " + e.getMessage()
                    + "\nCheck that it is a readable file.", e);
        }
    }
}

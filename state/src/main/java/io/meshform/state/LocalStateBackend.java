package io.meshform.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * State in a local JSON file. Every write is atomic and keeps the previous version as {@code <file>.backup};
 * the lock is a {@code <file>.lock} file holding the holder's {@link LockInfo}.
 */
public final class LocalStateBackend implements StateBackend {

    private final Path file;
    private final Path backup;
    private final Path lockFile;
    private final StateCodec codec = new StateCodec();
    /** The bytes this backend last read or wrote, and what they decode to: an apply writes after every step,
     * and decoding the whole previous file each time made a long apply quadratic. */
    private byte[] knownBytes;
    private StateSnapshot knownSnapshot;

    public LocalStateBackend(Path stateFile) {
        this.file = stateFile;
        this.backup = sibling(stateFile, ".backup");
        this.lockFile = sibling(stateFile, ".lock");
    }

    public Path file() {
        return file;
    }

    public Path backupFile() {
        return backup;
    }

    public Path lockFile() {
        return lockFile;
    }

    @Override
    public String describe() {
        return "local file " + file;
    }

    @Override
    public synchronized Optional<StateSnapshot> read() {
        byte[] bytes = readIfPresent(file);
        return bytes == null ? Optional.empty() : Optional.of(decodeKnown(bytes));
    }

    @Override
    public synchronized StateSnapshot write(StateSnapshot s) {
        byte[] previous = readIfPresent(file);
        long serial = s.serial() + 1;
        if (previous != null) {
            StateSnapshot stored = decodeKnown(previous);
            LineageCheck.require(stored, s, describe());
            serial = stored.serial() + 1;
        }
        StateSnapshot out = new StateSnapshot(StateSnapshot.CURRENT_FORMAT_VERSION, serial, s.lineage(),
                s.meshformVersion(), s.resources());
        byte[] bytes = codec.encode(out);
        try {
            if (previous != null) {
                // Backup first: a crash between the two renames leaves backup == file, never a missing file.
                // A hard link, not a copy: an apply writes after every step, and copying made long applies slow.
                AtomicFiles.preserve(file, backup);
            }
            AtomicFiles.write(file, bytes);
            knownBytes = bytes;
            knownSnapshot = out;
        } catch (IOException e) {
            throw new StateException("could not write state file " + file + ": " + e.getMessage()
                    + "\nThe previous state is unchanged. Check that the directory exists, is writable and has "
                    + "free space, then run meshform again.", e);
        }
        return out;
    }

    private StateSnapshot decodeKnown(byte[] bytes) {
        if (!java.util.Arrays.equals(bytes, knownBytes)) {
            knownSnapshot = decode(bytes);
            knownBytes = bytes;
        }
        return knownSnapshot;
    }

    @Override
    public LockHandle lock(LockInfo info, Duration wait) throws StateLockedException {
        LockInfo mine = info.withPath(describe());
        byte[] json = mine.toJson().getBytes(StandardCharsets.UTF_8);
        return LockRetry.acquire(wait, () -> tryLock(mine, json));
    }

    private LockHandle tryLock(LockInfo mine, byte[] json) {
        // a few rounds, because the holder may release between our failed create and our read of its lock
        for (int round = 0; round < 3; round++) {
            try {
                AtomicFiles.createExclusive(lockFile, json);
                return new FileLockHandle(mine.id());
            } catch (FileAlreadyExistsException held) {
                Optional<LockInfo> holder = currentHolder();
                if (holder.isPresent()) {
                    throw new StateLockedException(describe(), holder.get(), holder.get().holderProcessGone());
                }
            } catch (IOException e) {
                throw new StateException("could not create lock file " + lockFile + ": " + e.getMessage()
                        + "\nCheck that the directory is writable.", e);
            }
        }
        throw new StateLockedException(describe(), new LockInfo("unknown", "", "", 0, null, describe()), false);
    }

    @Override
    public void forceUnlock(String lockId) {
        LockInfo holder = currentHolder().orElseThrow(() -> new StateException(
                "state is not locked: " + describe() + " (no " + lockFile + "); nothing to unlock"));
        if (!holder.id().equals(lockId)) {
            throw new StateException("refusing to unlock " + describe() + ": it is locked with ID " + holder.id()
                    + ", not " + lockId + ". The lock changed hands since you saw the ID; run meshform again to "
                    + "see who holds it now.");
        }
        deleteLock();
    }

    private Optional<LockInfo> currentHolder() {
        byte[] bytes = readIfPresent(lockFile);
        if (bytes == null) {
            return Optional.empty();
        }
        return Optional.of(LockInfo.fromJson(new String(bytes, StandardCharsets.UTF_8), "unknown"));
    }

    private void deleteLock() {
        try {
            Files.deleteIfExists(lockFile);
        } catch (IOException e) {
            throw new StateException("could not delete lock file " + lockFile + ": " + e.getMessage()
                    + "\nDelete it by hand once no meshform is running.", e);
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

    private static byte[] readIfPresent(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new StateException("could not read " + path + ": " + e.getMessage()
                    + "\nCheck that it is a readable file.", e);
        }
    }

    private static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    /** Deletes the lock file on close, but only while it still names us: someone may have force-unlocked it. */
    private final class FileLockHandle implements LockHandle {

        private final String id;
        private boolean closed;

        FileLockHandle(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            // Check-then-delete has a window in which a force-unlock plus a new lock could slip in; a file
            // system gives no compare-and-delete, and the window is a few microseconds.
            if (currentHolder().map(h -> h.id().equals(id)).orElse(false)) {
                deleteLock();
            }
        }
    }
}

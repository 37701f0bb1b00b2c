package io.meshform.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * State in a local JSON file. Every write is atomic and keeps the previous version as {@code <file>.backup}.
 *
 * <p>The lock is an OS lock on {@code <file>.lock} ({@link FileChannel#tryLock()}), which the kernel releases when
 * the holding process dies however it dies: a crashed or killed run needs no {@code force-unlock}, and nobody
 * waits on a dead holder. The file also holds the holder's {@link LockInfo}, for the message others see. It is
 * never deleted: a run that deleted it could let a second run lock a new file while a third still held the old.
 *
 * <p>A state path that is a symbolic link is written through: the link stays, the file it points to is replaced
 * atomically (temp file, fsync, rename in the target's directory), and the backup and lock live beside the target,
 * so runs that name the link and runs that name the target share one lock. A link is how a state is put on another
 * disk or a shared mount; replacing it with a regular file would silently move the state off that disk.
 *
 * <p>During an apply, steps are recorded in {@code <file>.journal} ({@link StateJournal}) and folded into the file
 * by one whole write at the end ({@link #compact()}); {@link #read()} replays a journal a crash left behind.
 *
 * <p>Longer than 400 lines because the file, its backup, its journal and its lock are one unit: every write and
 * every journal record checks the lock and the file under this object's monitor.
 */
public final class LocalStateBackend implements StateBackend {
    /**
     * The largest state file read: 10,000 resources make a few tens of MiB. Bigger, or not a regular file (a device
     * such as /dev/zero named by --state), is refused before it is read.
     */
    public static final long MAX_STATE_BYTES = 256L << 20;
    /** How long a run that finds the lock held waits for its holder's record (see {@code holderOf}). */
    static final Duration HOLDER_RECORD_WAIT = Duration.ofMillis(500);

    private final Path given;
    private final Path file;
    private final Path backup;
    private final Path lockFile;
    private final Path journalFile;
    /** False keeps whole writes for every step ({@code MESHFORM_STATE_JOURNAL=off}), to measure what the journal buys. */
    private final boolean journaling;
    private final StateCodec codec = new StateCodec();
    /** The bytes this backend last read or wrote, and what they decode to: an apply writes after every step,
     * and decoding the whole previous file each time made a long apply quadratic. */
    private byte[] knownBytes;
    private StateSnapshot knownSnapshot;
    /** True once this backend has read or written the state: a write then requires it unchanged since. */
    private boolean seen;
    private byte[] seenBytes;
    /** What {@link #read()} last returned (the file with a journal replayed), or null. */
    private StateSnapshot lastRead;
    private FileLockHandle held;
    /** The journal this run appends to, from its first {@link #record} to the next whole write. */
    private StateJournal.Writer journal;
    /** The state file as it was when the journal was opened: a change since means another writer. */
    private Object fileStamp;

    public LocalStateBackend(Path stateFile) {
        this(stateFile, !"off".equals(System.getenv("MESHFORM_STATE_JOURNAL")));
    }

    public LocalStateBackend(Path stateFile, boolean journaling) {
        this.given = stateFile;
        this.file = AtomicFiles.throughLinks(stateFile);
        this.backup = sibling(file, ".backup");
        this.lockFile = sibling(file, ".lock");
        this.journalFile = sibling(file, StateJournal.SUFFIX);
        this.journaling = journaling;
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

    public Path journalFile() {
        return journalFile;
    }

    @Override
    public String describe() {
        return "local file " + given + (file.equals(given) ? "" : " (a link to " + file + ")");
    }

    @Override
    public synchronized Optional<StateSnapshot> read() {
        byte[] bytes = readIfPresent(file);
        byte[] journalBytes = readJournal();
        if (bytes == null && journalBytes != null && journalBytes.length > 0) {
            throw new StateException("journal " + journalFile + " exists but the state file " + file + " does not: "
                    + "the journal only continues a state file, so it cannot be read alone. Nothing was changed. "
                    + "Restore the state file (its backup is " + backup + "), or move the journal away if the state "
                    + "was removed on purpose.");
        }
        Optional<StateSnapshot> out = bytes == null ? Optional.empty() : Optional.of(decodeKnown(bytes));
        if (out.isPresent() && journalBytes != null) {
            // A run died before compacting: its recorded steps are part of the state.
            out = Optional.of(StateJournal.replay(out.get(), journalBytes, "journal " + journalFile, codec).state());
        }
        seen = true;
        seenBytes = bytes;
        lastRead = out.orElse(null);
        return out;
    }

    /**
     * Records {@code s} as one fsynced journal record of what changed since the state this backend last read,
     * wrote or recorded, instead of rewriting the whole file; {@link #compact()} folds the journal into the file.
     * The first record of a run writes the state whole instead when a journal of an earlier run is still there.
     */
    @Override
    public synchronized StateSnapshot record(StateSnapshot s) {
        if (!journaling) {
            return write(s);
        }
        if (held != null) {
            held.ensureHeld();
        }
        if (journal == null) {
            byte[] previous = readIfPresent(file);
            if (!seen || previous == null) {
                return write(s); // nothing to continue yet
            }
            if (Files.exists(journalFile, LinkOption.NOFOLLOW_LINKS)) {
                if (lastRead == null) {
                    return write(s);
                }
                // An earlier run's journal: fold exactly what was read into the file first (the serial the replay
                // announced), then journal this run's steps on top of it.
                write(lastRead);
                previous = readIfPresent(file);
            }
            if (!Arrays.equals(previous, seenBytes)) {
                decodeKnown(previous);
                throw changedMeanwhile(previous);
            }
            StateSnapshot stored = decodeKnown(previous);
            LineageCheck.require(stored, s, describe());
            try {
                fileStamp = stamp();
                journal = StateJournal.Writer.create(journalFile, stored, codec);
            } catch (IOException e) {
                throw new StateException("could not create the state journal " + journalFile + ": " + e.getMessage()
                        + "\nThe state is unchanged. Check that the directory is writable and has free space, and "
                        + "that nothing else is at that path, then run meshform again.", e);
            }
        } else if (!Objects.equals(fileStamp, stamp())) {
            byte[] now = readIfPresent(file);
            throw changedMeanwhile(now);
        } else if (!journal.stillAtItsPath()) {
            throw new StateException("the state journal " + journalFile + " was removed or replaced while this run "
                    + "wrote to it; nothing more is written. Another writer is at work on " + describe()
                    + ", or the file was deleted by hand: run meshform again when it is done.");
        }
        try {
            journal.append(s);
        } catch (IOException e) {
            throw new StateException("could not append to the state journal " + journalFile + ": " + e.getMessage()
                    + "\nWhat was recorded before is kept. Check that the disk has free space, then run meshform "
                    + "again.", e);
        }
        return s.withSerial(journal.serial() + 1);
    }

    @Override
    public synchronized Optional<StateSnapshot> compact() {
        if (journal == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(write(journal.view()));
        } catch (LockLostException e) {
            throw e;
        } catch (StateException e) {
            // The steps are safe: each was fsynced to the journal before it counted as done. Say so, or the user
            // reads "could not write state" as "this apply was lost" and repeats or undoes work by hand.
            throw new StateException(e.getMessage() + "\nEvery step this run finished is recorded in the state "
                    + "journal " + journalFile + ", which the next meshform command that reads this state folds in; "
                    + "fix the cause and run the command again (do not delete the journal).", e);
        }
    }

    /** The journal's bytes, or null when there is none. A link there is refused, not followed. */
    private byte[] readJournal() {
        if (Files.isSymbolicLink(journalFile)) {
            throw new StateException("the state journal " + journalFile + " is a symbolic link; meshform does not "
                    + "follow links there. Remove the link (a journal is only ever a file meshform made).");
        }
        return readIfPresent(journalFile);
    }

    /** The state file's identity and last change (by stat): what an append checks before recording. */
    private Object stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return List.of(String.valueOf(a.fileKey()), a.size(), a.lastModifiedTime());
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public synchronized StateSnapshot write(StateSnapshot s) {
        if (held != null) {
            held.ensureHeld();
        }
        byte[] previous = readIfPresent(file);
        if (seen && !Arrays.equals(previous, seenBytes)) {
            if (previous != null) {
                decodeKnown(previous); // a corrupt file is reported as such, with how to restore it
            }
            throw changedMeanwhile(previous);
        }
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
            // The journal's records are in what was just written (the state it continues now has a lower serial,
            // so a crash before this delete leaves it ignored, never replayed twice).
            closeJournal();
            Files.deleteIfExists(journalFile);
            lastRead = null;
            knownBytes = bytes;
            knownSnapshot = out;
            seen = true;
            seenBytes = bytes;
        } catch (IOException e) {
            throw new StateException("could not write state file " + file + ": " + e.getMessage()
                    + "\nThe previous state is unchanged. Check that the directory exists, is writable and has "
                    + "free space, then run meshform again.", e);
        }
        return out;
    }

    private void closeJournal() {
        if (journal != null) {
            journal.close();
            journal = null;
        }
    }

    private StateException changedMeanwhile(byte[] now) {
        String was = seenBytes == null ? "did not exist" : "had serial " + serialOf(seenBytes);
        String is = now == null ? "is gone" : "has serial " + serialOf(now);
        return new StateException("state file " + file + " changed since this run read it (it " + was + ", now it "
                + is + "): something wrote it without holding the lock (a hand edit, a copy, `state push` from "
                + "an older meshform). Nothing was written; the file is as that writer left it. Run meshform "
                + "again so that it works from the new state.");
    }

    private String serialOf(byte[] bytes) {
        try {
            return Long.toString(codec.decode(bytes, "state file " + file).serial());
        } catch (StateException e) {
            return "unreadable";
        }
    }

    private StateSnapshot decodeKnown(byte[] bytes) {
        if (!Arrays.equals(bytes, knownBytes)) {
            knownSnapshot = decode(bytes);
            knownBytes = bytes;
        }
        return knownSnapshot;
    }

    @Override
    public LockHandle lock(LockInfo info, Duration wait) throws StateLockedException {
        LockInfo mine = info.withPath(describe());
        FileLockHandle handle = (FileLockHandle) LockRetry.acquire(wait, () -> ProcessLocks.exclusively(() -> tryLock(mine)));
        synchronized (this) {
            held = handle;
        }
        AtomicFiles.removeLeftovers(file);
        AtomicFiles.removeLeftovers(backup);
        AtomicFiles.removeLeftovers(lockFile);
        return handle;
    }

    /** One attempt; runs with {@link ProcessLocks} to itself. */
    private FileLockHandle tryLock(LockInfo mine) {
        Path key = lockFile.toAbsolutePath().normalize();
        LockInfo inProcess = ProcessLocks.holder(key);
        if (inProcess != null) {
            // Another backend of this same process holds it: opening the file here would drop that OS lock.
            throw new StateLockedException(describe(), inProcess, "Another command of this same process holds it.");
        }
        FileChannel ch = openLockFile();
        boolean keep = false;
        try {
            FileLock os;
            try {
                os = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                os = null; // held through a channel this table does not know; cannot happen through this class
            }
            if (os == null) {
                LockInfo holder = holderOf(ch);
                throw new StateLockedException(describe(), holder, liveHolderAdvice(holder));
            }
            Optional<LockInfo> previous = readRecord(ch);
            if (previous.isPresent() && !previous.get().liveChildren().isEmpty()) {
                // Its holder has died (the kernel released its lock) but istioctl it started still runs.
                throw new StateLockedException(describe(), previous.get(), false);
            }
            writeRecord(ch, mine.toJson());
            Object inode = inode();
            ProcessLocks.held(key, mine);
            keep = true;
            return new FileLockHandle(mine, key, ch, os, inode);
        } catch (IOException e) {
            throw new StateException("could not lock " + lockFile + ": " + e.getMessage()
                    + "\nCheck that the directory is writable.", e);
        } finally {
            if (!keep) {
                closeQuietly(ch);
            }
        }
    }

    @Override
    public void forceUnlock(String lockId) {
        ProcessLocks.exclusively(() -> {
            Path key = lockFile.toAbsolutePath().normalize();
            if (ProcessLocks.holder(key) != null) {
                throw stillRunning(ProcessLocks.holder(key));
            }
            if (!Files.exists(lockFile, LinkOption.NOFOLLOW_LINKS)) {
                throw notLocked();
            }
            FileChannel ch = openLockFile();
            try {
                FileLock os = ch.tryLock();
                Optional<LockInfo> record = readRecord(ch);
                if (os == null) {
                    throw stillRunning(record.orElseGet(() -> new LockInfo("unknown", "", "", 0, null, "")));
                }
                if (record.isEmpty()) {
                    throw notLocked();
                }
                if (!record.get().id().equals(lockId)) {
                    throw new StateException("refusing to unlock " + describe() + ": its lock record names ID "
                            + record.get().id() + ", not " + lockId + ". The lock changed hands since you saw the ID; "
                            + "run meshform again to see who holds it now.");
                }
                // Nobody holds the OS lock: what is left is the record of a dead run (whose children may still
                // run: the user has seen them named and asks to go ahead).
                writeRecord(ch, "");
                return null;
            } catch (IOException e) {
                throw new StateException("could not unlock " + lockFile + ": " + e.getMessage(), e);
            } finally {
                closeQuietly(ch);
            }
        });
    }

    /** The holder of an OS lock is alive: there is nothing to force-unlock, only a run to wait for or stop. */
    private static String liveHolderAdvice(LockInfo h) {
        String stop = h.pid() <= 0 ? "stop it"
                : LocalHost.sameProcessSpace(h.host(), h.pidNamespace()) ? "stop it (kill " + h.pid() + ")"
                : "stop it (on " + (h.host().isEmpty() ? "its host" : h.host()) + ": kill " + h.pid() + ")";
        return "That run is alive: a local lock is an OS lock, which ends when its process ends (even on kill -9), so "
                + "no force-unlock is needed. Wait for it to finish (--lock-timeout SECONDS waits), or " + stop
                + " and run meshform again.";
    }

    private StateException notLocked() {
        return new StateException("state is not locked: " + describe() + " (no run holds " + lockFile
                + "); nothing to unlock. A local lock ends by itself when its process ends, even after kill -9.");
    }

    private StateException stillRunning(LockInfo h) {
        return new StateException("refusing to unlock " + describe() + ": the run holding it is alive"
                + (h.pid() > 0 ? " (" + (h.who().isEmpty() ? "" : h.who() + ", ") + "pid " + h.pid() + ")" : "")
                + ". A local lock is an OS lock that ends when its process ends, so there is nothing to force: wait "
                + "for that run, or stop it" + (h.pid() > 0 ? " (kill " + h.pid() + ")" : "") + " and run meshform again.");
    }

    private FileChannel openLockFile() {
        try {
            return AtomicFiles.openLockFile(lockFile);
        } catch (IOException e) {
            throw new StateException("could not open lock file " + lockFile + ": " + e.getMessage()
                    + "\nCheck that the directory exists and is writable, and that " + lockFile
                    + " is a regular file (meshform does not follow a link there).", e);
        }
    }

    /**
     * The record of the process that holds the OS lock. It writes its record right after taking the lock, so a run
     * that lost the race by a few milliseconds can find the file still empty (a released lock is emptied): it looks
     * again for up to {@link #HOLDER_RECORD_WAIT} before naming an unknown holder.
     */
    private LockInfo holderOf(FileChannel ch) throws IOException {
        long deadline = System.nanoTime() + HOLDER_RECORD_WAIT.toNanos();
        while (true) {
            Optional<LockInfo> record = readRecord(ch);
            if (record.isPresent() || System.nanoTime() - deadline > 0) {
                return record.orElseGet(() -> new LockInfo("unknown", "", "", 0, null, describe()));
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new LockInfo("unknown", "", "", 0, null, describe());
            }
        }
    }

    private static Optional<LockInfo> readRecord(FileChannel ch) throws IOException {
        long size = Math.min(ch.size(), 64 * 1024);
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
            // positional reads: this channel is the only one of this process on the file
        }
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        return text.isBlank() ? Optional.empty() : Optional.of(LockInfo.fromJson(text, "unknown"));
    }

    private static void writeRecord(FileChannel ch, String json) throws IOException {
        ch.truncate(0);
        ByteBuffer buf = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
        long pos = 0;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
        ch.force(true);
    }

    /** The identity of the file now at the lock path (by stat, which does not open it). */
    private Object inode() {
        try {
            return Files.readAttributes(lockFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing was held through it
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
            if (Files.exists(path) && !Files.isRegularFile(path)) {
                throw new StateException(path + " is not a regular file (a directory, device, pipe or socket)"
                        + "\nPoint --state at a file (it need not exist yet).");
            }
            byte[] bytes;
            try (java.io.InputStream in = Files.newInputStream(path)) {
                bytes = in.readNBytes((int) MAX_STATE_BYTES + 1);
            }
            if (bytes.length > MAX_STATE_BYTES) {
                throw new StateException(path + " is larger than the limit of " + (MAX_STATE_BYTES >> 20)
                        + " MiB for a state file\nCheck that --state names a meshform state file.");
            }
            return bytes;
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

    /** Holds the OS lock through the one channel this process has on the lock file. */
    private final class FileLockHandle implements LockHandle {

        private final LockInfo info;
        private final Path key;
        private final FileChannel channel;
        private final FileLock os;
        private final Object inode;
        private final RecordedChildren children = new RecordedChildren();
        private boolean closed;

        FileLockHandle(LockInfo info, Path key, FileChannel channel, FileLock os, Object inode) {
            this.info = info;
            this.key = key;
            this.channel = channel;
            this.os = os;
            this.inode = inode;
        }

        @Override
        public String id() {
            return info.id();
        }

        @Override
        public void ensureHeld() {
            synchronized (LocalStateBackend.this) {
                if (closed) {
                    throw new LockLostException("the lock on " + describe() + " was released (the run was "
                            + "interrupted); nothing more is written");
                }
                if (!os.isValid() || !Objects.equals(inode, inode())) {
                    throw new LockLostException("the lock file " + lockFile + " was removed or replaced while this "
                            + "run held it, so another run may be working on the same state; this run stops "
                            + "writing. Never delete the lock file by hand: a local lock ends with its process.");
                }
            }
        }

        @Override
        public void childStarted(ProcessHandle child) {
            if (children.add(child)) {
                rewrite();
            }
        }

        @Override
        public void childEnded(ProcessHandle child) {
            if (children.remove(child)) {
                rewrite();
            }
        }

        private void rewrite() {
            synchronized (LocalStateBackend.this) {
                if (closed) {
                    return;
                }
                try {
                    writeRecord(channel, info.withChildren(children.records()).toJson());
                } catch (IOException e) {
                    // the record is for messages and the stale check; the OS lock itself is unaffected
                }
            }
        }

        @Override
        public void close() {
            synchronized (LocalStateBackend.this) {
                if (closed) {
                    return;
                }
                closed = true; // stays the backend's handle: a write after this is refused, not unfenced
            }
            children.stopAll(1_500);
            try {
                writeRecord(channel, "");
                os.release();
            } catch (IOException e) {
                // closing the channel below releases the OS lock anyway
            } finally {
                closeQuietly(channel);
                ProcessLocks.released(key);
            }
        }
    }
}

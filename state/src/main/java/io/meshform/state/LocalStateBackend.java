package io.meshform.state;

import static io.meshform.state.StateFileReader.readIfPresent;
import static io.meshform.state.StateFileReader.requireRegularFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
 * <p>The lock is an OS lock on {@code <file>.lock} ({@link LocalLockFile}), which the kernel releases when the
 * holding process dies however it dies: a crashed or killed run needs no {@code force-unlock}, and nobody waits on a
 * dead holder. Every write checks it under this object's monitor, the monitor its handle releases it under.
 *
 * <p>A state path that is a symbolic link is written through: the link stays, the file it points to is replaced
 * atomically (temp file, fsync, rename in the target's directory), and the backup and lock live beside the target,
 * so runs that name the link and runs that name the target share one lock. A link is how a state is put on another
 * disk or a shared mount; replacing it with a regular file would silently move the state off that disk.
 *
 * <p>During an apply, steps are recorded in {@code <file>.journal} ({@link StateJournal}) and folded into the file
 * by one whole write at the end ({@link #compact()}); {@link #read()} replays a journal a crash left behind.
 */
public final class LocalStateBackend implements StateBackend {
    /** What to do when something else wrote the state under this run: a conflict, not a refusal. */
    private static final String OTHER_WRITER = "let the other writer finish, then run `meshform plan` against the state"
            + " it left";

    /**
     * The largest state file read: 10,000 resources make a few tens of MiB. Bigger, or not a regular file (a device
     * such as /dev/zero named by --state), is refused before it is read.
     */
    public static final long MAX_STATE_BYTES = 256L << 20;

    private final Path given;
    private final Path file;
    private final Path backup;
    private final Path lockFile;
    private final Path journalFile;
    /** False keeps whole writes for every step ({@code MESHFORM_STATE_JOURNAL=off}), to measure what the journal buys. */
    private final boolean journaling;
    private final StateCodec codec = new StateCodec();
    private final StateFileReader reader;
    /** True once this backend has read or written the state: a write then requires it unchanged since. */
    private boolean seen;
    private byte[] seenBytes;
    /** What {@link #read()} last returned (the file with a journal replayed), or null. */
    private StateSnapshot lastRead;
    private final LocalLockFile lock;
    private LocalLockFile.Handle held;
    /** The journal this run appends to, from its first {@link #record} to the next whole write. */
    private StateJournal.Writer journal;
    /** The state file as it was when the journal was opened: a change since means another writer. */
    private Object fileStamp;
    /** What this run does when the state file is deleted under it ({@link #vanished}). */
    private final VanishedState vanishing;

    public LocalStateBackend(Path stateFile) {
        this(stateFile, !"off".equals(System.getenv("MESHFORM_STATE_JOURNAL")));
    }

    public LocalStateBackend(Path stateFile, boolean journaling) {
        this.given = stateFile;
        this.file = AtomicFiles.throughLinks(stateFile);
        this.backup = sibling(file, ".backup");
        this.lockFile = sibling(file, ".lock");
        this.journalFile = sibling(file, StateJournal.SUFFIX);
        this.lock = new LocalLockFile(lockFile, describe(), this);
        this.reader = new StateFileReader(file, backup, codec);
        this.journaling = journaling;
        this.vanishing = new VanishedState("state file " + file);
    }

    /**
     * The backend of a state path the <em>stack</em> chose (its {@code backend.local.path}, or the default file beside
     * it), which must stay inside the stack's {@code root}: the loader checked the path as written, and this checks
     * again where writes land, after {@link AtomicFiles#throughLinks} and with every link resolved, for the state file
     * and its {@code .lock}, {@code .backup} and {@code .journal} beside it. A path from the command line
     * ({@code --state}) is the runner's choice and is opened with {@link #LocalStateBackend(Path)} instead.
     *
     * @throws StateException naming the file that leads outside the root, and what to do
     */
    public static LocalStateBackend confinedTo(Path root, Path stateFile) {
        LocalStateBackend b = new LocalStateBackend(stateFile);
        for (Path p : List.of(b.file, b.lockFile, b.backup, b.journalFile)) {
            Path real;
            try {
                if (RealPaths.within(p, root)) {
                    continue;
                }
                real = RealPaths.resolve(p);
            } catch (IOException e) {
                throw new StateException("the state path " + stateFile + " cannot be resolved (" + p + ": "
                        + e.getMessage() + "): it is a loop of symbolic links, or a link there cannot be read. "
                        + "Nothing was read or written. Point the backend `path` at a file under the stack's root "
                        + root + ", or give the state with --state FILE.", e);
            }
            throw new StateException("the state path " + stateFile + " leads outside the stack's root directory " + root
                    + ": " + p + (p.equals(real) ? "" : " (through a symbolic link: " + real + ")") + " would be "
                    + "written. Nothing was read or written. A stack may only write its state under its root, so that "
                    + "whoever edits a stack cannot make the run write (or empty) a file elsewhere; remove the link, "
                    + "point the backend `path` at a file under the root, give the state with --state FILE, or pass "
                    + "--allow-outside-root if you trust every author of this stack.");
        }
        return b;
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

    /**
     * The state file or a journal is there (a journal alone is an error {@link #read()} reports under the lock); no
     * decode, so a plan of a large state reads it once.
     */
    @Override
    public boolean exists() {
        if (!Files.exists(file)) {
            return Files.exists(journalFile, LinkOption.NOFOLLOW_LINKS);
        }
        // Refused here as read() would, before the caller makes a lock file beside a device or a directory.
        requireRegularFile(file);
        return true;
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
        Optional<StateSnapshot> out = bytes == null ? Optional.empty() : Optional.of(reader.decodeKnown(bytes));
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
                reader.decodeKnown(previous);
                throw changedMeanwhile(previous);
            }
            StateSnapshot stored = reader.decodeKnown(previous);
            LineageCheck.require(stored, s, describe());
            if (!Objects.equals(stored.stack(), s.stack())) {
                // The journal records resources only: the stack this run records (a state that named none yet) is
                // written whole, so a crash or a later compaction cannot lose it.
                return write(s);
            }
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
            if (now == null) {
                return write(s); // deleted under this run: writing s whole makes it again (see vanished)
            }
            throw changedMeanwhile(now);
        } else if (!journal.stillAtItsPath()) {
            throw new StateException("the state journal " + journalFile + " was removed or replaced while this run "
                    + "wrote to it; nothing more is written. Another writer is at work on " + describe()
                    + ", or the file was deleted by hand: run meshform again when it is done.", null, OTHER_WRITER);
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
            return restoreVanished();
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
        if (journal == null && lastRead != null && s != lastRead
                && Files.exists(journalFile, LinkOption.NOFOLLOW_LINKS)) {
            // What was read includes an earlier run's journal, under a serial one above the file's. Fold it in first,
            // as record() does: else this other state would get the serial readers saw (so a copy pulled before it
            // could be pushed back without --force), and the backup would be the file without the journal's steps.
            write(lastRead);
        }
        byte[] previous = readIfPresent(file);
        boolean vanished = vanished(previous);
        if (seen && !vanished && !Arrays.equals(previous, seenBytes)) {
            if (previous != null) {
                reader.decodeKnown(previous); // a corrupt file is reported as such, with how to restore it
            }
            throw changedMeanwhile(previous);
        }
        // A state that vanished under this run goes on from the serial it had: no two versions share a serial.
        long serial = vanished ? VanishedState.serialAfter(s, reader.decodeKnown(seenBytes).serial()) : s.serial() + 1;
        if (previous != null) {
            StateSnapshot stored = reader.decodeKnown(previous);
            LineageCheck.require(stored, s, describe());
            serial = stored.serial() + 1;
        }
        StateSnapshot out = new StateSnapshot(StateSnapshot.CURRENT_FORMAT_VERSION, serial, s.lineage(),
                s.meshformVersion(), s.resources(), s.stack(), s.creating(), s.deposed());
        byte[] bytes = codec.encode(out);
        try {
            if (previous != null) {
                // Backup first: a crash between the two renames leaves backup == file, never a missing file.
                // A hard link, not a copy: an apply writes after every step, and copying made long applies slow.
                preserveBackup();
            }
            AtomicFiles.write(file, bytes);
            // The journal's records are in what was just written (the state it continues now has a lower serial,
            // so a crash before this delete leaves it ignored, never replayed twice).
            closeJournal();
            Files.deleteIfExists(journalFile);
            lastRead = null;
            if (vanished) {
                vanishing.rewritten(out.serial());
            }
            reader.written(bytes, out);
            seen = true;
            seenBytes = bytes;
        } catch (IOException e) {
            throw new StateException("could not write state file " + file + ": " + WriteFailure.reason(file, e)
                    + "\nThe previous state is unchanged. Check that the directory exists, is writable and has "
                    + "free space, then run meshform again.", e);
        }
        return out;
    }

    /**
     * True when the state file this run read or wrote is gone, deleted (or moved away) under this run, which holds the
     * lock: written again from what this run knows ({@link VanishedState}). A file that is there but other than this run
     * left it is another writer's, and stays refused ({@link #changedMeanwhile}).
     */
    private boolean vanished(byte[] now) {
        return seen && now == null && seenBytes != null;
    }

    /**
     * The end of a run that has no journal to fold in: when the state file vanished since this run last read or wrote
     * it, writes it again as this run last saw it (the same bytes, so the same serial).
     */
    private Optional<StateSnapshot> restoreVanished() {
        return vanishing.restore(vanished(readIfPresent(file)), () -> {
            if (held != null) {
                held.ensureHeld();
            }
        }, () -> {
            try {
                AtomicFiles.write(file, seenBytes);
            } catch (IOException e) {
                throw vanishing.notRestored(WriteFailure.reason(file, e), e);
            }
            return reader.decodeKnown(seenBytes);
        });
    }

    @Override
    public synchronized List<String> notices() {
        return vanishing.notices();
    }

    /**
     * Keeps the previous state as the backup file. Its failure names the backup, not the state file: "could not write
     * state file …: is a directory" sent users to look at a state file that was fine.
     */
    private void preserveBackup() {
        try {
            AtomicFiles.preserve(file, backup);
        } catch (IOException e) {
            String why = Files.isDirectory(backup)
                    ? "it is a directory, and meshform keeps the previous state there as a file; move the directory away"
                            + " (or delete it), then run meshform again"
                    : WriteFailure.reason(backup, e);
            throw new StateException("could not write state file " + file + ": its backup " + backup
                    + " (the previous state, kept before each write) could not be written: " + why
                    + "\nThe previous state is unchanged.", e);
        }
    }

    private void closeJournal() {
        if (journal != null) {
            journal.close();
            journal = null;
        }
    }

    private StateException changedMeanwhile(byte[] now) {
        String was = seenBytes == null ? "did not exist" : "had serial " + reader.serialOf(seenBytes);
        String is = now == null ? "is gone" : "has serial " + reader.serialOf(now);
        return new StateException("state file " + file + " changed since this run read it (it " + was + ", now it "
                + is + "): something wrote it without holding the lock (a hand edit, a copy, `state push` from "
                + "an older meshform). Nothing was written; the file is as that writer left it. Run meshform "
                + "again so that it works from the new state.", null, OTHER_WRITER);
    }

    @Override
    public LockHandle lock(LockInfo info, Duration wait) throws StateLockedException {
        if (Files.exists(file)) {
            // Before the lock file is made beside it: a state path that is a directory or a device (as root,
            // /dev/zero.lock) is refused by every command that locks, not only by the read after the lock.
            requireRegularFile(file);
        }
        LockInfo mine = info.withPath(describe());
        LocalLockFile.Handle handle = (LocalLockFile.Handle) LockRetry.acquire(wait,
                () -> ProcessLocks.exclusively(() -> lock.tryLock(mine)));
        synchronized (this) {
            held = handle;
        }
        AtomicFiles.removeLeftovers(file);
        AtomicFiles.removeLeftovers(backup);
        AtomicFiles.removeLeftovers(lockFile);
        return handle;
    }

    @Override
    public void forceUnlock(String lockId) {
        lock.forceUnlock(lockId);
    }

    private static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }
}

package io.meshform.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The lock of a {@link LocalStateBackend}: an OS lock ({@link FileChannel#tryLock()}) on {@code <state>.lock}, which
 * the kernel releases when the holding process dies however it dies, so a crashed or killed run needs no
 * {@code force-unlock}. The file also holds the holder's {@link LockInfo}: for the message others see, and for the
 * istioctl processes a dead holder may have left running. It is never deleted: a run that deleted it could let a
 * second run lock a new file while a third still held the old. So a command that can be refused, or find nothing to
 * do, decides that before it locks (meshform's import, state rm and mv, destroy without a state, and apply without a
 * state, which plans and asks first, or checks its saved plan first): the file then appears only with a state to guard.
 *
 * <p>The handle checks and releases the lock under the backend's monitor, the one every state write holds, so a
 * release never comes between a write's check of the lock and the write.
 */
final class LocalLockFile {
    /** How long a run that finds the lock held waits for its holder's record (see {@link #holderOf}). */
    static final Duration HOLDER_RECORD_WAIT = Duration.ofMillis(500);
    /** How every record {@link LockInfo#toJson} writes starts; see {@link #isLockRecord}. */
    private static final Pattern RECORD_START = Pattern.compile("\\s*\\{\\s*\"id\"\\s*:");

    private final Path lockFile;
    /** The state's description, for messages. */
    private final String state;
    private final Object monitor;

    LocalLockFile(Path lockFile, String state, Object monitor) {
        this.lockFile = lockFile;
        this.state = state;
        this.monitor = monitor;
    }

    /** One attempt; runs with {@link ProcessLocks} to itself. */
    Handle tryLock(LockInfo mine) {
        Path key = lockFile.toAbsolutePath().normalize();
        LockInfo inProcess = ProcessLocks.holder(key);
        if (inProcess != null) {
            // Another backend of this same process holds it: opening the file here would drop that OS lock.
            throw new StateLockedException(state, inProcess, "Another command of this same process holds it.");
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
                throw new StateLockedException(state, holder, liveHolderAdvice(holder));
            }
            refuseForeign(ch);
            Optional<LockInfo> previous = readRecord(ch);
            if (previous.isPresent() && !previous.get().liveChildren().isEmpty()) {
                // Its holder has died (the kernel released its lock) but istioctl it started still runs.
                throw new StateLockedException(state, previous.get(), false);
            }
            writeRecord(ch, mine.toJson());
            Object inode = inode();
            ProcessLocks.held(key, mine);
            keep = true;
            return new Handle(mine, key, ch, os, inode);
        } catch (IOException e) {
            throw new StateException("could not lock " + lockFile + ": " + WriteFailure.reason(lockFile, e), e);
        } finally {
            if (!keep) {
                closeQuietly(ch);
            }
        }
    }

    void forceUnlock(String lockId) {
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
                refuseForeign(ch);
                Optional<LockInfo> record = readRecord(ch);
                if (os == null) {
                    throw stillRunning(record.orElseGet(() -> new LockInfo("unknown", "", "", 0, null, "")));
                }
                if (record.isEmpty()) {
                    throw notLocked();
                }
                if (!record.get().id().equals(lockId)) {
                    throw new StateException("refusing to unlock " + state + ": its lock record names ID "
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
                + "no force-unlock is needed. Wait for it to finish (--lock-timeout 5m waits up to five minutes), or " + stop
                + " and run meshform again.";
    }

    private StateException notLocked() {
        return new StateException("state is not locked: " + state + " (no run holds " + lockFile
                + "); nothing to unlock. A local lock ends by itself when its process ends, even after kill -9.");
    }

    private StateException stillRunning(LockInfo h) {
        return new StateException("refusing to unlock " + state + ": the run holding it is alive"
                + (h.pid() > 0 ? " (" + (h.who().isEmpty() ? "" : h.who() + ", ") + "pid " + h.pid() + ")" : "")
                + ". A local lock is an OS lock that ends when its process ends, so there is nothing to force: wait "
                + "for that run, or stop it" + (h.pid() > 0 ? " (kill " + h.pid() + ")" : "") + " and run meshform again.");
    }

    private FileChannel openLockFile() {
        try {
            return AtomicFiles.openLockFile(lockFile);
        } catch (IOException e) {
            throw openFailure(lockFile, e);
        }
    }

    /**
     * Why the lock file could not be opened, and what to do. A read-only file system (a read-only checkout, a
     * {@code ro} mount) is said apart: no run can lock there, and "check that the directory is writable" sent the
     * user to fix permissions they may not change, when {@code plan --lock=false} plans from such a checkout.
     */
    static StateException openFailure(Path lockFile, IOException e) {
        String head = "could not open lock file " + lockFile + ": " + WriteFailure.reason(lockFile, e);
        if (onReadOnlyFileSystem(lockFile, e)) {
            return new StateException(head + "\nThe state's directory is on a read-only file system, so no run can "
                    + "take the state lock there, and nothing was read or written. To plan from a read-only checkout, "
                    + "`meshform plan --lock=false` reads the state without its lock; to apply, keep the state on a "
                    + "writable disk (--state FILE, or the stack's backend path).", e);
        }
        return new StateException(head + "\nCheck that the directory exists and is writable, and that " + lockFile
                + " is a regular file (meshform does not follow a link there).", e);
    }

    /** EROFS as the JDK reports it (its reason), or a directory whose file store says it is read-only. */
    private static boolean onReadOnlyFileSystem(Path lockFile, IOException e) {
        if (e instanceof FileSystemException f && "Read-only file system".equals(f.getReason())) {
            return true;
        }
        try {
            return Files.getFileStore(AtomicFiles.directoryOf(lockFile)).isReadOnly();
        } catch (IOException | RuntimeException unknown) {
            return false;
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
                return record.orElseGet(() -> new LockInfo("unknown", "", "", 0, null, state));
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new LockInfo("unknown", "", "", 0, null, state);
            }
        }
    }

    private static Optional<LockInfo> readRecord(FileChannel ch) throws IOException {
        String text = readText(ch);
        return text.isBlank() ? Optional.empty() : Optional.of(LockInfo.fromJson(text, "unknown"));
    }

    private static String readText(FileChannel ch) throws IOException {
        long size = Math.min(ch.size(), 64 * 1024);
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
            // positional reads: this channel is the only one of this process on the file
        }
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    }

    /**
     * Refuses a lock path that holds a file meshform did not write (a {@code Gemfile.lock} beside a state path that a
     * stack pointed there): the holder record is written by truncating the file, which would destroy it. An empty
     * file, a record, and a record cut short by a crash (it starts as {@link LockInfo#toJson} starts) are meshform's.
     */
    private void refuseForeign(FileChannel ch) throws IOException {
        String text = readText(ch);
        if (text.isBlank() || isLockRecord(text)) {
            return;
        }
        throw new StateException("refusing to use " + lockFile + " as the lock file of " + state + ": it exists and "
                + "holds " + ch.size() + " bytes that are not a meshform lock record, and meshform never overwrites "
                + "a file it did not write. Nothing was changed. If the state path is right, move that file away; "
                + "otherwise point the state elsewhere (the backend `path`, or --state FILE).");
    }

    /** True for what {@link LockInfo#toJson} writes, whole or cut short: a JSON object whose first key is "id". */
    static boolean isLockRecord(String text) {
        return RECORD_START.matcher(text).lookingAt();
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

    /** Holds the OS lock through the one channel this process has on the lock file. */
    final class Handle implements LockHandle {

        private final LockInfo info;
        private final Path key;
        private final FileChannel channel;
        private final FileLock os;
        private final Object inode;
        private final RecordedChildren children = new RecordedChildren();
        private boolean closed;

        Handle(LockInfo info, Path key, FileChannel channel, FileLock os, Object inode) {
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
            synchronized (monitor) {
                if (closed) {
                    throw new LockLostException("the lock on " + state + " was released (the run was "
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
            synchronized (monitor) {
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
            synchronized (monitor) {
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

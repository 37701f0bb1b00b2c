package io.meshform.state;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Why a file the user named (a saved plan, a drift report, a state file) could not be written, in plain words about
 * that file: "directory /x does not exist", not "NoSuchFileException (/x/.p.plan.tmp-...)". Files are written through
 * a temp file beside them, so the exception names the temp file and its class; neither means anything to the user.
 * The reason is read from the file system after the failure (does the directory exist, is it one, may we write
 * there), and only then from the exception.
 */
public final class WriteFailure {
    private WriteFailure() {
    }

    /** "cannot write TARGET: REASON; WHAT TO DO". */
    public static String message(Path target, IOException e) {
        return "cannot write " + target + ": " + reason(target, e);
    }

    /** The reason and what to do, without the file's name. */
    public static String reason(Path target, IOException e) {
        Path dir = directoryOf(target);
        if (!Files.exists(dir)) {
            return "directory " + dir + " does not exist; create it, or give a path in an existing directory";
        }
        if (!Files.isDirectory(dir)) {
            return dir + " is not a directory; give a path in a directory";
        }
        if (Files.isDirectory(target)) {
            return "it is a directory; give a file name";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied" + (Files.isWritable(dir) ? "" : " (directory " + dir + " is not writable by this user)")
                    + "; choose a directory you may write, or change its permissions";
        }
        String why = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        if (why == null || why.isBlank()) {
            return "the file system refused the write; check the directory's space and permissions";
        }
        // The operating system's words ("No space left on device", "Read-only file system"), which name no temp file.
        return why.substring(0, 1).toLowerCase(Locale.ROOT) + why.substring(1);
    }

    /**
     * What makes a write that failed with {@code e} succeed next time, by cause: a full disk, a read-only mount, a
     * directory this user may not write; null when the operating system's words say none of these. The directory is
     * the one of the file the exception names (a temp file beside the target).
     */
    public static String remedy(IOException e) {
        String file = e instanceof FileSystemException f ? f.getFile() : null;
        Path dir = file == null ? null : directoryOf(Path.of(file));
        String where = dir == null ? "the state's directory" : dir.toString();
        if (e instanceof AccessDeniedException) {
            return "let this user write " + where + " (or run meshform as a user who may)";
        }
        String why = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        String lower = why == null ? "" : why.toLowerCase(Locale.ROOT);
        if (lower.contains("no space left")) {
            return "free space on the file system that holds " + where;
        }
        if (lower.contains("quota")) {
            return "free space within this user's disk quota on the file system that holds " + where;
        }
        if (lower.contains("read-only file system")) {
            return "make the file system that holds " + where + " writable (it is mounted read-only), or move the state";
        }
        if (lower.contains("permission denied") || lower.contains("operation not permitted")) {
            return "let this user write " + where + " (or run meshform as a user who may)";
        }
        return null;
    }

    /** The directory as the user wrote it ("/nonexistentdir" for "/nonexistentdir/x.plan"), or the current one. */
    private static Path directoryOf(Path target) {
        Path parent = target.getParent();
        return parent != null ? parent : target.toAbsolutePath().getParent();
    }
}

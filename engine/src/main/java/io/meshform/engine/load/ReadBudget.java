package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.diag.SourceRange;

/**
 * What one load of a stack may read in all: each file is bounded by {@link InputFiles#STACK_FILE_LIMIT}, but a stack
 * can name a file many times, and each naming is a read. Ten small files that each import the next one ten times
 * make 10^7 reads within the import depth limit (the run never ended), and 300 resources naming one 3.8 MB manifest
 * held 3.7 GB. So the imports read and the bytes of the stack, its imports and its manifest files are counted, each
 * naming once, and the load stops reading at the first that passes its limit, with one error where the file is named.
 * The limits are far above any real stack: the Cortex examples read three files and 20 KB.
 */
final class ReadBudget {
    /** Imported files read in one load, a file imported from several places counting each time. */
    static final int MAX_IMPORTS = 64;
    /** Bytes of the stack file, its imports and the files its resources name, together. */
    static final long MAX_BYTES = 64L << 20;

    private int imports;
    private long bytes;
    private boolean exhausted;

    /**
     * Counts one import about to be read; false (and the error, said once) when it passes the limit, so the caller
     * reads nothing more.
     */
    boolean importing(String shown, SourceRange at, Diagnostics out) {
        if (exhausted) {
            return false;
        }
        if (++imports > MAX_IMPORTS) {
            exhausted = true;
            out.error("imports read more than " + MAX_IMPORTS + " files in all, at `" + shown + "`",
                    "a file imported from several places is read, and counted, each time it is imported; import each"
                            + " file once (nothing further was read, so that a small stack cannot make meshform read"
                            + " without end)", at);
            return false;
        }
        return true;
    }

    /** Whether a further file may be read: false once a limit was passed (its error is said already). */
    boolean open() {
        return !exhausted;
    }

    /** Counts the characters of a file just read; false (and the error, said once) when the total passes the limit. */
    boolean read(int characters, String shown, SourceRange at, Diagnostics out) {
        if (exhausted) {
            return false;
        }
        bytes += characters;
        if (bytes > MAX_BYTES) {
            exhausted = true;
            out.error("the stack's files come to more than " + InputFiles.human(MAX_BYTES) + " in all, at `" + shown + "`",
                    "the stack file, its imports and the files its resources name are counted together, a file named"
                            + " several times each time it is named; name each file once, or split the stack (nothing"
                            + " further was read, so that a small stack cannot make meshform hold gigabytes)", at);
            return false;
        }
        return true;
    }
}

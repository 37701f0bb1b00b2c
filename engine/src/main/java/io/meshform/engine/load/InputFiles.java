package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.diag.SourceRange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The one way meshform reads a file named by a stack or on the command line (stacks, imports, {@code --var-file},
 * {@code file:} manifests, addon manifests, saved plans). Only regular files are read: a FIFO would block for ever
 * and {@code /dev/zero} never ends, so the kind and the size are checked before the file is opened, and the read
 * itself stops one byte past the limit (files in /proc report size 0 and still have content). Errors name the file
 * and never quote its content.
 */
public final class InputFiles {
    /** Stacks, imports, variable files and manifests: large enough for 10,000 resources. */
    public static final long STACK_FILE_LIMIT = 4L << 20;
    /** Saved plans and state files given on the command line: an Istio install's plan lists every rendered object. */
    public static final long PLAN_FILE_LIMIT = 256L << 20;

    private InputFiles() {
    }

    /** What kind of file is being read, for messages: "stack file", "variables file", "plan file". */
    public static String readText(Path path, String shownName, String what, long limit) {
        byte[] bytes = readBytes(path, shownName, what, limit);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw fail(shownName, what + " is not UTF-8 text", "save it as UTF-8; meshform reads YAML and JSON text only");
        }
    }

    /**
     * The same checks without reading, for a file another library reads (a kubeconfig, which the Kubernetes client
     * opens itself): a regular file within the limit, else a clear error naming it.
     */
    public static void requireRegular(Path path, String shownName, String what, long limit) {
        attributes(path, shownName, what, limit);
    }

    public static byte[] readBytes(Path path, String shownName, String what, long limit) {
        attributes(path, shownName, what, limit);
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                throw tooLarge(shownName, what, limit);
            }
            return bytes;
        } catch (AccessDeniedException e) {
            throw fail(shownName, what + " cannot be read: permission denied", null);
        } catch (IOException e) {
            throw fail(shownName, what + " cannot be read: " + e.getClass().getSimpleName(), null);
        }
    }

    private static void attributes(Path path, String shownName, String what, long limit) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            // The absolute path says where a relative one was looked for (the current directory, or the importing file's).
            throw fail(shownName, what + " not found", "looked for " + path.toAbsolutePath().normalize()
                    + (what.equals("stack file") ? "; give the stack file with -f FILE (default: meshform.yaml in the current"
                    + " directory)" : "; check the path"));
        } catch (AccessDeniedException e) {
            throw fail(shownName, what + " cannot be read: permission denied", null);
        } catch (IOException e) {
            throw fail(shownName, what + " cannot be read: " + e.getClass().getSimpleName(), null);
        }
        if (attributes.isDirectory()) {
            throw fail(shownName, what + " is a directory", "name a file");
        }
        if (!attributes.isRegularFile()) {
            throw fail(shownName, what + " is not a regular file (a FIFO, socket or device)",
                    "meshform reads only regular files, so that a named pipe or /dev/zero cannot stall or exhaust it");
        }
        if (attributes.size() > limit) {
            throw tooLarge(shownName, what, limit);
        }
    }

    private static DiagnosticsException tooLarge(String shownName, String what, long limit) {
        return fail(shownName, what + " is too large (the limit is " + human(limit) + ")",
                "meshform refuses larger files before reading them; split the content into several files");
    }

    static String human(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    private static DiagnosticsException fail(String file, String summary, String detail) {
        return new DiagnosticsException(Diagnostic.error(summary, detail, SourceRange.unknown(file)));
    }
}

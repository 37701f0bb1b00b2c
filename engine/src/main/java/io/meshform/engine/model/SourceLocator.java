package io.meshform.engine.model;

import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.load.YamlDocument;
import java.util.Map;

/**
 * Finds where a part of one declared resource was written, in whichever file declared it. A resource an importing
 * file refines keeps the locator of the declaration it refines ({@code refines}), so a field written only in the
 * imported file is found there, not at the importing file's nearest enclosing key. {@code embedded} maps a path inside
 * the resource (e.g. {@code /spec/manifest}) to the file its content was read from (a manifest's {@code file:}), so a
 * problem inside that content points into that file.
 */
public record SourceLocator(YamlDocument document, String pointer, SourceLocator refines, Map<String, YamlDocument> embedded) {

    public SourceLocator {
        embedded = Map.copyOf(embedded);
    }

    public SourceLocator(YamlDocument document, String pointer, SourceLocator refines) {
        this(document, pointer, refines, Map.of());
    }

    public SourceLocator(YamlDocument document, String pointer) {
        this(document, pointer, null, Map.of());
    }

    public static SourceLocator none(String file) {
        return new SourceLocator(new YamlDocument(file, null, java.util.Map.of()), "");
    }

    public SourceRange range() {
        return document.rangeOf(pointer);
    }

    /**
     * The position of a path inside the resource, e.g. {@code /spec/mtls/mode}: in the file its content came from
     * when it was read from one, else where it was written (the refining file first, then the declarations it
     * refines), else its nearest written ancestor in this file.
     */
    public SourceRange range(String relativePointer) {
        for (Map.Entry<String, YamlDocument> e : embedded.entrySet()) {
            String at = e.getKey();
            if (relativePointer.equals(at) || relativePointer.startsWith(at + "/")) {
                return e.getValue().rangeOf(relativePointer.substring(at.length()));
            }
        }
        for (SourceLocator s = this; s != null; s = s.refines) {
            SourceRange exact = s.document.positions().get(s.pointer + relativePointer);
            if (exact != null) {
                return exact;
            }
        }
        return document.rangeOf(pointer + relativePointer);
    }

    /** Like {@link #range(String)}, at the value rather than its key ({@code STRICTT} in {@code mode: STRICTT}). */
    public SourceRange valueRange(String relativePointer) {
        for (Map.Entry<String, YamlDocument> e : embedded.entrySet()) {
            String at = e.getKey();
            if (relativePointer.equals(at) || relativePointer.startsWith(at + "/")) {
                return e.getValue().valueRangeOf(relativePointer.substring(at.length()));
            }
        }
        for (SourceLocator s = this; s != null; s = s.refines) {
            if (s.document.positions().get(s.pointer + relativePointer) != null) {
                return s.document.valueRangeOf(s.pointer + relativePointer);
            }
        }
        return document.valueRangeOf(pointer + relativePointer);
    }

    /** The same locator with the content at {@code at} read from {@code file}. */
    public SourceLocator withEmbedded(String at, YamlDocument file) {
        Map<String, YamlDocument> more = new java.util.HashMap<>(embedded);
        more.put(at, file);
        return new SourceLocator(document, pointer, refines, more);
    }
}

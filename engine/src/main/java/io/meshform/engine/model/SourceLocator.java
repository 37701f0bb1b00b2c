package io.meshform.engine.model;

import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.load.YamlDocument;

/**
 * Finds where a part of one declared resource was written, in whichever file declared it. A resource an importing
 * file refines keeps the locator of the declaration it refines ({@code refines}), so a field written only in the
 * imported file is found there, not at the importing file's nearest enclosing key.
 */
public record SourceLocator(YamlDocument document, String pointer, SourceLocator refines) {

    public SourceLocator(YamlDocument document, String pointer) {
        this(document, pointer, null);
    }

    public static SourceLocator none(String file) {
        return new SourceLocator(new YamlDocument(file, null, java.util.Map.of()), "");
    }

    public SourceRange range() {
        return document.rangeOf(pointer);
    }

    /**
     * The position of a path inside the resource, e.g. {@code /spec/mtls/mode}: where it was written (the refining
     * file first, then the declarations it refines), else its nearest written ancestor in this file.
     */
    public SourceRange range(String relativePointer) {
        for (SourceLocator s = this; s != null; s = s.refines) {
            SourceRange exact = s.document.positions().get(s.pointer + relativePointer);
            if (exact != null) {
                return exact;
            }
        }
        return document.rangeOf(pointer + relativePointer);
    }
}

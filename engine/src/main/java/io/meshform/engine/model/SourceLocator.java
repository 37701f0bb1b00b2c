package io.meshform.engine.model;

import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.load.YamlDocument;

/** Finds where a part of one declared resource was written, in whichever file declared it. */
public record SourceLocator(YamlDocument document, String pointer) {

    public static SourceLocator none(String file) {
        return new SourceLocator(new YamlDocument(file, null, java.util.Map.of()), "");
    }

    public SourceRange range() {
        return document.rangeOf(pointer);
    }

    /** The position of a path inside the resource, e.g. {@code /spec/mtls/mode}. */
    public SourceRange range(String relativePointer) {
        return document.rangeOf(pointer + relativePointer);
    }
}

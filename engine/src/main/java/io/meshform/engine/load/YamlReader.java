package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.diag.Quote;
import io.meshform.engine.diag.SourceRange;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * Reads one YAML document into a JSON tree, recording where every node was written.
 *
 * <p>Hardened for files that come from pull requests: the size is checked before parsing (snakeyaml scans
 * a long scalar slowly, so a limit found while reading comes too late), nesting is bounded, duplicate keys
 * are errors, and aliases and merge keys are refused because Jackson does not expand them: it would
 * silently read {@code *base} as the string "base". Tags are refused unless the parser reads the value as the tag
 * says ({@link YamlTags}): it would read {@code !Ref foo} as the string "foo".
 */
public final class YamlReader {
    /** Large enough for 10,000 resources; small enough that a pathological file fails in seconds, not minutes. */
    public static final int MAX_BYTES = 4 << 20;
    static final int MAX_DEPTH = 64;

    /*
     * Factories, not mappers: only their token streams are read, and the first Jackson mapper of a run pays its static
     * set-up (MapperBuilder.<clinit>: 17 of the stack load's 168 samples at N=1,000, evening session), which now
     * happens on the stack digest's thread while this one reads (StackDigest).
     */
    private final YAMLFactory factory;
    /** The same parser without marks (line and column of every token), for the first read of a stack: see parse. */
    private final YAMLFactory unmarked;
    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    public YamlReader() {
        this.factory = factory(true);
        this.unmarked = factory(false);
    }

    private static YAMLFactory factory(boolean marks) {
        YAMLFactory factory = YAMLFactory.builder()
                .loadSettings(LoadSettings.builder().setCodePointLimit(MAX_BYTES)
                        // Duplicates are reported by this reader, with the line of the first occurrence.
                        .setAllowDuplicateKeys(true).setUseMarks(marks).build())
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH)
                        .maxDocumentLength(MAX_BYTES)
                        .maxStringLength(256 * 1024)
                        .build())
                .build();
        return factory;
    }

    private static JsonParser parser(YAMLFactory factory, String text) {
        return factory.createParser(ObjectReadContext.empty(), text);
    }

    public YamlDocument read(Path path) {
        return read(path, path.toString());
    }

    /** Reads {@code path}, naming it {@code file} in positions and errors (e.g. relative to where meshform ran). */
    public YamlDocument read(Path path, String file) {
        return read(path, file, "stack file");
    }

    /**
     * Reads {@code path} through {@link InputFiles} (a regular file within the size limit, checked before reading);
     * {@code what} names the file in errors ("variables file", "manifest file").
     */
    public YamlDocument read(Path path, String file, String what) {
        return parse(file, InputFiles.readText(path, file, what, MAX_BYTES), what);
    }

    public YamlDocument parse(String file, String text) {
        return parse(file, text, "stack file");
    }

    /**
     * One document; {@code what} says in errors what the file should hold ("stack file", "file").
     *
     * <p>Read twice when needed, once otherwise: first without positions (no parser marks, no pointer and range per
     * node), and the positions are found by a second, full read only when someone asks for one ({@link
     * DeferredPositions}: a diagnostic to place). Any problem in the first read (a syntax error, an alias, a merge or
     * duplicate key, several documents) is left to the full read, which reports it exactly as before: the two reads
     * run the same parser with the same limits and the same checks, so a file the first accepts the second accepts
     * with the same tree.
     */
    public YamlDocument parse(String file, String text, String what) {
        if (text.length() <= MAX_BYTES) {
            JsonNode root = unplaced(text);
            if (root != null) {
                return new YamlDocument(file, root, new DeferredPositions(() -> placed(file, text, what).positions()));
            }
        }
        return placed(file, text, what);
    }

    /** The document's tree without positions, or null for anything the full read must judge (and report). */
    private JsonNode unplaced(String text) {
        if (YamlTags.possible(text)) {
            return null;   // a tag's problem is found by its position (a key's in the text): the full read judges it
        }
        try (JsonParser p = parser(unmarked, text)) {
            if (p.nextToken() == null) {
                return null;
            }
            JsonNode root = readValue(null, p, null, null, null);
            return p.nextToken() != null ? null : root;
        } catch (JacksonException | DiagnosticsException | Unplaced e) {
            return null;
        }
    }

    /**
     * A problem the read without positions cannot place: the full read finds it again and reports it. Without a
     * stack trace, as it is never shown.
     */
    private static final class Unplaced extends RuntimeException {
        Unplaced() {
            super(null, null, false, false);
        }
    }

    /** The full read: the tree, every node's position, and every problem reported where it is. */
    private YamlDocument placed(String file, String text, String what) {
        boolean stack = what.contains("stack") || what.contains("import");
        if (text.length() > MAX_BYTES) {
            throw fail(file, 0, 0, "document is too large",
                    "desired-state files are limited to " + MAX_BYTES + " bytes");
        }
        // Sized for the file (a node per 12 characters or so), so that a stack of 1,000 resources does not
        // rehash its 20,000 positions a dozen times while it is read.
        Map<String, SourceRange> positions = new HashMap<>(Math.max(16, text.length() / 8));
        try (JsonParser p = parser(factory, text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw fail(file, 1, 1, "the file is empty", stack ? "a stack starts with `apiVersion: meshform.io/v1alpha1`"
                        : "it should hold one YAML document");
            }
            JsonNode root = readValue(file, p, "", positions, YamlTags.of(text));
            if (p.nextToken() != null) {
                TokenStreamLocation at = p.currentTokenLocation();
                java.util.Optional<String> manifest = stack ? ManifestNotStack.summary(root) : java.util.Optional.empty();
                if (manifest.isPresent()) {
                    SourceRange kind = positions.get("/kind");
                    throw fail(file, kind == null ? 1 : kind.line(), kind == null ? 1 : kind.column(), manifest.get(),
                            ManifestNotStack.hint(java.nio.file.Path.of(file).getFileName().toString()));
                }
                throw fail(file, at.getLineNr(), at.getColumnNr(), "more than one YAML document in the file",
                        stack ? "a desired-state file holds one stack; remove the `---` and what follows, or split it into files"
                                : "this file must hold exactly one object; declare one resource per object");
            }
            return new YamlDocument(file, root, java.util.Collections.unmodifiableMap(positions));
        } catch (JacksonException e) {
            TokenStreamLocation at = e.getLocation();
            int line = at == null ? 0 : at.getLineNr();
            int col = at == null ? 0 : at.getColumnNr();
            // The parser knows where the problem is (the tab itself); Jackson's location is its last good token.
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof MarkedYamlEngineException m && m.getProblemMark().isPresent()) {
                    line = m.getProblemMark().get().getLine() + 1;
                    col = m.getProblemMark().get().getColumn() + 1;
                    break;
                }
            }
            // The parser's reason, shortened: it may quote a token of the file, and the file may be a secret.
            String reason = Quote.shortened(reason(e), 120);
            java.util.Optional<String[]> misaligned = YamlIndentation.misaligned(text, line, reason);
            if (misaligned.isPresent()) {
                throw fail(file, line, col, misaligned.get()[0], misaligned.get()[1]);
            }
            throw fail(file, line, col, "invalid YAML: " + reason, hintFor(e));
        }
    }

    /**
     * Every document of a multi-document file (Kubernetes manifests, Istio's sample addons), read with the same
     * hardening as a stack: aliases, merge keys and duplicate keys refused, nesting and size bounded. Empty
     * documents are left out.
     */
    public java.util.List<YamlDocument> parseAll(String file, String text) {
        if (text.length() > MAX_BYTES) {
            throw fail(file, 0, 0, "document is too large", "files are limited to " + MAX_BYTES + " bytes");
        }
        java.util.List<YamlDocument> docs = new java.util.ArrayList<>();
        YamlTags tags = YamlTags.of(text);
        try (JsonParser p = parser(factory, text)) {
            while (p.nextToken() != null) {
                Map<String, SourceRange> positions = new HashMap<>();
                JsonNode root = readValue(file, p, "", positions, tags);
                if (root != null && !root.isNull()) {
                    docs.add(new YamlDocument(file, root, java.util.Collections.unmodifiableMap(positions)));
                }
            }
            return docs;
        } catch (JacksonException e) {
            TokenStreamLocation at = e.getLocation();
            throw fail(file, at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(),
                    "invalid YAML: " + Quote.shortened(reason(e), 120), hintFor(e));
        }
    }

    /** Every document of {@code path} (see {@link #parseAll}), read through {@link InputFiles}. */
    public java.util.List<YamlDocument> readAll(Path path, String file, String what) {
        return parseAll(file, InputFiles.readText(path, file, what, MAX_BYTES));
    }

    /**
     * One value and, when {@code positions} is not null, where each of its nodes is (keyed by JSON pointer). Without
     * positions (the first read of {@link #parse}) no pointer is built and a problem throws {@link Unplaced}.
     * {@code tags} is null when the text can hold none.
     */
    private JsonNode readValue(String file, JsonParser p, String pointer, Map<String, SourceRange> positions,
                               YamlTags tags) {
        JsonToken t = p.currentToken();
        if (positions != null && !positions.containsKey(pointer)) {
            positions.put(pointer, here(file, p));
        }
        if (((YAMLParser) p).isCurrentAlias()) {
            if (positions == null) {
                throw new Unplaced();
            }
            TokenStreamLocation at = p.currentTokenLocation();
            throw fail(file, at.getLineNr(), at.getColumnNr(), "YAML aliases (*" + Quote.shortened(p.getString()) + ") are not supported",
                    "write the value out in full; meshform refuses aliases so that nothing is read differently from "
                            + "how it looks");
        }
        YamlTags.Problem tagged = tags == null ? null : YamlTags.ofValue((YAMLParser) p, t);
        if (tagged != null) {
            TokenStreamLocation at = p.currentTokenLocation();
            throw fail(file, at.getLineNr(), at.getColumnNr(), tagged.summary(), tagged.detail());
        }
        switch (t) {
            case START_OBJECT:
                return readObject(file, p, pointer, positions, tags);
            case START_ARRAY: {
                ArrayNode array = nodes.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    array.add(readValue(file, p, positions == null ? null : pointer + "/" + i, positions, tags));
                    i++;
                }
                return array;
            }
            case VALUE_STRING:
                return nodes.stringNode(p.getString());
            case VALUE_NUMBER_INT:
                return nodes.numberNode(p.getBigIntegerValue());
            case VALUE_NUMBER_FLOAT:
                return nodes.numberNode(p.getDecimalValue());
            case VALUE_TRUE:
                return nodes.booleanNode(true);
            case VALUE_FALSE:
                return nodes.booleanNode(false);
            case VALUE_NULL:
                return nodes.nullNode();
            default:
                if (positions == null) {
                    throw new Unplaced();
                }
                throw fail(file, here(file, p).line(), here(file, p).column(), "unexpected YAML token " + t, null);
        }
    }

    private ObjectNode readObject(String file, JsonParser p, String pointer, Map<String, SourceRange> positions,
                                  YamlTags tags) {
        ObjectNode object = nodes.objectNode();
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String key = p.currentName();
            if (positions == null) {
                if ("<<".equals(key) || object.has(key)) {
                    throw new Unplaced();
                }
                p.nextToken();
                object.set(key, readValue(file, p, null, null, null));
                continue;
            }
            SourceRange keyAt = here(file, p);
            YamlTags.Problem tagged = tags == null ? null : tags.ofKey(keyAt.line(), keyAt.column());
            if (tagged != null) {
                throw fail(file, keyAt.line(), keyAt.column(), tagged.summary(), tagged.detail());
            }
            if ("<<".equals(key)) {
                throw fail(file, keyAt.line(), keyAt.column(), "YAML merge keys (<<) are not supported",
                        "write the merged fields out in full, or share them with `imports:` (see docs/stack-file.md)");
            }
            if (object.has(key)) {
                throw fail(file, keyAt.line(), keyAt.column(), "duplicate key `" + Quote.shortened(key) + "`",
                        "the key was already set at line " + positions.get(pointer + "/" + escape(key)).line()
                                + "; YAML keeps only one of them, so remove one");
            }
            String child = pointer + "/" + escape(key);
            positions.put(child, keyAt);
            p.nextToken();
            // The value's own position too: a wrong value (`mode: STRICTT`) is shown there, not at its key.
            positions.put(YamlDocument.valueKey(child), here(file, p));
            object.set(key, readValue(file, p, child, positions, tags));
        }
        return object;
    }

    private static SourceRange here(String file, JsonParser p) {
        TokenStreamLocation at = p.currentTokenLocation();
        return new SourceRange(file, at.getLineNr(), at.getColumnNr());
    }

    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    /**
     * The parser's own reason. Jackson's message starts with snakeyaml's context ("while scanning for the next
     * token"), which alone says nothing; the problem ("found character '\t(TAB)' that cannot start any token") is
     * what the user needs.
     */
    private static String reason(JacksonException e) {
        if (isTab(e)) {
            // Said whole, in our words: snakeyaml's "found character '\t(TAB)' that cannot start any token. (Do not use
            // \t(TAB) for indentation) (while scanning for the next token)" was cut off at the length limit.
            return "a tab character where YAML expects indentation or a value; YAML forbids tabs for indentation";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYamlEngineException m && m.getProblem() != null) {
                String problem = m.getProblem().strip();
                return m.getContext() == null ? problem : problem + " (" + m.getContext().strip() + ")";
            }
        }
        return firstLine(e.getOriginalMessage());
    }

    private static boolean isTab(JacksonException e) {
        return String.valueOf(e.getOriginalMessage()).contains("(TAB)");
    }

    private static String hintFor(JacksonException e) {
        String m = String.valueOf(e.getOriginalMessage());
        if (isTab(e)) {
            return "replace the tab at this position (and any other tab used to indent) with spaces";
        }
        if (m.contains("nesting depth")) {
            return "the document nests deeper than " + MAX_DEPTH + " levels; no stack needs that";
        }
        if (m.contains("Document length")) {
            return "desired-state files are limited to " + MAX_BYTES + " bytes";
        }
        return "check indentation and quoting near this position";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "parse error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static DiagnosticsException fail(String file, int line, int col, String summary, String detail) {
        return new DiagnosticsException(Diagnostic.error(summary, detail, new SourceRange(file, line, col)));
    }
}

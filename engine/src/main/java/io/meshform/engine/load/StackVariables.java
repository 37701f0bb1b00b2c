package io.meshform.engine.load;

import io.meshform.engine.diag.Diagnostics;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.diag.Suggestions;
import io.meshform.engine.diag.ValueDescription;
import io.meshform.engine.plan.Sensitive;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The {@code variables:} a stack and its imports declare, and their values for one load: the declared default,
 * overridden by the {@link VariableInputs} in their order of precedence ({@code MESHFORM_VAR_*} environment variables,
 * then {@code --var-file}s, then {@code --var}). A value of the wrong type or an undeclared name is an error at the
 * place that wrote it; an unused declaration is a warning.
 *
 * <p>Used by one {@link StackLoader#load} and then dropped: it collects the declarations of every file the load reads.
 */
final class StackVariables {
    private static final Set<String> KEYS = Set.of("type", "default", "description", "sensitive");
    private static final Set<String> TYPES = Set.of("string", "number", "bool");

    private record Declaration(String type, JsonNode defaultValue, SourceRange range, boolean sensitive) {
    }

    private final Map<String, Declaration> declared = new LinkedHashMap<>();
    /**
     * Names declared with an error already reported (a default of the wrong type, an unknown type, ...): declared all
     * the same, so a reference to one, or a {@code --var} setting it, is no second error calling it undeclared.
     */
    private final Set<String> refused = new java.util.TreeSet<>();
    /**
     * The variables whose value this load took from the environment ({@code MESHFORM_VAR_*}) and the runner did not
     * list as not sensitive: sensitive whatever their declaration says ({@link VariableInputs}).
     */
    private final Set<String> sensitiveFromEnvironment = new java.util.TreeSet<>();
    /** The declared variables without a value that the last {@link #resolve} took as unknown. */
    private final Set<String> unknown = new java.util.TreeSet<>();

    /**
     * Reads the {@code variables:} mapping of one file. Files are read imports first, so a later (importing) file's
     * declaration wins, and keeps the earlier default when it writes none.
     */
    void read(YamlDocument doc, ObjectShape shape, JsonNode root, Diagnostics out) {
        JsonNode vars = root.get("variables");
        if (vars == null || !shape.isObject(vars, "/variables", "`variables`")) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : vars.properties()) {
            String p = "/variables/" + YamlReader.escape(e.getKey());
            JsonNode v = e.getValue();
            if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                out.error("invalid variable name `" + e.getKey() + "`", "use letters, digits and _", doc.rangeOf(p));
                continue;
            }
            if (!shape.isObject(v, p, "variable `" + e.getKey() + "`")) {
                refused.add(e.getKey());
                continue;
            }
            shape.knownKeys(v, p, "variable `" + e.getKey() + "`", KEYS);
            String type = v.has("type") ? shape.string(v, p, "type") : null;
            JsonNode def = v.get("default");
            if (type == null) {
                type = def == null || def.isString() ? "string" : def.isBoolean() ? "bool" : def.isNumber() ? "number" : "string";
            } else if (!TYPES.contains(type)) {
                out.error("unknown variable type `" + type + "`", Suggestions.hint(type, TYPES), doc.rangeOf(p + "/type"));
                refused.add(e.getKey());
                continue;
            }
            if (def != null && !matchesType(def, type)) {
                out.error("default of variable `" + e.getKey() + "` is not a " + type,
                        "found " + ObjectShape.describe(def) + (type.equals("string") ? "; quote it (\"1.10\" is a string, 1.10 the number 1.1)"
                                : type.equals("bool") && def.isString() ? "; write true or false (stacks are YAML 1.2, where yes, no,"
                                + " on and off are strings)" : ""),
                        doc.rangeOf(p + "/default"));
                refused.add(e.getKey());
                continue;
            }
            if (def != null && def.isString() && Uninterpolated.refused(def.asString(), "the default of variable `"
                    + e.getKey() + "`", "write the value itself; a value made of others is written where it is used, e.g."
                    + " name: \"${var.a}-y\"", doc.rangeOf(p + "/default"), out)) {
                refused.add(e.getKey());
                continue;
            }
            JsonNode flag = v.get("sensitive");
            if (flag != null && !flag.isBoolean()) {
                out.error("`sensitive` of variable `" + e.getKey() + "` is not a bool", "write sensitive: true or false",
                        doc.rangeOf(p + "/sensitive"));
                refused.add(e.getKey());
                continue;
            }
            Declaration prior = declared.get(e.getKey());
            JsonNode effectiveDefault = def != null ? def : prior == null ? null : prior.defaultValue;
            // Sensitive once, sensitive everywhere: an importing file cannot make an imported secret printable.
            boolean sensitive = flag != null ? flag.asBoolean() || prior != null && prior.sensitive
                    : prior != null && prior.sensitive;
            if (sensitive && def != null) {
                // The stack's author is less trusted than the runner (README, Trust): a default they write that the
                // plan then masks would be applied unreviewed. A sensitive value comes from the runner.
                out.error("sensitive variable `" + e.getKey() + "` has a default",
                        "a masked value must come from whoever runs meshform, not from the stack: remove `default` and set it"
                                + " with --var, a --var-file or " + VariableInputs.ENV_PREFIX + e.getKey(),
                        doc.rangeOf(p + "/default"));  // still declared (without it): one error, not one per use
            }
            declared.put(e.getKey(), new Declaration(type, sensitive ? null : effectiveDefault, doc.rangeOf(p), sensitive));
        }
    }

    /**
     * The value of every declared variable that has one; each problem (an undeclared name set, a value of the wrong
     * type, a variable without a value) is an error in {@code out}. {@code --var-file}s must lie inside {@code root}.
     */
    Map<String, JsonNode> resolve(VariableInputs inputs, StackRoot root, YamlReader yaml, Diagnostics out) {
        return resolve(inputs, root, yaml, false, out);
    }

    /**
     * As {@link #resolve(VariableInputs, StackRoot, YamlReader, Diagnostics)}; with {@code unknownAllowed}, a variable
     * without a value is no error but unknown ({@link #unknownNames}). A value that is given is checked all the same.
     */
    Map<String, JsonNode> resolve(VariableInputs inputs, StackRoot root, YamlReader yaml, boolean unknownAllowed,
                                  Diagnostics out) {
        unknown.clear();
        Map<String, JsonNode> values = new LinkedHashMap<>();
        Map<String, String> raw = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        Set<String> fromEnvironment = new java.util.TreeSet<>();
        inputs.environment().forEach((k, v) -> {
            if (k.startsWith(VariableInputs.ENV_PREFIX)) {
                String name = k.substring(VariableInputs.ENV_PREFIX.length());
                // Unlike --var, stray environment variables are not errors: CI environments carry many.
                if (declared.containsKey(name)) {
                    raw.put(name, v);
                    origin.put(name, "environment variable " + k);
                    fromEnvironment.add(name);
                }
            }
        });
        Map<String, JsonNode> fromFiles = new LinkedHashMap<>();
        Map<String, SourceRange> fileRanges = new LinkedHashMap<>();
        for (Path f : inputs.varFiles()) {
            YamlDocument doc;
            if (java.nio.file.Files.notExists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                // Said before the root rule: "outside the stack's root ... move the file under the root" sent the user
                // to move a file that is not there (a mistyped name, relative to the current directory). The path is
                // the runner's own, so saying it does not exist tells the stack's author nothing.
                out.error("variables file not found", "looked for " + f.toAbsolutePath().normalize()
                        + "; check the path (a relative --var-file is relative to the current directory)",
                        SourceRange.unknown(f.toString()));
                continue;
            }
            try {
                Path confined = root.resolve(Path.of("").toAbsolutePath(), f.toString(), "--var-file", null);
                doc = yaml.read(confined, f.toString(), "variables file");
            } catch (DiagnosticsException e) {
                e.diagnostics().forEach(out::add);
                continue;
            }
            if (doc.root() == null || !doc.root().isObject()) {
                out.error("a variables file must be a mapping of name: value", null, doc.rangeOf(""));
                continue;
            }
            for (Map.Entry<String, JsonNode> e : doc.root().properties()) {
                if (refusedOnly(e.getKey())) {
                    continue;  // its declaration's error stands; a value for it changes nothing
                }
                if (!declared.containsKey(e.getKey())) {
                    out.error("variables file sets undeclared variable `" + e.getKey() + "`",
                            Suggestions.hint(e.getKey(), declared.keySet()), doc.rangeOf("/" + YamlReader.escape(e.getKey())));
                    continue;
                }
                raw.remove(e.getKey());
                fromEnvironment.remove(e.getKey());
                fromFiles.put(e.getKey(), e.getValue());
                fileRanges.put(e.getKey(), doc.rangeOf("/" + YamlReader.escape(e.getKey())));
                origin.put(e.getKey(), f.toString());
            }
        }
        inputs.cliValues().forEach((k, v) -> {
            if (refusedOnly(k)) {
                return;
            }
            if (!declared.containsKey(k)) {
                out.error("--var sets undeclared variable `" + k + "`",
                        declared.isEmpty() ? "the stack declares no variables" : Suggestions.hint(k, declared.keySet()), null);
                return;
            }
            fromFiles.remove(k);
            fromEnvironment.remove(k);
            raw.put(k, v);
            origin.put(k, "--var " + k);
        });
        for (Map.Entry<String, Declaration> e : declared.entrySet()) {
            String name = e.getKey();
            Declaration decl = e.getValue();
            JsonNode value;
            if (raw.containsKey(name)) {
                value = convert(raw.get(name), decl.type);
                if (value == null) {
                    // The value is not repeated: a value put in the wrong variable may be another one's secret.
                    out.error("variable `" + name + "` from " + origin.get(name) + " is not a " + decl.type,
                            decl.type.equals("bool") ? "give true or false" : "give a number, such as 3 or 0.5", decl.range);
                    continue;
                }
            } else if (fromFiles.containsKey(name)) {
                value = fromFiles.get(name);
                if (!matchesType(value, decl.type)) {
                    // The error stands where the value is to be put right (the variables file's line), and names
                    // the declaration that says which type it must be.
                    String wanted = switch (decl.type) {
                        case "string" -> "a string (quote a number or a boolean: \"5\")";
                        case "bool" -> "true or false";
                        default -> "a number, such as 3 or 0.5";
                    };
                    out.error("variable `" + name + "` from " + origin.get(name) + " is not a " + decl.type,
                            "found " + ValueDescription.kindOf(value) + "; give " + wanted + " (declared as " + decl.type
                                    + " at " + decl.range + ")", fileRanges.get(name));
                    continue;
                }
            } else if (decl.defaultValue != null) {
                value = decl.defaultValue;
            } else if (unknownAllowed) {
                unknown.add(name);
                continue;
            } else {
                out.error("variable `" + name + "` has no value",
                        "set it with --var " + name + "=VALUE, a --var-file, or " + VariableInputs.ENV_PREFIX + name, decl.range);
                continue;
            }
            values.put(name, value);
        }
        sensitiveFromEnvironment.clear();
        fromEnvironment.stream().filter(values::containsKey).filter(n -> !inputs.environmentNotSensitive().contains(n))
                .forEach(sensitiveFromEnvironment::add);
        return values;
    }

    /** The declared variables that had no value in the last {@link #resolve} that allowed unknown values. */
    Set<String> unknownNames() {
        return java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(unknown));
    }

    /** Every declared variable's name, whether or not it has a value, those whose declaration is in error too. */
    Set<String> names() {
        Set<String> all = new java.util.TreeSet<>(declared.keySet());
        all.addAll(refused);
        return java.util.Collections.unmodifiableSet(all);
    }

    private boolean refusedOnly(String name) {
        return refused.contains(name) && !declared.containsKey(name);
    }

    /**
     * The declared variables marked {@code sensitive: true}, and (after {@link #resolve}) those whose value came from
     * the environment unless the runner said otherwise: their values are masked wherever they are used.
     */
    Set<String> sensitiveNames() {
        Set<String> out = new java.util.TreeSet<>(sensitiveFromEnvironment);
        declared.forEach((name, decl) -> {
            if (decl.sensitive) {
                out.add(name);
            }
        });
        return out;
    }

    /**
     * An error, at its declaration, for each sensitive variable whose value is too short to be masked in free text
     * ({@link Sensitive#maskableInText}): an API server's or istioctl's message that quoted it would print it, and
     * "masked everywhere" is the promise a user trusts, so the value is refused rather than printed now and then. The
     * value is not repeated, nor its length. A bool is masked where it lands and never searched for (docs/stack-file.md).
     */
    void refuseUnmaskable(Map<String, JsonNode> values, Diagnostics out) {
        for (String name : sensitiveNames()) {
            JsonNode value = values.get(name);
            if (value == null || Sensitive.maskableInText(value)) {
                continue;
            }
            Declaration decl = declared.get(name);
            out.error("sensitive variable `" + name + "` has a value shorter than " + Sensitive.MIN_REDACTED_LENGTH
                            + " characters, which meshform cannot keep out of its messages",
                    "meshform masks a sensitive value in free text (an API server's or istioctl's message that quotes it)"
                            + " by finding its text there, and a text this short is found inside other words, so it could"
                            + " be printed: give a value of at least " + Sensitive.MIN_REDACTED_LENGTH + " characters, or,"
                            + " if it is no secret, " + (decl.sensitive ? "remove `sensitive: true` from its declaration"
                            : "list it in " + VariableInputs.NONSENSITIVE_ENV + " (a value from the environment is"
                            + " sensitive unless listed there)"),
                    decl.range);
        }
    }

    /** The texts the sensitive variables' values may be printed as (see {@link Sensitive#secrets}). */
    Set<String> sensitiveTexts(Map<String, JsonNode> values) {
        tools.jackson.databind.node.ObjectNode chosen = JsonNodeFactory.instance.objectNode();
        sensitiveNames().stream().filter(values::containsKey).forEach(n -> chosen.set(n, values.get(n)));
        return Sensitive.secrets(chosen, Set.of("/*"));
    }

    /** A warning for each declared variable no value of the stack references. */
    void warnUnused(Set<String> used, Diagnostics out) {
        declared.forEach((name, decl) -> {
            if (!used.contains(name)) {
                out.warning("variable `" + name + "` is declared but never used",
                        "remove it, or reference it as ${var." + name + "}", decl.range);
            }
        });
    }

    private static boolean matchesType(JsonNode v, String type) {
        return switch (type) {
            case "string" -> v.isString();
            case "number" -> v.isNumber();
            case "bool" -> v.isBoolean();
            default -> false;
        };
    }

    private static JsonNode convert(String text, String type) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (type) {
            case "string" -> f.stringNode(text);
            case "bool" -> text.equals("true") ? f.booleanNode(true) : text.equals("false") ? f.booleanNode(false) : null;
            case "number" -> {
                try {
                    yield number(f, text);
                } catch (NumberFormatException e) {
                    yield null;
                }
            }
            default -> null;
        };
    }

    /**
     * A number given as text (--var, MESHFORM_VAR_) as the stack file's YAML would give it: a whole number is an integer
     * node (an int where it fits, as "8080" in YAML is), anything else a decimal. Every whole number was a decimal
     * node before, and fields that take integers (a port) refused {@code --var authProxyPort=8080}.
     */
    private static JsonNode number(JsonNodeFactory f, String text) {
        if (text.matches("[-+]?\\d+")) {
            java.math.BigInteger whole = new java.math.BigInteger(text);
            if (whole.bitLength() < 32) {
                return f.numberNode(whole.intValue());
            }
            return whole.bitLength() < 64 ? f.numberNode(whole.longValue()) : f.numberNode(whole);
        }
        return f.numberNode(new java.math.BigDecimal(text));
    }
}

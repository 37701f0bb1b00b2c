package io.meshform.engine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.Environment;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.Stack;
import io.meshform.engine.testing.InMemoryCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackLoaderTest {
    @TempDir
    Path dir;

    private final StackLoader loader = new StackLoader(new InMemoryCluster().registry());

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private List<Diagnostic> errors(String text) throws IOException {
        Path p = file("stack.yaml", text);
        return assertThrows(DiagnosticsException.class, () -> loader.load(p, VariableInputs.none())).diagnostics();
    }

    private static final String HEAD = "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: t}\n";

    @Test
    void loadsResourcesInFileOrder() throws IOException {
        Stack s = loader.load(file("stack.yaml", HEAD + """
                resources:
                  - type: test.thing
                    name: b
                    spec: {value: "1"}
                  - type: test.thing
                    name: a
                    dependsOn: [test.thing.b]
                """), VariableInputs.none()).stack();
        assertEquals(List.of("test.thing.b", "test.thing.a"), s.resources().stream().map(r -> r.address().toString()).toList());
        assertEquals(List.of(ResourceAddress.parse("test.thing.b")), s.resources().get(1).dependsOn());
        assertEquals(Environment.PRODUCTION, s.environment());
    }

    @Test
    void undeclaredVarsAreReportedInTheOrderGivenInEveryRun() throws IOException {
        Path p = file("stack.yaml", HEAD + "resources:\n  - {type: test.thing, name: x}\n");
        List<String> names = List.of("zeta", "alpha", "mu", "beta", "omega", "kappa", "delta", "sigma", "eta", "pi");
        Map<String, String> vars = new java.util.LinkedHashMap<>();
        names.forEach(n -> vars.put(n, "1"));
        var e = assertThrows(DiagnosticsException.class, () -> loader.load(p, new VariableInputs(Map.of(), List.of(), vars)));
        // The command line's order; Map.copyOf's is randomised per JVM, so two identical runs printed them differently.
        assertEquals(names.stream().map(n -> "--var sets undeclared variable `" + n + "`").toList(),
                e.diagnostics().stream().map(Diagnostic::summary).toList());
    }

    @Test
    void reportsEveryErrorWithPositionAndSuggestion() throws IOException {
        List<Diagnostic> errors = errors(HEAD + """
                resources:
                  - type: test.thing
                    name: a
                    sepc: {}
                  - type: test.thnig
                    name: b
                  - type: test.thing
                    name: a
                """);
        assertEquals(3, errors.size(), errors.toString());
        assertEquals("unknown field `sepc` in a resource", errors.get(0).summary());
        assertEquals("did you mean `spec`?", errors.get(0).detail());
        assertEquals(7, errors.get(0).range().line());
        assertEquals(5, errors.get(0).range().column());
        assertEquals("unknown resource type `test.thnig`", errors.get(1).summary());
        assertEquals("did you mean `test.thing`?", errors.get(1).detail());
        assertEquals("duplicate resource `test.thing.a`", errors.get(2).summary());
        assertEquals(11, errors.get(2).range().line());
    }

    @Test
    void providerValidationPointsIntoTheSpec() throws IOException {
        List<Diagnostic> errors = errors(HEAD + """
                resources:
                  - type: test.thing
                    name: a
                    spec:
                      value: 1.10
                """);
        assertEquals(1, errors.size());
        assertEquals("test.thing.a: spec.value: must be a string", errors.get(0).summary());
        assertEquals(8, errors.get(0).range().line());
    }

    /**
     * The stack's name is printed in every plan, drift report and Markdown heading: one with a terminal escape or
     * Markdown (the stack's author writes it) is refused at load, where it is written.
     */
    @Test
    void aStackNameWithControlsOrMarkupIsRefused() throws IOException {
        for (String name : List.of("\"x\\e]52;c;SGVsbG8=\\a\"", "\"a`<img src=x>\"", "\"two words\"", "-lead", "\"\\u202eexe\"")) {
            List<Diagnostic> errors = errors("apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: " + name + "}\nresources: []\n");
            assertEquals(1, errors.size(), name + ": " + errors);
            assertTrue(errors.get(0).summary().startsWith("invalid stack name "), errors.get(0).summary());
            assertEquals(3, errors.get(0).range().line());
            assertTrue(errors.get(0).summary().codePoints().noneMatch(c -> c == 0x1b || c == 7 || c == 0x202e), errors.get(0).summary());
        }
        for (String name : List.of("cortex-production", "Cortex_Prod.eu-1", "a")) {
            Path p = file("ok.yaml", "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: " + name + "}\nresources: []\n");
            assertEquals(name, loader.load(p, VariableInputs.none()).stack().name());
        }
    }

    @Test
    void unknownDependencyIsAnError() throws IOException {
        List<Diagnostic> errors = errors(HEAD + """
                resources:
                  - type: test.thing
                    name: a
                    dependsOn: [test.thing.nope]
                """);
        assertTrue(errors.get(0).summary().contains("does not declare"), errors.get(0).summary());
    }

    @Test
    void variablesComeFromDefaultsEnvironmentFilesAndFlagsInThatOrder() throws IOException {
        Path stack = file("stack.yaml", HEAD + """
                variables:
                  a: {default: "from-default"}
                  b: {default: "from-default"}
                  c: {default: "from-default"}
                  on: {type: bool, default: false}
                resources:
                  - type: test.thing
                    name: x
                    spec: {a: "${var.a}", b: "${var.b}", c: "pre-${var.c}-post", on: "${var.on}", lit: "$${var.a}"}
                """);
        Path varFile = file("vars.yaml", "b: from-file\nc: from-file\n");
        Stack s = loader.load(stack, new VariableInputs(Map.of("MESHFORM_VAR_a", "from-env", "MESHFORM_VAR_c", "from-env"),
                List.of(varFile), Map.of("c", "from-flag", "on", "true"))).stack();
        var spec = s.resources().get(0).spec();
        assertEquals("from-env", spec.get("a").asString());
        assertEquals("from-file", spec.get("b").asString());
        assertEquals("pre-from-flag-post", spec.get("c").asString());
        assertTrue(spec.get("on").isBoolean() && spec.get("on").asBoolean());
        assertEquals("${var.a}", spec.get("lit").asString());
    }

    /**
     * The runner decides what is secret: a MESHFORM_VAR_ value is sensitive even where the stack does not declare it
     * so (a pull request that drops {@code sensitive: true} must not make the plan print the CI's secret), unless the
     * runner lists it in MESHFORM_NONSENSITIVE_VARS; --var and --var-file values keep the declaration's sensitivity.
     */
    @Test
    void environmentValuesAreSensitiveUnlessTheRunnerSaysOtherwise() throws IOException {
        Path stack = file("stack.yaml", HEAD + """
                variables:
                  pass: {type: string}
                  plain: {type: string}
                  flagged: {type: string}
                  filed: {type: string}
                resources:
                  - type: test.thing
                    name: x
                    spec: {a: "${var.pass}", b: "pre-${var.plain}", c: "${var.flagged}", d: "${var.filed}"}
                """);
        Path varFile = file("vars.yaml", "filed: Filed-Value-42\n");
        Map<String, String> env = Map.of("MESHFORM_VAR_pass", "Env-Secret-4711", "MESHFORM_VAR_plain", "Env-Plain-0815",
                "MESHFORM_VAR_flagged", "Env-Overridden-1", "MESHFORM_VAR_filed", "Env-Overridden-2");
        StackLoader.Loaded loaded = loader.load(stack, new VariableInputs(env, List.of(varFile),
                Map.of("flagged", "From-Flag-99"), java.util.Set.of("plain")));
        var decl = loaded.stack().resources().get(0);
        assertEquals(java.util.Set.of("/a"), decl.sensitivePaths());
        assertTrue(loaded.secrets().contains("Env-Secret-4711"), loaded.secrets().toString());
        for (String shown : List.of("Env-Plain-0815", "From-Flag-99", "Filed-Value-42")) {
            assertTrue(!loaded.secrets().contains(shown), shown + " in " + loaded.secrets());
        }

        // Without the runner's list, every environment value is sensitive.
        StackLoader.Loaded all = loader.load(stack, new VariableInputs(env, List.of(), Map.of()));
        assertEquals(java.util.Set.of("/a", "/b", "/c", "/d"), all.stack().resources().get(0).sensitivePaths());
        assertTrue(all.secrets().containsAll(List.of("Env-Secret-4711", "Env-Plain-0815")), all.secrets().toString());
    }

    /**
     * A sensitive value is kept out of messages by finding its text there, which cannot be done for fewer than 4
     * characters ("on" is in every other word): such a value was left out of the redactor's secrets, so an error that
     * quoted it printed it. It is refused at load (validate, plan, drift alike), where it is declared, without the value.
     */
    @Test
    void aSensitiveValueTooShortToBeMaskedIsRefusedWhereItIsDeclared() throws IOException {
        Path stack = file("stack.yaml", HEAD + """
                variables:
                  pin: {type: string, sensitive: true}
                  port: {type: number}
                  flag: {type: bool, sensitive: true}
                resources:
                  - type: test.thing
                    name: x
                    spec: {a: "${var.pin}", b: "${var.port}", c: "${var.flag}"}
                """);
        var e = assertThrows(DiagnosticsException.class, () -> loader.load(stack, new VariableInputs(
                Map.of("MESHFORM_VAR_port", "443"), List.of(), Map.of("pin", "7q1", "flag", "true"))));
        List<String> shown = e.diagnostics().stream().map(d -> d.summary() + " | " + d.detail() + " | "
                + d.range().file().replaceAll(".*/", "") + ":" + d.range().line() + ":" + d.range().column()).toList();
        assertEquals(List.of("sensitive variable `pin` has a value shorter than 4 characters, which meshform cannot keep"
                        + " out of its messages | meshform masks a sensitive value in free text (an API server's or"
                        + " istioctl's message that quotes it) by finding its text there, and a text this short is found"
                        + " inside other words, so it could be printed: give a value of at least 4 characters, or, if it is"
                        + " no secret, remove `sensitive: true` from its declaration | stack.yaml:5:3",
                "sensitive variable `port` has a value shorter than 4 characters, which meshform cannot keep out of its"
                        + " messages | meshform masks a sensitive value in free text (an API server's or istioctl's message"
                        + " that quotes it) by finding its text there, and a text this short is found inside other words,"
                        + " so it could be printed: give a value of at least 4 characters, or, if it is no secret, list it"
                        + " in MESHFORM_NONSENSITIVE_VARS (a value from the environment is sensitive unless listed there)"
                        + " | stack.yaml:6:3"), shown);
        // The runner says the port is no secret: it is shown as it is. A bool is never searched for (documented).
        var e2 = assertThrows(DiagnosticsException.class, () -> loader.load(stack, new VariableInputs(
                Map.of("MESHFORM_VAR_port", "443"), List.of(), Map.of("pin", "7q1", "flag", "true"), java.util.Set.of("port"))));
        assertEquals(1, e2.diagnostics().size(), e2.diagnostics().toString());
        var ok = loader.load(stack, new VariableInputs(Map.of("MESHFORM_VAR_port", "443"), List.of(),
                Map.of("pin", "7q1-long", "flag", "true"), java.util.Set.of("port")));
        assertTrue(ok.secrets().contains("7q1-long"), ok.secrets().toString());
    }

    /**
     * The same limit for a value written in the stack where its type marks it sensitive (a Secret's data, a
     * {@code test.secret}'s password): it was accepted, left out of the redactor's secrets, and printed by any message
     * that quoted it. Refused at the value, without the value or its length; an empty value has nothing to keep out.
     */
    @Test
    void aSensitiveLiteralTooShortToBeMaskedIsRefusedAtTheValue() throws IOException {
        Path stack = file("stack.yaml", HEAD + """
                resources:
                  - type: test.secret
                    name: db
                    spec:
                      user: me
                      password: "q7"
                """);
        var e = assertThrows(DiagnosticsException.class, () -> loader.load(stack, VariableInputs.none()));
        List<String> shown = e.diagnostics().stream().map(d -> d.summary() + " | " + d.detail() + " | "
                + d.range().file().replaceAll(".*/", "") + ":" + d.range().line() + ":" + d.range().column()).toList();
        assertEquals(List.of("test.secret.db: spec.password: a sensitive value shorter than 4 characters, which meshform"
                + " cannot keep out of its messages | meshform masks a sensitive value in free text (an API server's or"
                + " istioctl's message that quotes it) by finding its text there, and a text this short is found inside"
                + " other words, so it could be printed: give a value of at least 4 characters | stack.yaml:9:17"), shown);
        assertFalse(shown.toString().contains("q7"), shown.toString());

        Path empty = file("empty.yaml", HEAD + "resources:\n  - {type: test.secret, name: db, spec: {password: \"\"}}\n");
        assertEquals(1, loader.load(empty, VariableInputs.none()).stack().resources().size());
        Path longer = file("longer.yaml", HEAD + "resources:\n  - {type: test.secret, name: db, spec: {password: q7-long}}\n");
        assertEquals(1, loader.load(longer, VariableInputs.none()).stack().resources().size());
    }

    @Test
    void undefinedAndUndeclaredVariablesAreErrorsUnusedOnesWarnings() throws IOException {
        Path stack = file("stack.yaml", HEAD + """
                variables:
                  used: {default: "x"}
                  unused: {default: "y"}
                resources:
                  - type: test.thing
                    name: x
                    spec: {a: "${var.used}"}
                """);
        var loaded = loader.load(stack, VariableInputs.none());
        assertEquals(1, loaded.warnings().size());
        assertTrue(loaded.warnings().get(0).summary().contains("`unused`"));

        var e = assertThrows(DiagnosticsException.class, () -> loader.load(stack,
                new VariableInputs(Map.of(), List.of(), Map.of("usde", "z"))));
        assertTrue(e.diagnostics().get(0).summary().contains("undeclared variable `usde`"));
        assertEquals("did you mean `used`?", e.diagnostics().get(0).detail());

        List<Diagnostic> errors = errors(HEAD + "resources:\n  - type: test.thing\n    name: x\n    spec: {a: \"${var.nope}\"}\n");
        assertEquals("undefined variable `nope`", errors.get(0).summary());
    }

    /**
     * An undefined variable leaves only its own value unchecked: the other errors of that resource's spec (here a value
     * of the wrong type) are reported in the same run, as `terraform validate` reports both; a second undefined
     * reference in the same text is reported too. The spec was skipped whole, so they showed only once it was fixed.
     */
    @Test
    void anUndefinedVariableDoesNotHideTheOtherErrorsOfItsResource() throws IOException {
        List<String> errors = errors(HEAD + """
                variables:
                  ns: {default: demo}
                resources:
                  - type: test.thing
                    name: x
                    spec: {other: "${var.nss}-${var.nsss}", value: 5}
                  - type: test.thing
                    name: y
                    spec: {value: "${var.nss}", other: "${var.ns}"}
                """).stream().map(d -> d.summary() + " @" + d.range().line() + ":" + d.range().column()).toList();
        assertEquals(List.of("undefined variable `nss` @9:12", "undefined variable `nsss` @9:12",
                "test.thing.x: spec.value: must be a string @9:45", "undefined variable `nss` @12:12"), errors);
    }

    /**
     * Every error of a file in one run: a dependsOn cycle is said beside another error of the load (here a dependsOn
     * to an undeclared resource), not only once that one is fixed; the cycle stands at the entry that closes it.
     */
    @Test
    void aCycleIsSaidBesideTheLoadsOtherErrors() throws IOException {
        Path stack = file("stack.yaml", HEAD + """
                resources:
                  - type: test.thing
                    name: a
                    dependsOn: [test.thing.b]
                    spec: {}
                  - type: test.thing
                    name: b
                    dependsOn: [test.thing.a, test.thing.missing]
                    spec: {}
                """);
        var e = assertThrows(DiagnosticsException.class, () -> loader.load(stack, new VariableInputs(Map.of(), List.of(), Map.of())));
        List<String> messages = e.diagnostics().stream().map(d -> d.summary() + " @" + d.range().line() + ":" + d.range().column()).toList();
        assertEquals(2, messages.size(), messages.toString());
        assertTrue(messages.contains("`test.thing.b` depends on `test.thing.missing`, which the stack does not declare @11:31"),
                messages.toString());
        assertTrue(messages.contains("dependency cycle: test.thing.a -> test.thing.b -> test.thing.a @11:17"), messages.toString());
    }

    @Test
    void aValueOfTheWrongTypeIsOneErrorThatDoesNotRepeatTheValue() throws IOException {
        Path stack = file("stack.yaml", HEAD + """
                variables:
                  enabled: {type: bool}
                  password: {type: string}
                resources:
                  - type: test.thing
                    name: x
                    spec: {a: "${var.enabled}", b: "${var.password}"}
                """);
        Path varFile = file("vars.yaml", "password: {value: hunter2-from-file}\n");
        var e = assertThrows(DiagnosticsException.class, () -> loader.load(stack,
                new VariableInputs(Map.of(), List.of(varFile), Map.of("enabled", "hunter2-on-the-command-line"))));
        List<String> messages = e.diagnostics().stream().map(d -> d.summary() + " | " + d.detail() + " | " + d.range()).toList();
        assertEquals(2, messages.size(), "one error per variable, no 'undefined variable' for a declared one: " + messages);
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("variable `enabled` from --var enabled is not a bool | give true"
                + " or false | " + stack + ":5:3")), messages.toString());
        // Stands where the value is put right, the variables file's line, and names the declaration.
        assertTrue(messages.stream().anyMatch(m -> m.equals("variable `password` from " + varFile + " is not a string | found a"
                + " mapping; give a string (quote a number or a boolean: \"5\") (declared as string at " + stack + ":6:3) | "
                + varFile + ":1:1")), messages.toString());
        assertTrue(messages.stream().noneMatch(m -> m.contains("hunter2")), "values are not repeated: " + messages);
    }

    /** `name: !Ref foo` was read as `foo`; a var file's tag as its value: both are errors at the tag, file:line:col. */
    @Test
    void aTagInTheStackOrAVariablesFileIsAnErrorAtTheTag() throws IOException {
        Diagnostic d = errors(HEAD + "resources:\n  - type: test.thing\n    name: !Ref foo\n").get(0);
        assertEquals("YAML tag !Ref is not supported; meshform stacks are plain YAML", d.summary());
        assertEquals("stack.yaml:6:11", d.range().file().replaceAll(".*/", "") + ":" + d.range().line() + ":" + d.range().column());
        Path stack = file("stack.yaml", HEAD + "variables:\n  v: {type: string}\nresources:\n  - {type: test.thing, name: x, spec: {a: \"${var.v}\"}}\n");
        Path varFile = file("vars.yaml", "v: !Sub secret-${x}\n");
        var e = assertThrows(DiagnosticsException.class, () -> loader.load(stack, new VariableInputs(Map.of(), List.of(varFile), Map.of())));
        Diagnostic v = e.diagnostics().get(0);
        assertEquals("YAML tag !Sub is not supported; meshform stacks are plain YAML", v.summary());
        assertEquals(1, v.range().line());
        assertEquals(4, v.range().column());
    }

    @Test
    void aVersionWrittenAsANumberIsRefusedForAStringVariable() throws IOException {
        List<Diagnostic> errors = errors(HEAD + "variables:\n  v: {type: string, default: 1.10}\n");
        assertTrue(errors.get(0).detail().contains("quote it"), errors.get(0).detail());
    }

    /**
     * Each file's first resource is at /resources/0/spec in its own document: the importer's plain value there was marked
     * as the imported resource's sensitive one (masked in every plan, digested in the state).
     */
    @Test
    void aSensitiveValueOfAnImportedResourceMarksNothingOfTheImportersResourceAtTheSamePlace() throws IOException {
        file("base.yaml", "apiVersion: meshform.io/v1alpha1\nkind: Stack\n" + """
                variables:
                  owner: {type: string, sensitive: true}
                resources:
                  - {type: test.thing, name: base, spec: {value: "${var.owner}"}}
                """);
        Path p = file("stack.yaml", HEAD + """
                imports: [base.yaml]
                resources:
                  - {type: test.thing, name: top, spec: {value: "plain"}}
                """);
        Stack s = loader.load(p, new VariableInputs(Map.of(), List.of(), Map.of("owner", "supersecretvalue"))).stack();
        assertEquals(java.util.Set.of("/value"), s.find(ResourceAddress.parse("test.thing.base")).orElseThrow().sensitivePaths());
        assertEquals(java.util.Set.of(), s.find(ResourceAddress.parse("test.thing.top")).orElseThrow().sensitivePaths());
    }

    @Test
    void importsShareABaseAndTheImporterRefinesIt() throws IOException {
        file("base.yaml", HEAD + """
                resources:
                  - type: test.thing
                    name: a
                    spec: {value: "base", nested: {x: "1", y: "2"}}
                  - type: test.thing
                    name: b
                """);
        Path staging = file("staging.yaml", """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: staging, environment: staging}
                imports: [base.yaml]
                resources:
                  - type: test.thing
                    name: a
                    spec: {nested: {y: "3"}}
                """);
        Stack s = loader.load(staging, VariableInputs.none()).stack();
        assertEquals("staging", s.name());
        assertEquals(Environment.STAGING, s.environment());
        assertEquals(2, s.resources().size());
        var a = s.find(ResourceAddress.parse("test.thing.a")).orElseThrow().spec();
        assertEquals("base", a.get("value").asString());
        assertEquals("1", a.at("/nested/x").asString());
        assertEquals("3", a.at("/nested/y").asString());
    }

    @Test
    void anErrorInAnImportedFileNamesThatFileEvenWhenTheImporterRefinesTheResource() throws IOException {
        file("base.yaml", HEAD + """
                resources:
                  - type: test.thing
                    name: a
                    spec: {value: 7}
                """);
        Path top = file("top.yaml", """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: top}
                imports: [base.yaml]
                resources:
                  - type: test.thing
                    name: a
                    spec: {mode: STRICT}
                """);
        List<Diagnostic> errors = assertThrows(DiagnosticsException.class, () -> loader.load(top, VariableInputs.none())).diagnostics();
        Diagnostic bad = errors.stream().filter(d -> d.summary().contains("spec.value")).findFirst().orElseThrow(() -> new AssertionError(errors.toString()));
        assertTrue(bad.range().file().endsWith("base.yaml"), bad.format());
        assertEquals(7, bad.range().line(), bad.format());
    }

    @Test
    void aMissingImportNamesTheImportingFileAndLine() throws IOException {
        Path top = file("top.yaml", HEAD + "imports:\n  - base.yaml\n  - nowhere.yaml\n");
        file("base.yaml", HEAD);
        List<Diagnostic> errors = assertThrows(DiagnosticsException.class, () -> loader.load(top, VariableInputs.none())).diagnostics();
        assertEquals(1, errors.size(), errors.toString());
        assertEquals("imported file `nowhere.yaml` not found", errors.get(0).summary());
        assertTrue(errors.get(0).range().file().endsWith("top.yaml"), errors.get(0).format());
        assertEquals(6, errors.get(0).range().line());
        assertEquals("looked for " + top.resolveSibling("nowhere.yaml").toAbsolutePath().normalize()
                + "; imports are relative to the importing file", errors.get(0).detail());
    }

    /** A stack named by a relative path (`plan -f ../x/top.yaml`) still says where its import was looked for in full. */
    @Test
    void aMissingImportOfARelativeStackNamesTheAbsolutePath() throws IOException {
        Path top = file("top.yaml", HEAD + "imports:\n  - nowhere.yaml\n");
        Path relative = Path.of("").toAbsolutePath().relativize(top.toAbsolutePath());
        List<Diagnostic> errors = assertThrows(DiagnosticsException.class, () -> loader.load(relative, VariableInputs.none())).diagnostics();
        assertEquals("looked for " + top.resolveSibling("nowhere.yaml").toAbsolutePath().normalize()
                + "; imports are relative to the importing file", errors.get(0).detail(), errors.toString());
    }

    @Test
    void importCyclesAreReported() throws IOException {
        file("a.yaml", HEAD + "imports: [b.yaml]\n");
        file("b.yaml", HEAD + "imports: [a.yaml]\n");
        var e = assertThrows(DiagnosticsException.class, () -> loader.load(dir.resolve("a.yaml"), VariableInputs.none()));
        assertTrue(e.diagnostics().get(0).summary().startsWith("import cycle"), e.getMessage());
    }

    /**
     * Eight files that each import the next ten times stay within the import depth and made 10^7 reads: the run never
     * ended. Every import is counted, each time it is read, and the load stops at the 65th with one error.
     */
    @Test
    void importsThatFanOutStopAtTheImportLimit() throws IOException {
        for (int i = 0; i < 8; i++) {
            String next = "f" + (i + 1) + ".yaml";
            file("f" + i + ".yaml", HEAD + (i < 7 ? "imports: [" + String.join(", ", java.util.Collections.nCopies(10, next)) + "]\n" : ""));
        }
        List<Diagnostic> errors = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> assertThrows(DiagnosticsException.class, () -> loader.load(dir.resolve("f0.yaml"), VariableInputs.none())))
                .diagnostics();
        assertEquals(1, errors.size(), errors.toString());
        String summary = errors.get(0).summary();
        assertTrue(summary.startsWith("imports read more than 64 files in all, at `") && summary.endsWith("f7.yaml`"), summary);
        assertTrue(errors.get(0).range().toString().contains("f6.yaml:4:"), errors.get(0).range().toString());
    }

    /** A file imported from two places (a diamond) is still read from each: well within the limit. */
    @Test
    void aSharedImportIsReadFromEachImporter() throws IOException {
        file("common.yaml", HEAD + "variables:\n  v: {default: a}\n");
        file("left.yaml", HEAD + "imports: [common.yaml]\n");
        file("right.yaml", HEAD + "imports: [common.yaml]\n");
        Path top = file("top.yaml", HEAD + "imports: [left.yaml, right.yaml]\nresources:\n  - {type: test.thing, name: x, spec: {v: \"${var.v}\"}}\n");
        assertEquals(1, loader.load(top, VariableInputs.none()).stack().resources().size());
    }

    @Test
    void digestChangesWithTheResolvedContent() throws IOException {
        Path p = file("stack.yaml", HEAD + "variables:\n  v: {default: a}\nresources:\n  - {type: test.thing, name: x, spec: {v: \"${var.v}\"}}\n");
        String d1 = loader.load(p, VariableInputs.none()).stack().digest();
        String d2 = loader.load(p, new VariableInputs(Map.of(), List.of(), Map.of("v", "b"))).stack().digest();
        assertEquals(d1, loader.load(p, VariableInputs.none()).stack().digest());
        assertNotEquals(d1, d2);
    }

    /**
     * The digest is computed on its own thread now (StackDigest); its value must stay what saved plans were made
     * with: pinned to main bf472c3's digest of the same stack (variables, dependsOn, lifecycle, adopt, key order).
     */
    @Test
    void digestIsTheOneSavedPlansWereMadeWith() throws IOException {
        Path p = file("stack.yaml", """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: pinned, environment: staging}
                variables:
                  team: {default: cortex}
                resources:
                  - type: test.thing
                    name: b
                    lifecycle: {preventDestroy: true}
                    spec: {zeta: "${var.team}", alpha: [1, 2.5, true, null], nested: {y: "ü", x: "$${literal}"}}
                  - type: test.thing
                    name: a
                    adopt: true
                    dependsOn: [test.thing.b]
                    spec: {value: "1"}
                """);
        assertEquals("sha256:e9cba49fd868704440f065d9f9afcd2ad90692140262e84fd56ca8475fc594bb", loader.load(p, VariableInputs.none()).stack().digest());
    }

    @Test
    void aFailedLoadStillReportsItsErrors() throws IOException {
        // The digest's thread is started with every load; a load that fails must throw as before, not wait for it.
        assertTrue(errors(HEAD + "resources:\n  - {type: test.thing, name: x, dependsOn: [test.thing.y]}\n").get(0)
                .summary().contains("which the stack does not declare"));
    }

    @Test
    void aMissingDependencyIsNeverSuggestedAsTheResourceItself() throws IOException {
        // test.thing.x is one letter from test.thing.y, but x cannot depend on itself: suggesting it misleads.
        Diagnostic alone = errors(HEAD + "resources:\n  - {type: test.thing, name: x, dependsOn: [test.thing.y]}\n").get(0);
        assertEquals("the stack declares no other resource; remove this entry", alone.detail());
        Diagnostic two = errors(HEAD + "resources:\n  - {type: test.thing, name: x, dependsOn: [test.thing.y]}\n"
                + "  - {type: test.thing, name: zz}\n").get(0);
        assertEquals("did you mean `test.thing.zz`?", two.detail());
    }

    @Test
    void aDependencyOnAnEntryLeftOutForItsErrorIsNotCalledUndeclaredByNothing() throws IOException {
        // `typ:` for `type:` leaves the entry out; "the stack declares no other resource; remove this entry" was
        // then untrue and the wrong fix: the entry is written, and fixing its own error fixes this one too.
        List<Diagnostic> all = errors(HEAD + "resources:\n  - {typ: test.thing, name: y}\n"
                + "  - {type: test.thing, name: x, dependsOn: [test.thing.y]}\n");
        Diagnostic dep = all.stream().filter(d -> d.summary().contains("depends on")).findFirst().orElseThrow();
        assertEquals("1 resource entry with an error above is left out and may be the one it names: fix that error first",
                dep.detail());
        Diagnostic withOthers = errors(HEAD + "resources:\n  - {type: test.thng, name: y}\n  - {type: test.thing, name: z}\n"
                + "  - {type: test.thing, name: x, dependsOn: [test.thing.y]}\n").stream()
                .filter(d -> d.summary().contains("depends on")).findFirst().orElseThrow();
        assertEquals("1 resource entry with an error above is left out and may be the one it names: fix that error first;"
                + " otherwise, did you mean `test.thing.z`?", withOthers.detail());
    }

    @Test
    void aKubernetesManifestIsNamedAsOneNotReadAsABrokenStack() throws IOException {
        // examples/drift-cronjob.yaml: several documents, the first a ServiceAccount.
        List<Diagnostic> many = errors("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: drift, namespace: ops}\n"
                + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
        assertEquals(1, many.size(), many.toString());
        assertEquals("this is a Kubernetes manifest (ServiceAccount ops/drift, apiVersion v1), not a meshform stack",
                many.get(0).summary());
        assertTrue(many.get(0).detail().startsWith("a stack starts with `apiVersion: meshform.io/v1alpha1`"), many.get(0).detail());
        assertTrue(many.get(0).detail().endsWith("declare each in a stack as a `kubernetes.manifest` resource (inline"
                + " `manifest:`, or `file:` naming a file of one object), or apply stack.yaml with kubectl"), many.get(0).detail());
        assertEquals(2, many.get(0).range().line());
        assertEquals(1, many.get(0).range().column());
        // One document: the same words, not "unsupported apiVersion" and "unsupported kind".
        List<Diagnostic> one = errors("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n");
        assertEquals(1, one.size(), one.toString());
        assertEquals("this is a Kubernetes manifest (Deployment web, apiVersion apps/v1), not a meshform stack",
                one.get(0).summary());
        // A stack with a mistyped apiVersion is still a stack with a wrong apiVersion.
        assertTrue(errors("apiVersion: v1\nkind: Stack\nmetadata: {name: x}\n").get(0).summary()
                .contains("unsupported apiVersion"));
    }

    @Test
    void wrongApiVersionAndMissingKindAreReported() throws IOException {
        List<Diagnostic> errors = errors("apiVersion: v1\nmetadata: {name: x}\n");
        assertEquals(2, errors.size());
        assertTrue(errors.get(0).summary().contains("unsupported apiVersion"));
        assertTrue(errors.get(1).summary().contains("missing required field `kind`"));
    }
}

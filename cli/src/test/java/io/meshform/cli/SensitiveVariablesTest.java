package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@code sensitive: true} variable makes every place that takes its value sensitive, in a field no type marks
 * (here {@code user} and {@code note} of the fake type): the value is masked on both sides of every plan and drift,
 * the old value the cluster still holds included, and never reaches saved plans, JSON, state or errors.
 */
class SensitiveVariablesTest {
    static final String OLD = "old-Token-4711-abc";
    static final String NEW = "new-Token-0815-xyz";

    @TempDir
    Path dir;
    Path stack;
    Path cluster;

    record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        stack = dir.resolve("meshform.yaml");
        cluster = dir.resolve("c" + FileCluster.SUFFIX);
        writeStack("""
                  - type: fake.thing
                    name: db
                    spec: {user: "${var.token}", note: "token is ${var.token}", plain: visible}
                """);
    }

    private void writeStack(String resources) throws IOException {
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                variables:
                  token: {type: string, sensitive: true}
                resources:
                """ + resources);
    }

    private Result run(String token, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        if (!args[0].equals("show")) {
            all.addAll(List.of("-f", stack.toString(), "--kubeconfig", cluster.toString(), "--var", "token=" + token));
        }
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertNoToken(String where, String text) {
        for (String token : List.of(OLD, NEW)) {
            assertFalse(text.contains(token), where + " shows a token:\n" + text);
            assertFalse(text.contains(Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))),
                    where + " shows a token in base64:\n" + text);
        }
    }

    private void assertNoTokenInFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> !f.equals(stack) && !f.equals(cluster) && Files.isRegularFile(f)).toList()) {
                assertNoToken(f.getFileName().toString(), Files.readString(f));
            }
        }
    }

    @Test
    void aSensitiveVariableIsMaskedWhereverItLandsAndItsOldLiveValueToo() throws IOException {
        Result first = run(OLD, "plan");
        assertEquals(0, first.code(), first.all());
        assertTrue(first.out().contains("user: (sensitive)") && first.out().contains("plain: visible"), first.out());
        assertNoToken("first plan", first.all());
        assertEquals(0, run(OLD, "apply", "--auto-approve").code());
        assertNoTokenInFiles();  // the state holds digests

        // The variable changes: the cluster still holds the old value, which no redactor knows any more.
        for (List<String> args : List.of(List.of("plan"), List.of("plan", "--json"), List.of("plan", "--markdown"),
                List.of("plan", "--log-level", "debug"))) {
            Result plan = run(NEW, args.toArray(String[]::new));
            assertEquals(0, plan.code(), plan.all());
            assertNoToken(String.join(" ", args), plan.all());
        }
        Result plan = run(NEW, "plan");
        assertTrue(plan.out().contains("-user: (sensitive)") && plan.out().contains("+user: (sensitive value changed)"),
                plan.out());
        Path saved = dir.resolve("saved.plan");
        assertEquals(0, run(NEW, "plan", "--out", saved.toString()).code());
        assertNoToken("show", run(NEW, "show", saved.toString()).all());
        assertNoToken("show --json", run(NEW, "show", "--json", saved.toString()).all());
        Result apply = run(NEW, "apply", saved.toString());
        assertEquals(0, apply.code(), apply.all());
        assertNoToken("apply", apply.all());

        // Changed by hand: drift masks both the applied and the live value.
        ObjectNode objects = FileCluster.load(cluster);
        ((ObjectNode) objects.get("fake.thing.db").get("spec")).put("user", OLD);
        FileCluster.save(cluster, objects);
        for (String format : List.of("text", "json", "markdown", "junit")) {
            Result drift = run(NEW, "drift", "--format", format, "--output", dir.resolve("drift." + format).toString());
            assertEquals(2, drift.code(), format + ": " + drift.all());
            assertNoToken("drift " + format, drift.all());
        }
        assertTrue(Files.readString(dir.resolve("drift.text")).contains("(sensitive value changed)"),
                Files.readString(dir.resolve("drift.text")));
        assertNoTokenInFiles();
    }

    @Test
    void aResourceNoLongerDeclaredKeepsItsSensitivePlacesMaskedOnDelete() throws IOException {
        assertEquals(0, run(OLD, "apply", "--auto-approve").code());
        writeStack("""
                  - type: fake.thing
                    name: other
                    spec: {user: "${var.token}"}
                """);
        Result plan = run(NEW, "plan");
        assertEquals(0, plan.code(), plan.all());
        assertTrue(plan.out().contains("fake.thing.db"), plan.out());
        assertNoToken("plan of a delete", plan.all());
    }

    @Test
    void anErrorAboutASensitiveValueDoesNotQuoteIt() throws IOException {
        writeStack("""
                  - type: fake.thing
                    name: db
                    spec: {mode: "${var.token}"}
                """);
        Result validate = run(NEW, "validate");
        assertEquals(1, validate.code(), validate.all());
        assertTrue(validate.all().contains("mode must be STRICT or PERMISSIVE"), validate.all());
        assertNoToken("validate", validate.all());
    }

    /** A value the stack's author chose and the plan masks would be applied unreviewed: it must come from the runner. */
    @Test
    void aSensitiveVariableTakesNoDefaultFromTheStack() throws IOException {
        Files.writeString(stack, Files.readString(stack).replace("sensitive: true", "sensitive: true, default: chosen-by-author"));
        Result validate = run(NEW, "validate");
        assertEquals(1, validate.code(), validate.all());
        assertTrue(validate.all().contains("meshform.yaml:5:42: error: sensitive variable `token` has a default"), validate.all());
        assertTrue(validate.all().contains("1 error."), validate.all());
        assertFalse(validate.all().contains("chosen-by-author"), validate.all());
    }

    private Result runWithEnv(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", stack.toString(), "--kubeconfig", cluster.toString()));
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), env, false),
                all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * The runner decides what is secret, not the stack: a pull request that drops {@code sensitive: true} (or names a
     * new variable after a CI secret) must not make the plan print the CI's MESHFORM_VAR_ value. The runner may say
     * a value is no secret (MESHFORM_NONSENSITIVE_VARS); a --var keeps the declaration's sensitivity.
     */
    @Test
    void anEnvironmentValueIsSensitiveWhateverTheStackDeclares() throws IOException {
        Files.writeString(stack, Files.readString(stack).replace("token: {type: string, sensitive: true}", "token: {type: string}"));
        Result optedOut = runWithEnv(Map.of("MESHFORM_VAR_token", NEW, "MESHFORM_NONSENSITIVE_VARS", "other, token"), "plan");
        assertEquals(0, optedOut.code(), optedOut.all());
        assertTrue(optedOut.out().contains(NEW), optedOut.out());
        Result flag = run(NEW, "plan");
        assertEquals(0, flag.code(), flag.all());
        assertTrue(flag.out().contains(NEW), "a --var keeps the declaration's sensitivity:\n" + flag.out());

        Result plan = runWithEnv(Map.of("MESHFORM_VAR_token", OLD), "plan");
        assertEquals(0, plan.code(), plan.all());
        assertTrue(plan.out().contains("user: (sensitive)"), plan.out());
        assertNoToken("plan of an environment value", plan.all());
        Result json = runWithEnv(Map.of("MESHFORM_VAR_token", OLD), "plan", "--json");
        assertNoToken("plan --json of an environment value", json.all());
        assertEquals(0, runWithEnv(Map.of("MESHFORM_VAR_token", OLD), "apply", "--auto-approve").code());
        assertNoTokenInFiles();  // the state holds a digest
    }

    @Test
    void anErrorQuotingAnEnvironmentValueDoesNotShowIt() throws IOException {
        writeStack("""
                  - type: fake.thing
                    name: db
                    spec: {mode: "${var.token}"}
                """);
        Files.writeString(stack, Files.readString(stack).replace("token: {type: string, sensitive: true}", "token: {type: string}"));
        Result validate = runWithEnv(Map.of("MESHFORM_VAR_token", NEW), "validate");
        assertEquals(1, validate.code(), validate.all());
        assertTrue(validate.all().contains("mode must be STRICT or PERMISSIVE"), validate.all());
        assertNoToken("validate", validate.all());
    }

    @Test
    void sensitiveMustBeABool() throws IOException {
        Files.writeString(stack, Files.readString(stack).replace("sensitive: true", "sensitive: yes please"));
        Result validate = run(NEW, "validate");
        assertEquals(1, validate.code(), validate.all());
        assertTrue(validate.all().contains("`sensitive` of variable `token` is not a bool"), validate.all());
    }
}

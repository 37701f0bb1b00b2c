package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What meshform reports can be trusted: sensitive values never leave in clear, a stack reads only inside its root,
 * nothing is taken over silently, "no drift" means the cluster answered, and validate refuses what it can. Tried as a
 * user or an attacker would, through the command line, on the file-backed fake cluster ({@link FileCluster}).
 */
class TrustTest {
    static final String PASSWORD = "Hunter2-very-secret-pw";
    static final String KEY = "jwks-key-material-42";

    @TempDir
    Path dir;
    /** A directory outside the stack's root, removed after each test like {@code dir}. */
    @TempDir
    Path elsewhere;
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
        writeStack(PASSWORD);
    }

    /** A resource with a sensitive value, and 25 list entries with sensitive keys (patterns, not the first 20). */
    private void writeStack(String password) throws IOException {
        StringBuilder keys = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            keys.append(i == 0 ? "" : ", ").append("{id: k").append(i).append(", value: ").append(KEY).append("-").append(i).append("}");
        }
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - type: fake.thing
                    name: db
                    spec: {user: cortex, password: "%s", keys: [%s]}
                """.formatted(password, keys));
    }

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        if (!List.of("show", "version").contains(args[0]) && !all.contains("-f")) {
            all.addAll(List.of("-f", stack.toString()));
        }
        if (!List.of("show", "version").contains(args[0]) && !all.contains("--kubeconfig")) {
            all.addAll(List.of("--kubeconfig", cluster.toString()));
        }
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]), Map.of(), false), all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertNoSecret(String where, String text) {
        assertFalse(text.contains(PASSWORD), where + " shows the password:\n" + text);
        assertFalse(text.contains(KEY), where + " shows key material:\n" + text);
        String b64 = java.util.Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8));
        assertFalse(text.contains(b64), where + " shows the password in base64");
    }

    private void assertNoSecretInFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> !f.equals(stack) && !f.equals(cluster)).toList()) {
                assertNoSecret(f.getFileName().toString(), Files.readString(f));
            }
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void sensitiveValuesLeaveNoOutputInClear() throws IOException {
        assertNoSecret("plan", run("plan").all());
        assertEquals(0, run("apply", "--auto-approve").code());
        Files.writeString(stack, Files.readString(stack).replace("user: cortex", "user: fabric"));
        assertNoSecret("plan --json", run("plan", "--json").all());
        assertNoSecret("plan --markdown", run("plan", "--markdown").all());
        assertNoSecret("plan --log-level debug", run("plan", "--log-level", "debug").all());
        Path planFile = dir.resolve("saved.plan");
        Result saved = run("plan", "--out", planFile.toString());
        assertEquals(0, saved.code(), saved.all());
        assertNoSecret("show", run("show", planFile.toString()).all());
        assertNoSecret("show --json", run("show", "--json", planFile.toString()).all());
        assertNoSecret("show --markdown", run("show", "--markdown", planFile.toString()).all());
        Result apply = run("apply", planFile.toString());
        assertEquals(0, apply.code(), apply.all());
        assertNoSecret("apply", apply.all());
        assertNoSecret("state show", run("state", "show", "fake.thing.db").all());
        assertNoSecret("state pull", run("state", "pull").all());

        // Someone changes the password in the cluster: drift sees it, by digest, and shows no value.
        ObjectNode objects = FileCluster.load(cluster);
        ((ObjectNode) objects.get("fake.thing.db").get("spec")).put("password", "changed-by-kubectl-pw");
        FileCluster.save(cluster, objects);
        for (String format : List.of("text", "json", "markdown", "junit")) {
            Result drift = run("drift", "--format", format, "--output", dir.resolve("drift." + format).toString());
            assertEquals(2, drift.code(), format + ": " + drift.all());
            String report = Files.readString(dir.resolve("drift." + format));
            assertFalse(report.contains("changed-by-kubectl-pw"), report);
            assertNoSecret("drift " + format, report);
        }
        assertTrue(Files.readString(dir.resolve("drift.text")).contains("+password: (sensitive value changed)"),
                Files.readString(dir.resolve("drift.text")));
        assertNoSecretInFiles();
    }

    @Test
    void aChangedSensitiveValueIsAChangeThatShowsNoValue() throws IOException {
        run("apply", "--auto-approve");
        writeStack("Another-secret-pw-99");
        Result plan = run("plan", "--detailed-exitcode");
        assertEquals(2, plan.code(), plan.all());
        assertTrue(plan.out().contains("-password: (sensitive)") && plan.out().contains("+password: (sensitive value changed)"),
                plan.out());
        assertFalse(plan.all().contains("Another-secret-pw-99"), plan.all());
    }

    @Test
    void anErrorThatEchoesTheObjectIsRedacted() throws IOException {
        Files.writeString(stack, Files.readString(stack).replace("user: cortex", "user: cortex, refuse: true"));
        for (String level : List.of("info", "debug")) {
            Result apply = run("apply", "--auto-approve", "--log-level", level);
            assertEquals(1, apply.code());
            assertTrue(apply.err().contains("the server refused"), apply.err());
            assertNoSecret("apply error at " + level, apply.all());
        }
    }

    @Test
    void savedPlansAndDriftReportsAreOwnerOnlyEvenOverAnOlderReadableFile() throws IOException {
        Path planFile = dir.resolve("saved.plan");
        Files.writeString(planFile, "old");
        Files.setPosixFilePermissions(planFile, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(0, run("plan", "--out", planFile.toString()).code());
        assertEquals("rw-------", mode(planFile));
        run("apply", "--auto-approve");
        Path report = dir.resolve("drift.xml");
        assertEquals(0, run("drift", "--format", "junit", "--output", report.toString()).code());
        assertEquals("rw-------", mode(report));
        assertEquals("rw-------", mode(dir.resolve("meshform.state.json")));
        assertEquals("rw-------", mode(dir.resolve("meshform.state.json.backup")));
    }

    @Test
    void aStackReadsOnlyInsideItsRoot() throws IOException {
        Files.writeString(stack, "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: demo}\nimports: [/etc/passwd]\n");
        Result outside = run("validate");
        assertEquals(1, outside.code());
        assertTrue(outside.err().contains("import `/etc/passwd` is outside the stack's root directory"), outside.err());
        assertTrue(outside.err().contains("--allow-outside-root"), outside.err());
        Result allowed = run("validate", "--allow-outside-root");
        assertEquals(1, allowed.code(), "read, and refused as no stack");
        assertFalse(allowed.all().contains("root:x:0"), "never the file's content: " + allowed.all());

        // A symbolic link inside the root that points out of it is outside.
        Path secrets = elsewhere;
        Files.writeString(secrets.resolve("token.yaml"), "token: \"ghp_1234567890abcdefSECRET\"\n");
        Files.createSymbolicLink(dir.resolve("link.yaml"), secrets.resolve("token.yaml"));
        Files.writeString(stack, "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: demo}\nimports: [link.yaml]\n");
        Result link = run("validate");
        assertEquals(1, link.code());
        assertTrue(link.err().contains("outside the stack's root"), link.err());

        // --var-file is confined the same way; --root widens the root.
        Files.writeString(stack, "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: demo}\n"
                + "variables: {token: {type: string}}\nresources:\n  - {type: fake.thing, name: a, spec: {value: \"${var.token}\"}}\n");
        Result varFile = run("validate", "--var-file", secrets.resolve("token.yaml").toString());
        assertEquals(1, varFile.code());
        assertTrue(varFile.err().contains("--var-file `" + secrets.resolve("token.yaml") + "` is outside"), varFile.err());
        assertEquals(0, run("validate", "--var-file", secrets.resolve("token.yaml").toString(), "--root", "/").code());
    }

    /**
     * Audit A, M1: a dangling link in the stack's directory (its target not yet created) used to be judged where it
     * lies, so a stack made the run write state, lock and backup files outside the root, and `plan` emptied any
     * existing {@code X.lock} beside the link's target.
     */
    @Test
    void aDanglingLinkCannotMakeTheRunWriteOutsideTheRoot() throws IOException {
        String head = "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: dl, environment: development}\n"
                + "resources:\n  - {type: fake.thing, name: a, spec: {user: x}}\n";
        Files.createSymbolicLink(dir.resolve("st.json"), elsewhere.resolve("pwn.json"));
        Files.writeString(stack, head + "backend:\n  local:\n    path: st.json\n");
        Result validate = run("validate");
        assertEquals(1, validate.code(), validate.all());
        assertTrue(validate.err().contains("backend path `st.json` is outside the stack's root directory"), validate.err());
        assertTrue(validate.err().contains("meshform.yaml:8:"), "file, line and column: " + validate.err());
        assertEquals(1, run("plan").code());
        assertEquals(1, run("apply", "--auto-approve").code());
        assertEquals(List.of(), listing(elsewhere), "nothing written outside the root");

        // An existing X.lock beside the target is never emptied, by the stack's path or by the default one.
        Path gemfileLock = Files.writeString(elsewhere.resolve("Gemfile.lock"), "precious content\n");
        Files.createSymbolicLink(dir.resolve("st2.json"), elsewhere.resolve("Gemfile"));
        Files.writeString(stack, head + "backend:\n  local:\n    path: st2.json\n");
        Result plan = run("plan");
        assertEquals(1, plan.code(), plan.all());
        assertTrue(plan.err().contains("outside the stack's root"), plan.err());
        Files.writeString(stack, head);
        Files.createSymbolicLink(dir.resolve("meshform.state.json"), elsewhere.resolve("Gemfile"));
        Result byDefault = run("plan");
        assertEquals(1, byDefault.code(), byDefault.all());
        assertTrue(byDefault.err().contains("leads outside the stack's root directory"), byDefault.err());
        assertEquals("precious content\n", Files.readString(gemfileLock));
        assertEquals(List.of("Gemfile.lock"), listing(elsewhere));

        // The runner's --state is its own choice: written through the link, beside the target, as before.
        Files.delete(gemfileLock);
        Path mine = dir.resolve("mine.json");
        Files.createSymbolicLink(mine, elsewhere.resolve("state.json"));
        Result apply = run("apply", "--auto-approve", "--state", mine.toString());
        assertEquals(0, apply.code(), apply.all());
        assertTrue(Files.isRegularFile(elsewhere.resolve("state.json")));
    }

    private static List<String> listing(Path d) throws IOException {
        try (Stream<Path> files = Files.list(d)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aParseErrorNeverEchoesTheFileBeyondTheOffendingLineShortened() throws IOException {
        String secret = "ghp_" + "A1b2C3d4".repeat(12);
        Files.writeString(dir.resolve("creds.yaml"), "token: " + secret + " [\nother: " + secret + "\n");
        Files.writeString(stack, "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: demo}\nimports: [creds.yaml]\n");
        Result r = run("validate");
        assertEquals(1, r.code());
        assertFalse(r.all().contains(secret), r.all());
        assertTrue(r.err().contains("creds.yaml:"), "names the file and position: " + r.err());
    }

    @Test
    void pipesDevicesAndHugeFilesAreRefusedBeforeReading() throws Exception {
        Path fifo = dir.resolve("vars.fifo");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        Files.writeString(stack, "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: demo}\n");
        Result pipe = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run("validate", "--var-file", fifo.toString()));
        assertEquals(1, pipe.code());
        assertTrue(pipe.err().contains("not a regular file"), pipe.err());
        Result zero = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run("validate", "-f", "/dev/zero"));
        assertEquals(1, zero.code());
        assertTrue(zero.err().contains("/dev/zero") && zero.err().contains("not a regular file"), zero.err());
        Path huge = dir.resolve("huge.yaml");
        Files.write(huge, new byte[5 << 20]);
        Result big = run("validate", "-f", huge.toString());
        assertEquals(1, big.code());
        assertTrue(big.err().contains("too large"), big.err());
        assertFalse(big.all().contains("OutOfMemoryError") || big.all().contains("at io.meshform"), big.all());
    }

    @Test
    void anObjectMadeByHandIsRefusedUntilImportedAndThenKeptByDestroy() throws IOException {
        ObjectNode objects = new JsonMapper().createObjectNode();
        objects.putObject("fake.thing.db").put("version", "1").putObject("spec").put("user", "cortex");
        FileCluster.save(cluster, objects);
        Result plan = run("plan");
        assertEquals(1, plan.code());
        assertTrue(plan.err().contains("`fake.thing.db`: thing db exists, not managed by meshform"), plan.err());
        assertTrue(plan.err().contains("meshform import fake.thing.db db"), plan.err());
        Result apply = run("apply", "--auto-approve");
        assertEquals(1, apply.code());
        assertFalse(Files.exists(dir.resolve("meshform.state.json")), "nothing recorded");

        Result misspelt = run("import", "fake.thing.dbb", "db");
        assertEquals(1, misspelt.code());
        assertTrue(misspelt.err().contains("meshform.yaml (did you mean `fake.thing.db`?); declare it first"),
                misspelt.err());
        assertEquals(0, run("import", "fake.thing.db", "db").code());
        assertEquals(0, run("apply", "--auto-approve").code());
        Result destroy = run("destroy", "--auto-approve");
        assertEquals(0, destroy.code(), destroy.all());
        assertTrue(destroy.out().contains("it stays in the cluster"), destroy.out());
        // What it prints of a kept object is true: not "destroyed", counted apart.
        assertTrue(destroy.out().contains("# fake.thing.db will no longer be managed by meshform; the object stays in the cluster"),
                destroy.out());
        assertTrue(destroy.out().contains("Plan: 0 to add, 0 to change, 0 to destroy, 1 to forget."), destroy.out());
        assertTrue(destroy.out().contains("0 destroyed, 1 no longer managed (left in the cluster)."), destroy.out());
        assertFalse(destroy.out().contains("will be destroyed"), destroy.out());
        assertTrue(FileCluster.load(cluster).has("fake.thing.db"), "an imported object is kept by destroy");
    }

    @Test
    void aMissingOrMistypedStateFileTakesNothingOver() {
        assertEquals(0, run("apply", "--auto-approve").code());
        Result other = run("plan", "--state", dir.resolve("mistyped.state.json").toString());
        assertEquals(1, other.code());
        assertTrue(other.err().contains("exists, not managed by meshform") && other.err().contains("mark of another state"),
                other.err());
    }

    @Test
    void driftWithoutStateOrClusterIsAnErrorNeverAnEmptySuccess() throws IOException {
        Path nowhere = dir.resolve("nonexistent/dir/state.json");
        Result noState = run("drift", "--state", nowhere.toString(), "--format", "junit");
        assertEquals(1, noState.code());
        assertTrue(noState.out().contains("tests=\"1\" failures=\"0\" errors=\"1\""), noState.out());
        assertTrue(noState.err().contains("no state to check drift against"), noState.err());

        Result allowed = run("drift", "--state", nowhere.toString(), "--format", "junit", "--allow-empty-state");
        assertEquals(0, allowed.code(), allowed.out() + allowed.err());
        assertFalse(allowed.out().contains("tests=\"0\""), allowed.out());

        FileCluster.save(cluster, (ObjectNode) new JsonMapper().readTree("{\"unreachable\": true}"));
        Path report = dir.resolve("drift.xml");
        Files.writeString(report, "<testsuite tests=\"3\" failures=\"0\"/>");
        Result down = run("drift", "--state", nowhere.toString(), "--allow-empty-state", "--format", "junit",
                "--output", report.toString());
        assertEquals(1, down.code());
        assertTrue(Files.readString(report).contains("errors=\"1\"") && Files.readString(report).contains("no answer"),
                "an older success is replaced by the error: " + Files.readString(report));
        Result destroy = run("destroy", "--auto-approve", "--state", nowhere.toString());
        assertEquals(1, destroy.code(), "destroy says nothing about a cluster it did not reach: " + destroy.all());
        Files.writeString(stack, "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: demo}\n");
        assertEquals(1, run("plan", "--detailed-exitcode").code(), "No changes must mean the cluster answered");
        Result validate = run("validate");
        assertEquals(0, validate.code(), "validate needs no cluster: " + validate.all());
    }

    @Test
    void validateFindsACycleAtItsLineAndSpeaksJson() throws IOException {
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - {type: fake.thing, name: a, dependsOn: [fake.thing.b], spec: {}}
                  - {type: fake.thing, name: b, dependsOn: [fake.thing.a], spec: {}}
                """);
        Result text = run("validate");
        assertEquals(1, text.code());
        assertTrue(text.err().contains("meshform.yaml:6:45: error: dependency cycle: fake.thing.a -> fake.thing.b -> fake.thing.a"),
                text.err());
        Result json = run("validate", "--json");
        assertEquals(1, json.code());
        JsonNode j = new JsonMapper().readTree(json.out());
        assertFalse(j.get("valid").asBoolean());
        assertEquals(6, j.at("/diagnostics/0/range/start/line").asInt(), json.out());
        assertEquals("", json.err(), "JSON mode prints only JSON");
    }

    /** What validate can refuse about a manifest without a cluster, whether it is written inline or in a file. */
    @Test
    void validateReadsManifestFilesAndChecksWhatTheirKindAllows() throws IOException {
        String header = "apiVersion: meshform.io/v1alpha1\nkind: Stack\nmetadata: {name: demo}\nresources:\n";
        Files.writeString(dir.resolve("alias.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: &n app}\ndata: {name: *n}\n");
        Files.writeString(stack, header + "  - {type: kubernetes.manifest, name: a, spec: {file: alias.yaml}}\n");
        Result alias = run("validate");
        assertEquals(1, alias.code());
        assertTrue(alias.err().contains("alias.yaml:4:") && alias.err().contains("YAML aliases"), alias.err());

        Files.writeString(dir.resolve("typo.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspce: {}\n");
        Files.writeString(stack, header + "  - {type: kubernetes.manifest, name: a, spec: {file: typo.yaml}}\n");
        Result field = run("validate");
        assertEquals(1, field.code());
        assertTrue(field.err().contains("typo.yaml:4:1") && field.err().contains("unknown field `spce` in a Deployment")
                && field.err().contains("did you mean `spec`"), field.err());

        Files.writeString(stack, header + """
                  - type: kubernetes.manifest
                    name: kind
                    spec: {manifest: {apiVersion: apps/v1, kind: Deploymnet, metadata: {name: web}}}
                  - type: kubernetes.manifest
                    name: nameless
                    spec: {manifest: {apiVersion: v1, kind: ConfigMap, metadata: {labels: {a: b}}}}
                  - type: kubernetes.manifest
                    name: istio
                    spec: {manifest: {apiVersion: security.istio.io/v1, kind: PeerAuthentication,
                                      metadata: {name: p, namespace: n}, spec: {mtls: {mode: STRCT}}}}
                  - type: kubernetes.manifest
                    name: scoped
                    spec: {manifest: {apiVersion: v1, kind: Namespace, metadata: {name: x, namespace: y}}}
                  - type: kubernetes.manifest
                    name: widget
                    spec: {manifest: {apiVersion: example.com/v1, kind: Widget, metadata: {name: w}}}
                """);
        Result bad = run("validate");
        assertEquals(1, bad.code());
        // The PeerAuthentication's bad mode is Istio's own validation's to refuse (istioctl validate, proven in
        // IstioValidationTest); here the loader's errors come first.
        for (String expected : List.of("`apps/v1` serves no kind `Deploymnet`", "kubernetes.manifest.nameless: spec.manifest.metadata.name:"
                + " missing required field `name`", "Namespace is cluster-scoped")) {
            assertTrue(bad.err().contains(expected), expected + " in:\n" + bad.err());
        }
        Files.writeString(stack, header + """
                  - type: kubernetes.manifest
                    name: widget
                    spec: {manifest: {apiVersion: example.com/v1, kind: Widget, metadata: {name: w}}}
                """);
        Result undeclared = run("validate");
        assertEquals(1, undeclared.code());
        assertTrue(undeclared.err().contains("unknown kind `Widget` of `example.com/v1`"), undeclared.err());
        Files.writeString(stack, Files.readString(stack) + """
                  - type: kubernetes.manifest
                    name: widgets
                    spec:
                      manifest:
                        apiVersion: apiextensions.k8s.io/v1
                        kind: CustomResourceDefinition
                        metadata: {name: widgets.example.com}
                        spec:
                          group: example.com
                          names: {kind: Widget, plural: widgets}
                          scope: Cluster
                          versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
                """);
        Result declared = run("validate");
        assertEquals(0, declared.code(), "a kind the stack's own CRD declares: " + declared.err());
    }
}

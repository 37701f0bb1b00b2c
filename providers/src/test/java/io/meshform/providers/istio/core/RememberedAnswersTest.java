package io.meshform.providers.istio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * istioctl validate's whole answer (exit code, stdout, stderr) is remembered only under a key that holds everything
 * it reads, replayed exactly as a fresh run prints it, and never taken from a file meshform did not write.
 */
class RememberedAnswersTest {
    @TempDir
    Path dir;

    private Path script(String body) throws Exception {
        Path bin = dir.resolve("istioctl");
        Files.writeString(bin, "#!/bin/sh\necho run >> " + dir.resolve("runs") + "\n" + body);
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwx------"));
        return bin;
    }

    private int runs() throws Exception {
        return Files.exists(dir.resolve("runs")) ? Files.readAllLines(dir.resolve("runs")).size() : 0;
    }

    /** A fresh input file of the same content in another private directory, as ObjectFiles writes one per run. */
    private Path input(String name, String content) throws Exception {
        Path d = Files.createTempDirectory(dir, "meshform-istio-");
        return Files.writeString(d.resolve(name), content);
    }

    private Istioctl istioctl(Path bin) {
        return new Istioctl(bin.toString(), "test", null, null, new OfflineOutputs(dir.resolve("cache"), Map.of()));
    }

    private static List<String> validate(Path file) {
        return List.of("validate", "-f", file.toString());
    }

    @Test
    void warningsOnStderrAreReplayedWithThisRunsFileName() throws Exception {
        // What istioctl validate prints for a warning (validate.go: "%q has warnings: %v" to stderr, exit 0).
        Istioctl ic = istioctl(script("printf '\"%s\" has warnings: \\n\\t* Sidecar//sc: duplicated egress host: ./a.com 100%%\\n\\n' \"$3\" >&2\n"));
        Path first = input("objects.yaml", "kind: Sidecar\n");
        Istioctl.Result fresh = ic.runRemembered(validate(first), List.of(first), Duration.ofSeconds(30));
        assertEquals(List.of("\"" + first + "\" has warnings: ", "\t* Sidecar//sc: duplicated egress host: ./a.com 100%", ""), fresh.stderr());

        Path second = input("objects.yaml", "kind: Sidecar\n");
        Istioctl.Result replayed = ic.runRemembered(validate(second), List.of(second), Duration.ofSeconds(30));
        assertEquals(1, runs(), "the second run was answered from the cache");
        assertEquals(new Istioctl.Result(0, List.of(), List.of("\"" + second + "\" has warnings: ",
                "\t* Sidecar//sc: duplicated egress host: ./a.com 100%", "")), replayed, "as a fresh run on the second file prints it");
    }

    @Test
    void refusalsAreReplayedOtherFailuresRunAgain() throws Exception {
        Path bin = script("""
                case "$(cat "$3")" in
                  bad) printf 'Error: 1 error occurred:\\n\\t* VirtualService/n1/vs: http, tcp or tls must be provided in virtual service\\n\\n\\n' >&2; exit 1;;
                  panic) echo 'panic: boom' >&2; exit 2;;
                  unreadable) echo "Error: 1 error occurred:" >&2; printf '\\t* cannot read file "%s": too many open files\\n' "$3" >&2; exit 1;;
                esac
                echo ok
                """);
        Istioctl ic = istioctl(bin);
        Path bad = input("objects.yaml", "bad");
        Istioctl.Result fresh = ic.runRemembered(validate(bad), List.of(bad), Duration.ofSeconds(30));
        assertEquals(1, fresh.exit());
        Istioctl.Result replayed = ic.runRemembered(validate(bad), List.of(bad), Duration.ofSeconds(30));
        assertEquals(fresh, replayed, "istioctl's refusal, exit code and all");
        assertEquals(1, runs());

        for (String other : List.of("panic", "unreadable")) {
            Path f = input("objects.yaml", other);
            int before = runs();
            ic.runRemembered(validate(f), List.of(f), Duration.ofSeconds(30));
            ic.runRemembered(validate(f), List.of(f), Duration.ofSeconds(30));
            assertEquals(before + 2, runs(), other + " is not an answer about the objects: never remembered");
        }
        // runOffline's callers (version, manifest generate) still get stdout of successes only, under their own keys.
        Path ok = input("objects.yaml", "fine");
        assertEquals(List.of("ok"), ic.runOffline(validate(ok), List.of(ok), Duration.ofSeconds(30)).stdout());
        assertEquals(List.of("ok"), ic.runRemembered(validate(ok), List.of(ok), Duration.ofSeconds(30)).stdout());
        assertEquals(new Istioctl.Result(0, List.of("ok"), List.of()), ic.runRemembered(validate(ok), List.of(ok), Duration.ofSeconds(30)));
    }

    /**
     * An answer about objects that hold a sensitive value quotes it ("bad port (...)"): it is neither kept in the
     * cache, where it would stay in clear, nor taken from it (audit A, M2).
     */
    @Test
    void answersAboutSensitiveObjectsAreNeverKept() throws Exception {
        Path bin = script("printf 'Error: 1 error occurred:\\n\\t* AuthorizationPolicy/n/p: bad port (Pa\"ss)\\n' >&2; exit 1\n");
        Istioctl ic = istioctl(bin);
        for (int i = 0; i < 2; i++) {
            Path f = input("objects.yaml", "kind: AuthorizationPolicy\n");
            Istioctl.Result r = ic.runRemembered(validate(f), List.of(f), Duration.ofSeconds(30), true);
            assertEquals(1, r.exit());
            assertTrue(r.stderr().toString().contains("bad port (Pa\"ss)"), r.stderr().toString());
        }
        assertEquals(2, runs(), "each run asked istioctl");
        Path cache = dir.resolve("cache");
        try (var files = Files.exists(cache) ? Files.walk(cache) : java.util.stream.Stream.<Path>empty()) {
            List<Path> kept = files.filter(Files::isRegularFile).toList();
            assertEquals(List.of(), kept, "nothing was written to the cache");
        }
    }

    /** Each thing istioctl validate reads, changed alone, changes the key (OfflineOutputs#answerKey cites each). */
    @Test
    void everythingValidateReadsIsInTheKey() throws Exception {
        Path bin = script("echo ok\n");
        Path home = Files.createDirectories(dir.resolve("home"));
        Path file = input("objects.yaml", "kind: VirtualService\n");
        Path kc = Files.writeString(dir.resolve("kc"), "contexts: [{name: x, context: {namespace: a}}]\ncurrent-context: x\n");
        Map<String, String> base = new HashMap<>(Map.of("HOME", home.toString(), "PATH", "/usr/bin"));
        Optional<String> baseKey = new OfflineOutputs(dir.resolve("cache"), base).answerKey(bin.toString(), validate(file), List.of(file));
        assertTrue(baseKey.isPresent());
        assertNotEquals(new OfflineOutputs(dir.resolve("cache"), base).key(bin.toString(), validate(file), List.of(file)), baseKey,
                "a whole answer never shares a key with runOffline's stdout");

        Map<String, Consumer<Map<String, String>>> envChanges = Map.of(
                "KUBECONFIG set (its context's namespace is the default one)", e -> e.put("KUBECONFIG", kc.toString()),
                "an Istio feature flag (env.Register)", e -> e.put("RESOLVE_HOSTNAME_GATEWAYS", "false"),
                "ISTIOCTL_ISTIONAMESPACE", e -> e.put("ISTIOCTL_ISTIONAMESPACE", "other"),
                "another HOME", e -> e.put("HOME", dir.toString()));
        for (var c : envChanges.entrySet()) {
            Map<String, String> env = new HashMap<>(base);
            c.getValue().accept(env);
            assertNotEquals(baseKey, new OfflineOutputs(dir.resolve("cache"), env).answerKey(bin.toString(), validate(file), List.of(file)), c.getKey());
        }
        Map<String, String> shell = new HashMap<>(base);
        shell.putAll(Map.of("_", "/usr/bin/env", "OLDPWD", "/", "SHLVL", "3"));
        assertEquals(baseKey, new OfflineOutputs(dir.resolve("cache"), shell).answerKey(bin.toString(), validate(file), List.of(file)),
                "what a shell sets by itself does not change the answer");

        Map<String, Runnable> fileChanges = new java.util.LinkedHashMap<>();
        fileChanges.put("$HOME/.kube/config written", () -> write(home.resolve(".kube/config"), "current-context: x\n"));
        fileChanges.put("$HOME/.kube/config's context namespace changed", () -> write(home.resolve(".kube/config"), "current-context: y\n"));
        fileChanges.put("$HOME/.istioctl/config.yaml written", () -> write(home.resolve(".istioctl/config.yaml"), "istioNamespace: x\n"));
        fileChanges.put("the input's content", () -> write(file, "kind: Sidecar\n"));
        fileChanges.put("the binary rewritten", () -> write(bin, "#!/bin/sh\necho other\n"));
        Optional<String> last = baseKey;
        for (var c : fileChanges.entrySet()) {
            c.getValue().run();
            Optional<String> now = new OfflineOutputs(dir.resolve("cache"), base).answerKey(bin.toString(), validate(file), List.of(file));
            assertTrue(now.isPresent());
            assertNotEquals(last, now, c.getKey());
            last = now;
        }
        Map<String, String> withKc = new HashMap<>(base);
        withKc.put("KUBECONFIG", dir.resolve("missing") + ":" + kc);
        Optional<String> k1 = new OfflineOutputs(dir.resolve("cache"), withKc).answerKey(bin.toString(), validate(file), List.of(file));
        write(kc, "contexts: [{name: x, context: {namespace: b}}]\ncurrent-context: x\n");
        assertNotEquals(k1, new OfflineOutputs(dir.resolve("cache"), withKc).answerKey(bin.toString(), validate(file), List.of(file)),
                "each file of $KUBECONFIG is read");
        assertNotEquals(last, new OfflineOutputs(dir.resolve("cache"), base).answerKey(bin.toString(), List.of("validate", "-x=false", "-f", file.toString()), List.of(file)),
                "the arguments");
    }

    @Test
    void aCorruptMovedSharedOrLinkedFileIsNotAnAnswer() throws Exception {
        Istioctl ic = istioctl(script("echo 'Error: 1 error occurred:' >&2; exit 1\n"));
        Path f = input("objects.yaml", "x");
        ic.runRemembered(validate(f), List.of(f), Duration.ofSeconds(30));
        Path cache = dir.resolve("cache");
        Path kept;
        try (var files = Files.list(cache)) {
            kept = files.filter(p -> p.toString().endsWith(".answer")).findFirst().orElseThrow();
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kept)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
        String good = Files.readString(kept);
        // An attacker's edit that turns the refusal into an acceptance, with the file's shape kept.
        List<String> edits = List.of(good.replace("exit 1", "exit 0").replace("stderr 1\nError: 1 error occurred:\n", "stderr 0\n"),
                good.substring(0, good.length() - 5), "garbage", good.replace("stderr 1", "stderr 0"));
        int expectedRuns = runs();
        for (String edit : edits) {
            if (edit.contains("exit 0")) {
                // Well formed and the user's own: the trust boundary is the user's account (see OfflineOutputs).
                continue;
            }
            write(kept, edit);
            assertEquals(1, ic.runRemembered(validate(f), List.of(f), Duration.ofSeconds(30)).exit());
            assertEquals(++expectedRuns, runs(), "a corrupt file is ignored: " + edit);
        }
        // Another key's answer copied under this key's name is not this key's answer.
        Path other = cache.resolve("0".repeat(64) + ".answer");
        Files.copy(kept, other);
        OfflineOutputs outputs = new OfflineOutputs(cache, Map.of());
        assertTrue(outputs.answer("0".repeat(64), List.of(f.toString())).isEmpty(), "the key inside must match the name");

        String key = kept.getFileName().toString().replace(".answer", "");
        assertTrue(outputs.answer(key, List.of(f.toString())).isPresent());
        Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertTrue(outputs.answer(key, List.of(f.toString())).isEmpty(), "a file others may write is ignored");
        Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertTrue(outputs.answer(key, List.of(f.toString())).isEmpty(), "so is any file in a directory others may write");
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwx------"));
        Path elsewhere = Files.writeString(dir.resolve("elsewhere"), Files.readString(kept));
        Files.delete(kept);
        Files.createSymbolicLink(kept, elsewhere);
        assertTrue(outputs.answer(key, List.of(f.toString())).isEmpty(), "a link is not the user's answer");
        Files.delete(kept);
        Files.writeString(kept, Files.readString(elsewhere));
        Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("rw-------"));
        assertTrue(outputs.answer(key, List.of(f.toString())).isPresent());
        var nobody = kept.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        if (!nobody.equals(Files.getOwner(kept))) {
            try {
                Files.setOwner(kept, nobody);
            } catch (java.io.IOException notRoot) {
                return; // only root can give a file away; the mode checks above hold for everyone
            }
            assertTrue(outputs.answer(key, List.of(f.toString())).isEmpty(), "another user's file is ignored");
        }
    }

    @Test
    void pathsThatCannotBePutBackExactlyAreNotRemembered() {
        assertTrue(Istioctl.rememberable(List.of("/tmp/meshform-istio-123/objects.yaml")));
        assertTrue(!Istioctl.rememberable(List.of("/tmp/a b/objects.yaml")), "Go's %q would escape what %s prints as is");
        assertTrue(!Istioctl.rememberable(List.of("/tmp/100%/objects.yaml")));
        assertTrue(!Istioctl.rememberable(List.of("/t/a.yaml", "/t/a.yaml.bak")), "one path inside another");
    }

    private static void write(Path p, String text) {
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theOfflineKeyNamesTheInputsContentNotTheirPath() throws Exception {
        Istioctl ic = istioctl(script("echo rendered\n"));
        Path first = input("iop.yaml", "profile: default\n");
        Path second = input("iop.yaml", "profile: default\n");
        Path other = input("iop.yaml", "profile: minimal\n");
        Optional<String> key = ic.offlineKey(List.of("manifest", "generate", "-f", first.toString()), List.of(first));
        assertTrue(key.isPresent() && key.get().matches("[0-9a-f]{64}"), "a SHA-256: " + key);
        assertEquals(key, ic.offlineKey(List.of("manifest", "generate", "-f", second.toString()), List.of(second)),
                "the same content in another temporary file is the same run");
        assertNotEquals(key, ic.offlineKey(List.of("manifest", "generate", "-f", other.toString()), List.of(other)));
        assertNotEquals(key, ic.offlineKey(List.of("manifest", "generate", "--set", "x=y", "-f", first.toString()), List.of(first)));
        assertEquals(Optional.empty(), ic.offlineKey(List.of("version"), List.of()), "no input file: not a digest key");
        Istioctl uncached = new Istioctl(ic.binary(), "test", null, null, new OfflineOutputs(null, Map.of()));
        assertEquals(Optional.empty(), uncached.offlineKey(List.of("manifest", "generate", "-f", first.toString()), List.of(first)));
    }
}

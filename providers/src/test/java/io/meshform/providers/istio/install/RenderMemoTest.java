package io.meshform.providers.istio.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderMemoTest {
    static final String YAML = """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: istiod, namespace: istio-system, labels: {app: istiod}}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: istiod, namespace: istio-system}
            spec:
              replicas: 1
              template:
                spec:
                  containers:
                  - name: discovery
                    args: ["discovery", "--monitoringAddr=:15014"]
                    resources: {requests: {cpu: 500m, memory: 2048Mi}}
                    env: [{name: PILOT_ENABLE_X, value: "true"}, {name: RATIO, value: "0.5"}]
                    ports: [{containerPort: 8080, protocol: TCP}]
                  terminationGracePeriodSeconds: 30
                  enabled: true
                  weight: 1.5
                  nothing: null
            ---
            # a comment only
            """;

    static List<Path> kept(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("render-")).toList();
        }
    }

    @Test
    void aKeptRenderIsTheSameAsTheParsedOne(@TempDir Path dir) throws Exception {
        RenderDiff.Render parsed = RenderDiff.parseRender(YAML);
        assertEquals(parsed, RenderMemo.parse(YAML, dir));
        assertEquals(1, kept(dir).size(), "kept for the next plan");
        assertEquals(parsed, RenderMemo.parse(YAML, dir), "read back: same objects, same order, same digest");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(kept(dir).get(0))), "readable by the user only, like istioctl's answers");
    }

    @Test
    void theKeptFileAnswersOnlyTheYamlItWasMadeFrom(@TempDir Path dir) throws Exception {
        RenderMemo.parse(YAML, dir);
        Path file = kept(dir).get(0);
        Files.writeString(file, Files.readString(file).replace("sha256:", "sha256:kept-"));
        assertTrue(RenderMemo.parse(YAML, dir).digest().startsWith("sha256:kept-"), "the same YAML is answered from the file");
        String other = YAML.replace("replicas: 1", "replicas: 2");
        RenderDiff.Render render = RenderMemo.parse(other, dir);
        assertEquals(RenderDiff.parseRender(other), render, "another render is parsed, never answered with a kept one");
        assertNotEquals(RenderDiff.parseRender(YAML).digest(), render.digest());
    }

    @Test
    void aKeptFileOthersMayWriteOrALinkIsParsedAgain(@TempDir Path dir) throws Exception {
        RenderMemo.parse(YAML, dir);
        Path file = kept(dir).get(0);
        Files.writeString(file, Files.readString(file).replace("sha256:", "sha256:planted-"));
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        assertEquals(RenderDiff.parseRender(YAML), RenderMemo.parse(YAML, dir), "a file anyone may write is not ours");
        Path elsewhere = Files.move(file, dir.resolve("elsewhere.json"));
        Files.setPosixFilePermissions(elsewhere, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(file, elsewhere);
        assertEquals(RenderDiff.parseRender(YAML), RenderMemo.parse(YAML, dir), "a link is not a kept render");
    }

    @Test
    void anUnreadableKeptFileIsParsedAgain(@TempDir Path dir) throws Exception {
        RenderMemo.parse(YAML, dir);
        Files.writeString(kept(dir).get(0), "{not json");
        assertEquals(RenderDiff.parseRender(YAML), RenderMemo.parse(YAML, dir));
        Files.writeString(kept(dir).get(0), "{\"objects\": 3}");
        assertEquals(RenderDiff.parseRender(YAML), RenderMemo.parse(YAML, dir));
    }

    @Test
    void withoutADirectoryNothingIsKept() {
        assertEquals(RenderDiff.parseRender(YAML), RenderMemo.parse(YAML, null));
    }

    @Test
    void onlyTheNewestAreKept(@TempDir Path dir) throws Exception {
        for (int i = 0; i < RenderMemo.KEEP + 3; i++) {
            RenderMemo.parse(YAML.replace("replicas: 1", "replicas: " + (i + 10)), dir);
        }
        assertEquals(RenderMemo.KEEP, kept(dir).size());
    }

    @Test
    void aRenderKeptUnderItsRunsKeyIsFoundByThatKeyOnly(@TempDir Path dir) throws Exception {
        String runKey = "a".repeat(64);
        RenderDiff.Render parsed = RenderMemo.parse(YAML, dir, runKey);
        assertEquals(RenderDiff.parseRender(YAML), parsed);
        assertEquals(java.util.Optional.of(parsed), RenderMemo.kept(dir, runKey), "found without the YAML");
        assertEquals(java.util.Optional.empty(), RenderMemo.kept(dir, "b".repeat(64)), "another run's key finds nothing");
        Path file = kept(dir).get(0);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        assertEquals(java.util.Optional.empty(), RenderMemo.kept(dir, runKey), "a file anyone may write is not ours");
    }
}

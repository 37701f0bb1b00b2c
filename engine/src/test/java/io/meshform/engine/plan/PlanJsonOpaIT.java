package io.meshform.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.apply.Applier;
import io.meshform.engine.apply.ApplyListener;
import io.meshform.engine.model.Stack;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.MemoryStateStore;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.StateSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real OPA (built by testbed/build.sh from its Go module) evaluates a policy written for {@code terraform show
 * -json} plans on meshform's plan JSON, unchanged: it finds the delete, the changed field and the blast radius.
 * OPA missing fails the test (run {@code testbed/build.sh opa}); it needs no cluster.
 */
class PlanJsonOpaIT {
    @TempDir
    Path dir;

    @Test
    void aTerraformPolicyReadsTheMeshformPlan() throws Exception {
        InMemoryCluster cluster = new InMemoryCluster();
        MemoryStateStore store = new MemoryStateStore();
        Planner planner = new Planner(cluster.registry(), "test");
        Stack before = Stacks.load(cluster.registry(), dir, """
                resources:
                  - {type: test.thing, name: install, spec: {value: "1.30.3"}}
                  - {type: test.thing, name: strict, spec: {mode: STRICT, namespace: istio-system}}
                  - {type: test.thing, name: retired, spec: {value: old}}
                """);
        StateSnapshot empty = new StateSnapshot(1, 0, "00000000-0000-0000-0000-000000000000", "test", List.of());
        new Applier(cluster.registry(), 1, ApplyListener.NONE).apply(before, planner.plan(before, empty, PlanOptions.defaults()),
                empty, store, new AtomicBoolean());
        Stack after = Stacks.load(cluster.registry(), dir, """
                resources:
                  - {type: test.thing, name: install, spec: {value: "1.30.3"}}
                  - {type: test.thing, name: strict, spec: {mode: PERMISSIVE, namespace: istio-system}}
                  - {type: test.thing, name: added, spec: {value: new}}
                """);
        Plan plan = planner.plan(after, store.read().orElseThrow(), PlanOptions.defaults());
        Path planJson = dir.resolve("plan.json");
        Files.writeString(planJson, new PlanJson().write(plan, false));

        JsonNode result = opaEval(Path.of("src/test/resources/opa/terraform_plan.rego").toAbsolutePath(), planJson,
                "data.terraform.analysis");
        assertEquals(List.of("test.thing.retired (test.thing from meshform.io/test) would be deleted"),
                strings(result.get("deny")), result.toString());
        assertEquals(List.of("test.thing.strict.mode"), strings(result.get("changed_keys")), result.toString());
        assertEquals(1, result.get("no_ops").asInt(), result.toString());
        // create 1 + update 2 + delete 10
        assertEquals(13, result.get("score").asInt(), result.toString());
        assertTrue(result.get("allow") == null, "a delete is denied, so allow is undefined: " + result);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    /** {@code opa eval --format json}: the value of {@code query}. */
    private static JsonNode opaEval(Path policy, Path input, String query) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(opa().toString(), "eval", "--format", "json", "--data", policy.toString(),
                "--input", input.toString(), query).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "opa eval did not finish");
        assertEquals(0, p.exitValue(), out);
        return JsonMapper.builder().build().readTree(out).path("result").get(0).path("expressions").get(0).path("value");
    }

    /** MESHFORM_OPA, else the cached build of the version in testbed/versions.env. */
    static Path opa() throws IOException {
        String env = System.getenv("MESHFORM_OPA");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String version = Files.readAllLines(Path.of("../testbed/versions.env")).stream()
                .filter(l -> l.startsWith("OPA_VERSION=")).map(l -> l.substring("OPA_VERSION=".length()).trim())
                .findFirst().orElseThrow(() -> new AssertionError("no OPA_VERSION in testbed/versions.env"));
        String cache = System.getenv().getOrDefault("MESHFORM_CACHE", System.getProperty("user.home") + "/.cache/meshform");
        Path binary = Path.of(cache, "bin", "opa-" + version, "opa");
        assertTrue(Files.isExecutable(binary), "OPA " + version + " is not built: run testbed/build.sh opa (looked for " + binary + ")");
        return binary;
    }
}

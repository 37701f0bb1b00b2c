package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * `meshform import` records what apply would record, so the plan right after it says "No changes", as Terraform's
 * does: the resource's dependencies and its lifecycle.preventDestroy, not only the object. On the file-backed fake
 * cluster ({@link FileCluster}).
 */
class ImportTest {
    @TempDir
    Path dir;

    private record Result(int code, String out) {
    }

    private Result run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of(
                "-f", dir.resolve("meshform.yaml").toString(), "--kubeconfig", dir.resolve("c" + FileCluster.SUFFIX).toString()))
                .toArray(String[]::new);
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false), all);
        return new Result(code, buf.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anImportedResourceWithDependenciesPlansAsNoChange() throws IOException {
        Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: adopt}
                resources:
                  - type: fake.thing
                    name: db
                    spec: {user: cortex}
                  - type: fake.thing
                    name: app
                    spec: {user: app}
                    dependsOn: [fake.thing.db]
                    lifecycle: {preventDestroy: true}
                """);
        ObjectNode objects = new JsonMapper().createObjectNode();
        objects.putObject("fake.thing.db").put("version", "1").putObject("spec").put("user", "cortex");
        objects.putObject("fake.thing.app").put("version", "1").putObject("spec").put("user", "app");
        FileCluster.save(dir.resolve("c" + FileCluster.SUFFIX), objects);

        assertEquals(0, run("import", "fake.thing.app", "app").code());
        assertEquals(0, run("import", "fake.thing.db", "db").code());
        Result plan = run("plan", "--detailed-exitcode");
        assertEquals(0, plan.code(), plan.out());
        assertTrue(plan.out().contains("No changes"), plan.out());
    }
}

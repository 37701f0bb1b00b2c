package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.testkit.ClusterContext;
import io.meshform.testkit.LiveClusterTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code plan} runs the real {@code istioctl analyze} on the live cluster with the planned objects overlaid: a message
 * about an object of the stack lands on the stack's line, {@code --strict} turns an analyzer error into a plan error,
 * messages about what the stack does not touch are summarised, and {@code --no-analyze} leaves the analyzers out.
 */
@LiveClusterTest
class AnalyzeIT {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private Result meshform(ClusterContext cluster, Path stack, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-f", stack.toString(), "--state", dir.resolve("state.json").toString(),
                "--kubeconfig", cluster.kubeconfigPath().toString(), "--istioctl", cluster.istioctl().toString()));
        int code = Main.run(new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), false),
                all.toArray(String[]::new));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void planShowsTheAnalyzersMessagesAtTheStacksLinesAndStrictRefusesTheirErrors(ClusterContext cluster) throws IOException {
        String ns = cluster.newNamespace();
        String untouched = cluster.newNamespace(); // no injection label: IST0102 (Info) about a namespace the stack leaves alone
        Path stack = dir.resolve("stack.yaml");
        Files.writeString(stack, """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: analyze-it}
                resources:
                  - type: istio.authorizationPolicy
                    name: from-nowhere
                    spec:
                      namespace: %s
                      name: from-nowhere
                      rules:
                        - from:
                            - source: {namespaces: ["no-such-namespace-%s"]}
                """.formatted(ns, ns));

        Result plan = meshform(cluster, stack, "plan", "--detailed-exitcode");
        assertEquals(2, plan.code(), plan.all());
        assertTrue(plan.out().contains(stack + ":5:5: warning: istioctl analyze: IST0101 (Error) AuthorizationPolicy " + ns
                + "/from-nowhere: Referenced namespace not found"), "the analyzer's message at the policy's line:\n" + plan.all());
        assertTrue(plan.out().contains("more message(s) about objects the stack does not touch"), plan.all());
        assertTrue(plan.out().contains("Namespace " + untouched) || plan.out().contains(", ..."),
                "the summary names what it is about:\n" + plan.all());

        Result strict = meshform(cluster, stack, "plan", "--strict");
        assertEquals(1, strict.code(), strict.all());
        assertTrue(strict.all().contains("error: istioctl analyze: IST0101"), strict.all());

        Result skipped = meshform(cluster, stack, "plan", "--detailed-exitcode", "--no-analyze");
        assertEquals(2, skipped.code(), skipped.all());
        assertFalse(skipped.all().contains("istioctl analyze"), skipped.all());
    }
}

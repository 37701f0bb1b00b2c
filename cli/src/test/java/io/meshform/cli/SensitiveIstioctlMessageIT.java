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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The install of {@link SensitiveIstioctlMessageTest}, planned and applied against the live cluster with the real
 * istioctl: istioctl's "invalid character 'S' looking for beginning of value" reached plan, plan --json, the debug
 * log and apply; now none of them, nor any file the runs leave, shows a part of the sensitive value.
 */
@LiveClusterTest
class SensitiveIstioctlMessageIT {
    @TempDir
    Path dir;

    @Test
    void planAndApplyNameTheFieldAndShowNoPartOfTheValue(ClusterContext cluster) throws IOException {
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, SensitiveIstioctlMessageTest.installStack());
        Path saved = dir.resolve("saved.plan");
        for (List<String> args : List.of(List.of("plan"), List.of("plan", "--json"), List.of("plan", "--out", saved.toString()),
                List.of("plan", "--log-level", "debug"), List.of("apply", "--auto-approve"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
            List<String> all = new ArrayList<>(args);
            all.addAll(List.of("-f", stack.toString(), "--state", dir.resolve("leak.state.json").toString(),
                    "--kubeconfig", cluster.kubeconfigPath().toString(), "--istioctl", cluster.istioctl().toString(),
                    "--var", "tok=" + SensitiveIstioctlMessageTest.TOKEN));
            int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false),
                    all.toArray(String[]::new));
            String text = out.toString(StandardCharsets.UTF_8);
            assertEquals(1, code, text);
            SensitiveIstioctlMessageTest.clean(String.join(" ", args), text);
            assertTrue(text.contains("values.pilot.replicaCount (a sensitive value, not shown): istioctl could not read a"
                    + " value as JSON"), String.join(" ", args) + ":\n" + text);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(f -> Files.isRegularFile(f) && !f.equals(stack)).toList()) {
                SensitiveIstioctlMessageTest.clean(f.toString(), Files.readString(f));
            }
        }
        assertFalse(Files.exists(saved), "a plan that failed is not saved");
    }

    /** istioctl analyze of the planned objects said "IST0106 ... jwks parse error: ... invalid character 'S' ...". */
    @Test
    void analyzeOfAPlannedJwksNamesTheFieldAndShowsNoPartOfTheValue(ClusterContext cluster) throws IOException {
        Path stack = dir.resolve("meshform.yaml");
        Files.writeString(stack, SensitiveIstioctlMessageTest.JWKS_STACK);
        for (List<String> args : List.of(List.of("plan"), List.of("plan", "--json"), List.of("plan", "--log-level", "debug"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
            List<String> all = new ArrayList<>(args);
            all.addAll(List.of("-f", stack.toString(), "--state", dir.resolve("jwks.state.json").toString(),
                    "--kubeconfig", cluster.kubeconfigPath().toString(), "--istioctl", cluster.istioctl().toString(),
                    "--var", "tok=" + SensitiveIstioctlMessageTest.TOKEN));
            Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false), all.toArray(String[]::new));
            String text = out.toString(StandardCharsets.UTF_8);
            SensitiveIstioctlMessageTest.clean(String.join(" ", args), text);
            assertTrue(text.contains("istioctl analyze: IST0106 (Error) RequestAuthentication istio-system/jwt: Schema"
                    + " validation error: jwks parse error: failed to unmarshal JWK set: jwtRules[0].jwks (a sensitive value,"
                    + " not shown)"), String.join(" ", args) + ":\n" + text);
        }
    }
}

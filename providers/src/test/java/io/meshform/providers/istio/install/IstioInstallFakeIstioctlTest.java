package io.meshform.providers.istio.install;

import io.meshform.providers.istio.core.Istioctl;

import static io.meshform.providers.TestSpecs.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.ApplyRequest;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.engine.spi.ProgressSink;
import io.meshform.providers.kubernetes.KubeConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** istio.install's process handling against a stand-in istioctl script (the real one is exercised by IstioInstallIT). */
@EnableKubernetesMockClient
class IstioInstallFakeIstioctlTest {
    KubernetesMockServer server;
    KubernetesClient client;

    static Path fake(Path dir) throws Exception {
        Path log = dir.resolve("args.log");
        Path script = dir.resolve("istioctl");
        Files.writeString(script, """
                #!/bin/sh
                echo "$@" >> %s
                case "$1" in
                  version) echo "1.28.5" ;;
                  manifest) cat <<'EOF'
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: istiod, namespace: istio-system}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: istiod, namespace: istio-system}
                spec: {replicas: 1}
                EOF
                  ;;
                  install) echo "✔ Istio core installed"; echo "✔ Istiod installed" ;;
                  uninstall) echo "✔ Uninstall complete" ;;
                  sleep) sleep 30 ;;
                esac
                """.formatted(log));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void planRendersAndListsMissingObjectsThenApplyStreamsProgress(@TempDir Path dir) throws Exception {
        Path istioctl = fake(dir);
        var type = new IstioInstallType(new KubeConnection(client, "meshform"),
                new Istioctl(istioctl.toString(), "test", "/tmp/kubeconfig", "dev"));
        var address = ResourceAddress.parse("istio.install.mesh");
        var spec = yaml("version: \"1.28\"\nprofile: default\n");

        var plan = type.plan(new PlanRequest(address, spec, null, null));
        assertEquals(Action.CREATE, plan.action());
        io.meshform.providers.ChangeAssert.assertChange(plan).hasDetails(List.of(
                io.meshform.engine.spi.PlanDetail.add("Deployment istio-system/istiod"),
                io.meshform.engine.spi.PlanDetail.add("ServiceAccount istio-system/istiod")));
        assertTrue(plan.privateData().get("renderDigest").startsWith("sha256:"));

        List<String> progress = new ArrayList<>();
        var applied = type.apply(new ApplyRequest(address, spec, null, plan.privateData(), progress::add));
        assertEquals(plan.privateData().get("renderDigest"), applied.metadata().get("renderDigest"));
        assertEquals("1.28.5", applied.metadata().get("istioctlVersion"));
        assertTrue(progress.contains("✔ Istiod installed"), progress.toString());

        List<String> calls = Files.readAllLines(dir.resolve("args.log"));
        assertEquals("version --remote=false --short", calls.get(0));
        assertTrue(calls.stream().anyMatch(c -> c.matches("manifest generate -f \\S+/meshform-run-[^/ ]+/iop-\\S+\\.yaml")), calls.toString());
        assertTrue(calls.stream().anyMatch(c -> c.matches(
                "install -y -f \\S+ --readiness-timeout 600s --kubeconfig /tmp/kubeconfig --context dev")), calls.toString());
    }

    /**
     * A pull request that edits a stack must not run code in the pipeline that plans it: the stack's own istioctl runs
     * only when the command line allows it (--allow-stack-istioctl, or the same program given with --istioctl).
     */
    @Test
    void anIstioctlTheStackNamesRunsOnlyWhenTheCommandLineAllowsIt(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("ran");
        Path evil = dir.resolve("evil.sh");
        Files.writeString(evil, "#!/bin/sh\ntouch " + marker + "\necho 1.28.5\n");
        Files.setPosixFilePermissions(evil, PosixFilePermissions.fromString("rwx------"));
        var spec = yaml("version: \"1.28\"\nistioctl: ./evil.sh\n");
        var address = ResourceAddress.parse("istio.install.mesh");
        var base = java.util.Map.of(io.meshform.engine.load.StackRoot.BASE_SETTING, dir.toString());

        var refused = new IstioInstallType(new KubeConnection(client, "meshform", new io.meshform.engine.spi.ProviderSettings(base)),
                new Istioctl(fake(dir).toString(), "test", null, null));
        var e = assertThrows(DiagnosticsException.class, () -> refused.plan(new PlanRequest(address, spec, null, null)));
        assertTrue(e.getMessage().contains("the stack names its own istioctl (./evil.sh)"), e.getMessage());
        assertTrue(e.getMessage().contains("--allow-stack-istioctl"), e.getMessage());
        assertTrue(Files.notExists(marker), "the stack's program must not have run");
        // Drift checks the applied spec: a program the state's record names (the stack may name none) is said so.
        var drift = io.meshform.engine.spi.StackContext.forDrift(io.meshform.engine.spi.StackContext.detached().stack());
        var fromRecord = assertThrows(DiagnosticsException.class,
                () -> refused.plan(new PlanRequest(address, spec, null, null, drift)));
        assertTrue(fromRecord.getMessage().contains("the state's record of this install names its own istioctl (./evil.sh)"),
                fromRecord.getMessage());
        assertTrue(Files.notExists(marker), "the recorded program must not have run");

        var sameProgram = new java.util.HashMap<>(base);
        sameProgram.put("istioctl", evil.toString());
        var named = new IstioInstallType(new KubeConnection(client, "meshform", new io.meshform.engine.spi.ProviderSettings(sameProgram)),
                new Istioctl(evil.toString(), "test", null, null));
        assertEquals(evil.toString(), named.istioctl(io.meshform.engine.spi.StackContext.detached(), address, spec).binary());

        var allowed = new java.util.HashMap<>(base);
        allowed.put("allowStackIstioctl", "true");
        var type = new IstioInstallType(new KubeConnection(client, "meshform", new io.meshform.engine.spi.ProviderSettings(allowed)),
                new Istioctl(fake(dir).toString(), "test", null, null));
        assertEquals("1.28.5", type.istioctl(io.meshform.engine.spi.StackContext.detached(), address, spec).version());
        assertTrue(Files.exists(marker), "allowed: the stack's istioctl ran");
    }

    @Test
    void wrongVersionFailsThePlanSayingFoundAndWanted(@TempDir Path dir) throws Exception {
        var type = new IstioInstallType(new KubeConnection(client, "meshform"), new Istioctl(fake(dir).toString(), "test", null, null));
        var e = assertThrows(DiagnosticsException.class, () -> type.plan(new PlanRequest(ResourceAddress.parse("istio.install.mesh"),
                yaml("version: \"1.27\"\n"), null, null)));
        assertTrue(e.getMessage().contains("istioctl is version 1.28.5, the stack wants 1.27"), e.getMessage());
        // The install's own `istioctl` field runs only with --allow-stack-istioctl: the hint says so.
        String hint = e.diagnostics().get(0).detail();
        assertTrue(hint.contains("set this install's `istioctl` field to it and run with --allow-stack-istioctl"), hint);
    }

    /**
     * The real istioctl's refusal of a misspelt `values` key names the field but no path: the error stands at that key of
     * the stack, not at the install's `version` (validate) or nowhere (plan).
     */
    @Test
    void istioctlsUnknownFieldStandsAtThatKeyOfTheStack(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - type: istio.install
                    name: mesh
                    spec:
                      profile: minimal
                      version: "1.30.3"
                      values:
                        pilot: {autoscaleEnabeld: false}
                """);
        var types = new io.meshform.engine.spi.TypeRegistry(new io.meshform.providers.MeshformProviderFactory()
                .create(new io.meshform.engine.spi.ProviderSettings(java.util.Map.of())));
        var stack = new io.meshform.engine.load.StackLoader(types).load(file, io.meshform.engine.load.VariableInputs.none()).stack();
        var address = ResourceAddress.parse("istio.install.mesh");
        var type = new IstioInstallType(new KubeConnection(client, "meshform"),
                new Istioctl(io.meshform.testkit.Testbed.istioctl().toString(), "the test bed", null, null));
        var e = assertThrows(DiagnosticsException.class, () -> type.render(io.meshform.engine.spi.StackContext.of(stack), address,
                stack.find(address).orElseThrow().spec()));
        var d = e.diagnostics().get(0);
        assertTrue((d.summary() + d.detail()).contains("unknown field \"autoscaleEnabeld\""), d.summary() + "\n" + d.detail());
        assertEquals(file + ":11:17", String.valueOf(d.range()), "at the misspelt key");
    }

    /** plan and apply place the error at the stack's `version`, as validate does (they said no file or line). */
    @Test
    void wrongVersionIsReportedAtTheStacksVersion(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - type: istio.install
                    name: mesh
                    spec:
                      profile: default
                      version: "1.27"
                """);
        var types = new io.meshform.engine.spi.TypeRegistry(new io.meshform.providers.MeshformProviderFactory()
                .create(new io.meshform.engine.spi.ProviderSettings(java.util.Map.of())));
        var stack = new io.meshform.engine.load.StackLoader(types).load(file, io.meshform.engine.load.VariableInputs.none()).stack();
        var address = ResourceAddress.parse("istio.install.mesh");
        var type = new IstioInstallType(new KubeConnection(client, "meshform"), new Istioctl(fake(dir).toString(), "test", null, null));
        var e = assertThrows(DiagnosticsException.class, () -> type.plan(new PlanRequest(address,
                stack.find(address).orElseThrow().spec(), null, null, io.meshform.engine.spi.StackContext.of(stack))));
        var d = e.diagnostics().get(0);
        assertTrue(d.summary().contains("istioctl is version 1.28.5, the stack wants 1.27"), d.summary());
        assertEquals(file + ":9:16", d.range().toString());
    }

    @Test
    void aHangingIstioctlIsStoppedAtTheTimeout(@TempDir Path dir) throws Exception {
        var istioctl = new Istioctl(fake(dir).toString(), "test", null, null);
        long t0 = System.nanoTime();
        var e = assertThrows(DiagnosticsException.class, () -> istioctl.run(List.of("sleep"), Duration.ofSeconds(1), ProgressSink.NONE, false));
        assertTrue(e.getMessage().contains("did not finish within 1s"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
    }

    @Test
    void aMissingBinaryIsNamed() {
        var istioctl = new Istioctl("/nonexistent/istioctl", "MESHFORM_ISTIOCTL", null, null);
        var e = assertThrows(DiagnosticsException.class, istioctl::version);
        assertTrue(e.getMessage().contains("/nonexistent/istioctl") && e.getMessage().contains("MESHFORM_ISTIOCTL"), e.getMessage());
    }
}

package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.load.StackLoader;
import io.meshform.engine.load.VariableInputs;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.model.Stack;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.ProviderSettings;
import io.meshform.engine.spi.TypeRegistry;
import io.meshform.providers.MeshformProviderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The guide's recommended layout, as the examples declare it, raises none of the mesh safety checks, even with
 * every kind of workload that cannot do mTLS running where Cortex puts it.
 */
class SeedLayoutChecksTest {

    private static Path examples() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("examples/cortex-production.yaml"))) {
            p = p.getParent();
        }
        assertNotNull(p);
        return p.resolve("examples");
    }

    private static List<Diagnostic> allChecks(String file) {
        TypeRegistry types = new TypeRegistry(new MeshformProviderFactory().create(new ProviderSettings(Map.of())));
        Stack stack = new StackLoader(types).load(examples().resolve(file),
                new VariableInputs(Map.of(), List.of(),
                        file.contains("staging") ? Map.of("istioAddons", "samples/addons") : Map.of())).stack();
        Map<ResourceAddress, JsonNode> after = new LinkedHashMap<>();
        for (ResourceDecl d : stack.resources()) {
            after.put(d.address(), d.spec());
        }
        CheckContext ctx = new CheckContext(stack, after);
        // Every workload the guide names, running in the namespace Cortex runs it in, behind a sidecar (injection is on);
        // the default profile's ingress gateway; the auth proxy's Service.
        FakeCluster cluster = new FakeCluster().namespace("cortex", "istio-injection", "enabled")
                .namespace("cortex-compute", "istio-injection", "enabled")
                .pod("cortex", "mongodb-0", Map.of("app.kubernetes.io/name", "mongodb", "app.kubernetes.io/instance", "cortex"), 27017)
                .pod("cortex", "minio-make-bucket-x7", Map.of("app", "minio-job"), 9000)
                .pod("cortex-compute", "job-1-driver", Map.of("spark-role", "driver", "spark-app-selector", "job-1"), 7078)
                .pod("cortex-compute", "job-1-exec-1", Map.of("spark-role", "executor", "spark-app-selector", "job-1"), 7079)
                .pod("istio-system", "istio-ingressgateway-1", Map.of("istio", "ingressgateway", "app", "istio-ingressgateway"), 8080)
                .service("cortex", "cortex-auth-proxy", 8080);
        PlannedMesh mesh = cluster.mesh(ctx);
        List<Diagnostic> out = new ArrayList<>();
        out.addAll(IstioValidation.check(PlannedObject.of(ctx).stream().filter(PlannedObject::istio).toList(),
                new io.meshform.providers.istio.core.Istioctl(io.meshform.testkit.Testbed.istioctl().toString(), "test", null, null)));
        out.addAll(SelectorInRootNamespace.findings(mesh));
        out.addAll(ConflictingPeerAuthentications.findings(mesh));
        out.addAll(StrictWithoutExceptions.findings(mesh));
        out.addAll(UnmanagedWeakerMtls.findings(mesh));
        out.addAll(CustomProviderDeclared.findings(mesh));
        out.addAll(ExtAuthzServiceExists.findings(mesh));
        out.addAll(AuthProxyRisks.findings(mesh));
        out.addAll(TracingProviderDeclared.findings(mesh));
        out.addAll(InjectionLabelAndRevision.findings(mesh));
        out.addAll(ProductionAddons.findings(ctx));
        out.addAll(io.meshform.providers.istio.checks.ProxyVersionSkew.findings(ctx, List::of));
        out.addAll(AuthorizationSelectsNothing.findings(mesh));
        // the coverage table is a note, not a finding; its warnings count
        out.addAll(IngressAuthCoverage.findings(mesh).stream().filter(d -> d.severity() != io.meshform.engine.diag.Severity.INFO).toList());
        return out;
    }

    @Test
    void productionRaisesNoSafetyWarning() {
        assertEquals(List.of(), allChecks("cortex-production.yaml"));
    }

    /** Point 4 of issue #21: the example's ingress policy lets no variant of a protected path past the auth proxy. */
    @Test
    void theExamplesIngressPolicyCoversEveryVariantAndKeepsThePublicPathPublic() {
        TypeRegistry types = new TypeRegistry(new MeshformProviderFactory().create(new ProviderSettings(Map.of())));
        Stack stack = new StackLoader(types).load(examples().resolve("cortex-production.yaml"),
                new VariableInputs(Map.of(), List.of(), Map.of())).stack();
        Map<ResourceAddress, JsonNode> after = new LinkedHashMap<>();
        stack.resources().forEach(d -> after.put(d.address(), d.spec()));
        CheckContext ctx = new CheckContext(stack, after, Map.of(), CheckContext.Purpose.VALIDATE);
        List<Diagnostic> ds = IngressAuthCoverage.findings(new PlannedMesh(ctx, ClusterView.EMPTY));
        assertEquals(1, ds.size(), ds.toString());
        assertTrue(ds.get(0).summary().matches("ingress coverage of istio-system/istio=ingressgateway: the gateway pods are not known, so no gateway is known to be covered; a gateway labelled as its selector says: \\d+ paths checked, 0"
                + " would be let through without the auth proxy"), ds.get(0).summary());
        assertTrue(ds.get(0).detail().contains("/api/health") && ds.get(0).detail().contains("//api/x")
                && ds.get(0).detail().contains("/API/x") && ds.get(0).detail().contains("/fabric "), ds.get(0).detail());
    }

    @Test
    void stagingRaisesNoSafetyWarning() {
        assertEquals(List.of(), allChecks("cortex-staging.yaml"));
    }
}

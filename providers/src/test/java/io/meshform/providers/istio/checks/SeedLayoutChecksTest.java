package io.meshform.providers.istio.checks;

import io.meshform.providers.istio.injection.ProxySkew;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        // Every workload the guide names, running in the namespace Cortex runs it in.
        Map<String, List<String>> pods = Map.of(
                "app.kubernetes.io/name=mongodb", List.of("cortex/mongodb-0"),
                "app=minio-job", List.of("cortex/minio-make-bucket-x7"),
                "spark-role=driver", List.of("cortex-compute/job-1-driver"),
                "spark-role=executor", List.of("cortex-compute/job-1-exec-1"));
        List<Diagnostic> out = new ArrayList<>();
        out.addAll(SelectorInRootNamespace.findings(ctx));
        out.addAll(StrictWithoutExceptions.findings(ctx,
                sel -> pods.getOrDefault(sel.entrySet().iterator().next().toString(), List.of())));
        out.addAll(CustomProviderDeclared.findings(ctx));
        out.addAll(TracingProviderDeclared.findings(ctx));
        out.addAll(InjectionLabelAndRevision.findings(ctx));
        out.addAll(ProductionAddons.findings(ctx));
        out.addAll(AuthProxyRisks.findings(ctx));
        out.addAll(io.meshform.providers.istio.checks.ProxyVersionSkew.findings(ctx, List::of));
        // The default profile's ingress gateway runs with istio=ingressgateway.
        out.addAll(AuthorizationSelectsNothing.findings(ctx,
                (ns, labels) -> java.util.Optional.of(labels.equals(Map.of("istio", "ingressgateway")))));
        out.addAll(UnmanagedWeakerMtls.findings(ctx, ns -> Map.of()));
        return out;
    }

    @Test
    void productionRaisesNoSafetyWarning() {
        assertEquals(List.of(), allChecks("cortex-production.yaml"));
    }

    @Test
    void stagingRaisesNoSafetyWarning() {
        assertEquals(List.of(), allChecks("cortex-staging.yaml"));
    }
}

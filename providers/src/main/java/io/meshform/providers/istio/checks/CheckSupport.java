package io.meshform.providers.istio.checks;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.install.ExtAuthzProviders;
import io.meshform.providers.istio.policy.PolicyKind;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.KubeConnection;
import java.util.Map;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * What the mesh checks share, and nothing else: the value a declared resource will have after the plan, where a part
 * of it was written, the extension providers the stack's install declares, and live reads more than one check uses.
 * Checks depend on this file; it depends on no check.
 */
public final class CheckSupport {
    /** The Kubernetes types whose labels the injection checks read (the Istio provider may name Kubernetes types). */
    static final String LABELS_TYPE = io.meshform.providers.kubernetes.LabelsType.NAME;
    static final String NAMESPACE_TYPE = io.meshform.providers.kubernetes.NamespaceType.NAME;

    /** The Istio kinds the checks LIST directly, without an API discovery request. */
    static final io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext PEER_AUTHENTICATION_CONTEXT =
            context(PolicyKind.PEER_AUTHENTICATION.group(), PolicyKind.PEER_AUTHENTICATION.version(),
                    PolicyKind.PEER_AUTHENTICATION.kind(), PolicyKind.PEER_AUTHENTICATION.plural());
    static final io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext AUTHORIZATION_POLICY_CONTEXT =
            context(PolicyKind.AUTHORIZATION_POLICY.group(), PolicyKind.AUTHORIZATION_POLICY.version(),
                    PolicyKind.AUTHORIZATION_POLICY.kind(), PolicyKind.AUTHORIZATION_POLICY.plural());
    /** networking.istio.io/v1, served by Istio 1.22 and later. */
    static final io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext DESTINATION_RULE_CONTEXT =
            context("networking.istio.io", "v1", "DestinationRule", "destinationrules");

    /** networking.istio.io/v1alpha3: the only version of EnvoyFilter Istio 1.30.3 serves (manifests/charts/base/files/crd-all.gen.yaml). */
    static final io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext ENVOY_FILTER_CONTEXT =
            context("networking.istio.io", "v1alpha3", "EnvoyFilter", "envoyfilters");

    /** gateway.networking.k8s.io/v1 Gateway: the version Istio 1.30.3's deployment controller watches. */
    static final io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext GATEWAY_CONTEXT =
            context(io.meshform.providers.istio.policy.PolicyTarget.GATEWAY_API_GROUP, "v1", "Gateway", "gateways");

    private static io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext context(String group, String version,
                                                                                          String kind, String plural) {
        return new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder().withGroup(group)
                .withVersion(version).withKind(kind).withPlural(plural).withNamespaced(true).build();
    }

    private CheckSupport() {
    }

    public static JsonNode after(CheckContext ctx, ResourceDecl d) {
        JsonNode a = ctx.after().get(d.address());
        return a != null ? a : d.spec();
    }

    public static SourceRange range(ResourceDecl d, String pointer) {
        try {
            return d.source().range(pointer);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The extension provider names the stack's istio.install declares in meshConfig. */
    static TreeSet<String> extensionProviders(CheckContext ctx) {
        TreeSet<String> declared = new TreeSet<>();
        for (ResourceDecl i : ctx.declared(Mesh.INSTALL_TYPE)) {
            declared.addAll(ExtAuthzProviders.names(after(ctx, i)));
        }
        return declared;
    }

    /**
     * Whether {@code value} is a digest of a sensitive value, not the value: drift's checks read the install as applied,
     * from the state, which keeps a digest where a sensitive variable gave the value ({@link
     * io.meshform.engine.plan.Sensitive#digest}). A check must not judge the digest as if it were the value.
     */
    static boolean digested(JsonNode value) {
        return value != null && io.meshform.engine.plan.Sensitive.isDigest(value);
    }

    /** What a check says of a value it cannot judge because the state holds only its digest. */
    static final String DIGEST_ONLY = "was applied as a sensitive value, which the state records only by its digest";

    /** "/extAuthz/0" as "extAuthz[0]", a spec path as {@code --ignore} and the plan write it. */
    static String dotted(String pointer) {
        return io.meshform.engine.diag.SpecPath.dotted(pointer);
    }

    /** What went wrong, in one line: a meshform error's summary, else the exception's message. */
    static String why(RuntimeException e) {
        if (e instanceof io.meshform.engine.diag.DiagnosticsException d && !d.diagnostics().isEmpty()) {
            return d.diagnostics().get(0).summary();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}

package io.meshform.providers.istio.checks;

import io.meshform.engine.diag.SourceRange;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.model.ResourceDecl;
import io.meshform.engine.spi.CheckContext;
import io.meshform.engine.spi.StackContext;
import io.meshform.providers.istio.policy.PolicyKind;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.ManifestType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Kubernetes object a run will apply (or has applied), in the form the API server gets it, with the resource that
 * declares it: a typed Istio policy ({@code istio.authorizationPolicy}, ...) or a {@code kubernetes.manifest}, inline
 * or from a file. {@link #range} maps a place in the object back to where the stack wrote it, so Istio's own tools'
 * findings about an object land on the stack file's line.
 */
public record PlannedObject(ObjectNode object, ResourceDecl decl, Form form) {

    /** How the stack writes the object. */
    public enum Form {
        /** {@code istio.*}: the spec's fields are the object's spec, {@code namespace}/{@code name} its metadata. */
        TYPED,
        /** {@code kubernetes.manifest} with {@code manifest:}: the object itself. */
        INLINE,
        /** {@code kubernetes.manifest} with {@code file:}: the object lives in another file. */
        FILE
    }

    public String apiVersion() {
        return Json.text(object, "apiVersion");
    }

    public String kind() {
        return Json.text(object, "kind");
    }

    public String namespace() {
        return Json.text(object.path("metadata"), "namespace");
    }

    public String name() {
        return Json.text(object.path("metadata"), "name");
    }

    /** The API group, "" for the core group. */
    public String group() {
        String v = apiVersion();
        return v == null || !v.contains("/") ? "" : v.substring(0, v.indexOf('/'));
    }

    /** Istio's own kinds: every group under istio.io (networking, security, telemetry, extensions, install). */
    public boolean istio() {
        return group().endsWith(".istio.io") || group().equals("istio.io");
    }

    /** "Kind namespace/name" or "Kind name", as Istio's tools name an object. */
    public String friendlyName() {
        return kind() + " " + (namespace() == null ? "" : namespace() + "/") + name();
    }

    /** Where the stack wrote the part of the object at {@code pointer} (a JSON pointer into the object, "" for all). */
    public SourceRange range(String pointer) {
        String at = switch (form) {
            case TYPED -> pointer.equals("/metadata/name") ? "/spec/name"
                    : pointer.equals("/metadata/namespace") ? "/spec/namespace"
                    : pointer.startsWith("/spec") ? pointer : "";
            case INLINE -> "/spec/manifest" + pointer;
            case FILE -> "/spec/file";
        };
        SourceRange r = CheckSupport.range(decl, at);
        return r != null ? r : CheckSupport.range(decl, "");
    }

    /**
     * Whether the object holds a value meshform keeps out of what it writes: one a {@code sensitive} variable gave
     * (the declaration's sensitive paths), one its kind marks sensitive (a RequestAuthentication's {@code jwks}), or
     * one a manifest of any kind is masked at (the last-applied annotation).
     */
    public boolean holdsSensitive() {
        if (!decl.sensitivePaths().isEmpty()) {
            return true;
        }
        java.util.Set<String> paths = new java.util.TreeSet<>(io.meshform.providers.kubernetes.ManifestSensitive.objectPaths(object));
        io.meshform.providers.istio.policy.IstioObjects.sensitive(kind()).forEach(p -> paths.add("/spec" + p));
        return io.meshform.engine.plan.Sensitive.matches(object, paths).values().stream()
                .anyMatch(v -> !io.meshform.engine.plan.Sensitive.isDigest(v));
    }

    /**
     * What istioctl's messages about this object must not show (the values {@link #holdsSensitive} looks for): a
     * parse error quotes part of the value it refused ({@link io.meshform.engine.plan.SensitiveMessage}).
     */
    public io.meshform.engine.plan.SensitiveMessage messages() {
        java.util.Set<String> paths = new java.util.TreeSet<>(io.meshform.providers.kubernetes.ManifestSensitive.objectPaths(object));
        io.meshform.providers.istio.policy.IstioObjects.sensitive(kind()).forEach(p -> paths.add("/spec" + p));
        return io.meshform.engine.plan.SensitiveMessage.of(decl.spec(), decl.sensitivePaths())
                .and(io.meshform.engine.plan.SensitiveMessage.of(object, paths));
    }

    /** Every object the run applies, typed Istio policies and manifests, from {@code ctx.after()}. */
    public static List<PlannedObject> of(CheckContext ctx) {
        return collect(ctx, ctx.after());
    }

    /** The objects of the resources the run removes (from what state recorded). */
    public static List<PlannedObject> removed(CheckContext ctx) {
        return collect(ctx, ctx.removed());
    }

    /**
     * The objects the stack declares that a plan leaves out ({@code --target}, {@code --exclude}): the run neither
     * changes nor removes them, yet they are still what the stack says of them (Terraform's targeting limits what a
     * plan changes, not the configuration it reads). Empty outside a plan.
     */
    public static List<PlannedObject> declaredNotPlanned(CheckContext ctx) {
        if (ctx.purpose() != CheckContext.Purpose.PLAN) {
            return List.of();
        }
        Map<ResourceAddress, JsonNode> left = new java.util.TreeMap<>();
        for (ResourceDecl d : ctx.stack().resources()) {
            if (!ctx.after().containsKey(d.address()) && !ctx.removed().containsKey(d.address())) {
                left.put(d.address(), d.spec());
            }
        }
        return collect(ctx, left);
    }

    private static List<PlannedObject> collect(CheckContext ctx, Map<ResourceAddress, JsonNode> specs) {
        List<PlannedObject> out = new ArrayList<>();
        for (Map.Entry<ResourceAddress, JsonNode> e : specs.entrySet()) {
            ResourceAddress a = e.getKey();
            JsonNode spec = e.getValue();
            ResourceDecl decl = ctx.stack().find(a).orElseGet(() -> new ResourceDecl(a, List.of(),
                    spec.isObject() ? (ObjectNode) spec : Json.object(), io.meshform.engine.model.SourceLocator.none(
                    ctx.stack().file() == null ? "state" : ctx.stack().file().toString())));
            var kind = PolicyKind.ofType(a.type());
            if (kind.isPresent()) {
                out.add(new PlannedObject(kind.get().object(a, spec), decl, Form.TYPED));
            } else if (a.type().equals(ManifestType.NAME)) {
                try {
                    ObjectNode m = ManifestType.object(a, spec);
                    out.add(new PlannedObject(m, decl, spec.has("manifest") && !spec.get("manifest").isNull() ? Form.INLINE : Form.FILE));
                } catch (RuntimeException unreadable) {
                    // the manifest's own plan reports a file it cannot read
                }
            }
        }
        return out;
    }
}

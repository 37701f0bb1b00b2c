package io.meshform.providers.istio.install;

import io.meshform.engine.spi.FieldProblem;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.istio.core.RunDirectory;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.RestartSettings;
import io.meshform.providers.kubernetes.SpecChecker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The {@code istio.install} spec: its fields and their checks, and what it becomes for istioctl (the IstioOperator,
 * written to a private temporary file), the istiod it names and how long its install may take.
 */
public final class InstallSpec {
    /** Built on first use (writing the IstioOperator file), not when a stack's install is validated: RenderDiff's Yaml. */
    private static final class Yaml {
        static final YAMLMapper MAPPER = YAMLMapper.builder().build();
    }
    private InstallSpec() {
    }

    static final List<String> FIELDS = List.of("version", "profile", "revision", "hub", "tag", "components", "meshConfig",
            "values", "addons", "purge", "timeoutSeconds", ExtAuthzProviders.FIELD, "restartWorkloads",
            "restartTimeoutSeconds", "istioctl");

    static final List<String> PROFILES = List.of("default", "demo", "minimal", "empty", "remote", "preview", "ambient",
            "openshift", "openshift-ambient", "stable");

    public static final List<String> ADDONS = List.of("kiali", "prometheus", "grafana", "tracing");

    static List<FieldProblem> validate(JsonNode spec) {
        SpecChecker c = new SpecChecker();
        if (!c.spec(spec, Mesh.INSTALL_TYPE, FIELDS)) {
            return c.problems();
        }
        JsonNode version = spec.get("version");
        if (version == null || version.isNull()) {
            c.error("/version", "missing required field `version`", "the Istio version istioctl must have, e.g. version: \"1.28\"");
        } else if (version.isNumber()) {
            c.error("/version", "version must be a string, quote it",
                    "YAML reads " + version + " as a number (1.30 would become 1.3); write version: \"" + version + "\"");
        } else if (!version.isString() || !version.asString().matches("\\d+\\.\\d+(\\.\\d+)?(-[0-9A-Za-z.-]+)?")) {
            c.error("/version", "version must look like \"1.28\" or \"1.28.5\"", "found " + SpecChecker.describe(version));
        }
        c.oneOf(spec, "", "profile", false, PROFILES);
        c.dnsLabel(c.string(spec, "", "revision", false), "/revision", "revision");
        c.string(spec, "", "hub", false);
        c.string(spec, "", "tag", false);
        for (String m : List.of("components", "meshConfig", "values")) {
            if (spec.has(m) && !spec.get(m).isNull()) {
                c.object(spec.get(m), "/" + m, "`" + m + "`");
            }
        }
        JsonNode addons = spec.get("addons");
        if (addons != null && !addons.isNull() && c.object(addons, "/addons", "`addons`")) {
            List<String> keys = new ArrayList<>(ADDONS);
            keys.add("manifests");
            c.knownKeys(addons, "/addons", "addons", keys);
            for (String a : ADDONS) {
                c.bool(addons, "/addons", a);
            }
            String dir = c.string(addons, "/addons", "manifests", false);
            for (String a : List.of("kiali", "prometheus", "grafana")) {
                if (dir == null && Json.bool(addons, a)) {
                    c.error("/addons/" + a, "addons." + a + " is on, but istioctl does not install " + a
                                    + " and `addons.manifests` is not set",
                            "set addons.manifests to a directory holding Istio's sample addons (samples/addons of the"
                                    + " Istio release: " + a + ".yaml), or turn " + a + " off");
                }
            }
        }
        ExtAuthzProviders.validate(c, spec);
        if (Boolean.TRUE.equals(c.bool(spec, "", "purge"))) {
            c.warning("/purge", "purge: true makes destroy delete all Istio CRDs and every Istio policy in the cluster"
                            + " (istioctl uninstall --purge), including policies and control planes meshform does not manage",
                    "keep purge off unless Istio is leaving the cluster for good; without it destroy removes only this revision");
        }
        JsonNode timeout = spec.get("timeoutSeconds");
        if (timeout != null && !timeout.isNull() && (!timeout.isIntegralNumber() || timeout.intValue() < 1)) {
            c.error("/timeoutSeconds", "timeoutSeconds must be a positive whole number");
        }
        RestartSettings.validate(c, spec);
        c.string(spec, "", "istioctl", false);
        return c.problems();
    }

    /**
     * The mesh config this install writes as far as the stack alone tells it, for when istioctl's own render of it
     * cannot be had ({@link RenderedMesh} reads the render first): the IstioOperator's {@code values.meshConfig} with
     * its {@code spec.meshConfig} merged over it, maps key by key and anything else replaced, as {@code
     * translateIstioOperatorToHelm} and {@code values.Map.MergeFrom} do (operator/pkg/render/manifest.go,
     * operator/pkg/values/map.go, Istio 1.30.3); {@code rootNamespace} defaults to {@code values.global.istioNamespace},
     * as the istiod chart's ConfigMap template writes it
     * (manifests/charts/istio-control/istio-discovery/templates/configmap.yaml). What a profile sets is not known
     * here; Istio fills what is unset with its defaults.
     */
    public static ObjectNode meshConfig(JsonNode spec) {
        JsonNode iop = istioOperator(spec).path("spec");
        JsonNode fromValues = iop.path("values").path("meshConfig");
        ObjectNode mesh = fromValues.isObject() ? ((ObjectNode) fromValues).deepCopy() : Json.object();
        JsonNode fromSpec = iop.path("meshConfig");
        if (fromSpec.isObject()) {
            mergeFrom(mesh, (ObjectNode) fromSpec);
        }
        String istioNamespace = Json.text(iop.path("values").path("global"), "istioNamespace");
        if (!mesh.hasNonNull("rootNamespace") && istioNamespace != null && !istioNamespace.isBlank()) {
            mesh.put("rootNamespace", istioNamespace);
        }
        return mesh;
    }

    /** {@code values.Map.MergeFrom}: a map merges into a map key by key, any other value replaces. */
    private static void mergeFrom(ObjectNode base, ObjectNode other) {
        for (var e : other.properties()) {
            JsonNode mine = base.get(e.getKey());
            if (e.getValue().isObject() && mine != null && mine.isObject()) {
                mergeFrom((ObjectNode) mine, (ObjectNode) e.getValue());
            } else {
                base.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }

    /** The IstioOperator meshctl hands to istioctl; addons.tracing becomes meshConfig.enableTracing. */
    static ObjectNode istioOperator(JsonNode spec) {
        ObjectNode iop = Json.object();
        iop.put("apiVersion", "install.istio.io/v1alpha1");
        iop.put("kind", "IstioOperator");
        ObjectNode s = iop.putObject("spec");
        s.put("profile", Json.text(spec, "profile", "default"));
        for (String f : List.of("revision", "hub", "tag")) {
            if (Json.text(spec, f) != null) {
                s.put(f, Json.text(spec, f));
            }
        }
        if (spec.has("components")) {
            s.set("components", spec.get("components").deepCopy());
        }
        ObjectNode mesh = spec.has("meshConfig") && spec.get("meshConfig").isObject()
                ? (ObjectNode) spec.get("meshConfig").deepCopy() : Json.object();
        JsonNode addons = spec.get("addons");
        if (addons != null && addons.has("tracing") && !mesh.has("enableTracing")) {
            mesh.put("enableTracing", Json.bool(addons, "tracing"));
        }
        if (spec.path(ExtAuthzProviders.FIELD).isArray() && !spec.path(ExtAuthzProviders.FIELD).isEmpty()) {
            tools.jackson.databind.node.ArrayNode providers = mesh.path("extensionProviders").isArray()
                    ? (tools.jackson.databind.node.ArrayNode) mesh.get("extensionProviders") : mesh.putArray("extensionProviders");
            providers.addAll(ExtAuthzProviders.extensionProviders(spec));
        }
        if (!mesh.isEmpty()) {
            s.set("meshConfig", mesh);
        }
        if (spec.has("values")) {
            s.set("values", spec.get("values").deepCopy());
        }
        return iop;
    }

    static Path writeOperator(JsonNode spec, RunDirectory run) {
        return writeIstioOperator(istioOperator(spec), run);
    }

    /** {@code iop}, an IstioOperator, as a file for istioctl {@code -f} in the directory of the run. */
    static Path writeIstioOperator(ObjectNode iop, RunDirectory run) {
        try {
            // In the run's private directory: a killed run's file (it may hold sensitive values) is removed by the next.
            Path file = run.newFile("iop-", ".yaml");
            Files.writeString(file, Yaml.MAPPER.writeValueAsString(iop));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the IstioOperator file", e);
        }
    }

    static Duration timeout(JsonNode spec) {
        JsonNode t = spec.get("timeoutSeconds");
        return t != null && t.isIntegralNumber() ? Duration.ofSeconds(t.longValue()) : Duration.ofMinutes(10);
    }

    /** The name of the istiod Deployment of the install {@code spec} (its revision's). */
    public static String istiodName(JsonNode spec) {
        String rev = Json.text(spec, "revision");
        return rev == null || rev.isBlank() || rev.equals("default") ? "istiod" : "istiod-" + rev;
    }

    static List<String> addonWarnings(JsonNode spec) {
        if (Json.bool(spec.get("addons"), "tracing") && IstioAddons.manifestsDir(spec) == null) {
            return List.of("addons.tracing turns on meshConfig.enableTracing only: no tracing backend is applied"
                    + " (set addons.manifests to apply Istio's jaeger.yaml, or run your own Zipkin-compatible collector)");
        }
        return List.of();
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temp file; the OS cleans up
        }
    }
}

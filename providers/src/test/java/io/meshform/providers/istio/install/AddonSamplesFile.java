package io.meshform.providers.istio.install;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.providers.istio.install.IstioAddons.Addon;
import io.meshform.providers.istio.core.IstioRelease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes {@code addon-samples.json} ({@link AddonSamples}) from directories of Istio's sample addons, one per release:
 * {@code AddonSamplesFile OUTPUT RELEASE=DIR...}. Each file is read as a plan reads it ({@link IstioAddons#load}, so
 * the same YAML rules, namespace defaulting and {@link AddonRules}), and each object digested by {@link SampleDigest}.
 * Run by {@code providers/src/test/sh/addon-samples}, which takes the directories from a clone of Istio at the tags.
 */
public final class AddonSamplesFile {
    private AddonSamplesFile() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: AddonSamplesFile OUTPUT RELEASE=DIR...");
        }
        Map<String, Path> dirs = new TreeMap<>(Comparator.comparing(
                (String r) -> IstioRelease.parse(r).orElseThrow(() -> new IllegalArgumentException("not a release: " + r))));
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            dirs.put(kv[0], Path.of(kv[1]));
        }
        Files.writeString(Path.of(args[0]), write(document(dirs)));
    }

    /**
     * The document as JSON with one line per object's fields and per release's file, so the file has about a hundred
     * lines and a new release's diff shows which objects changed.
     */
    static String write(ObjectNode document) {
        JsonMapper compact = JsonMapper.builder().build();
        StringBuilder sb = new StringBuilder("{\n");
        List<String> top = new ArrayList<>();
        document.forEachEntry((key, value) -> {
            if (!value.isObject()) {
                top.add("  " + compact.writeValueAsString(key) + ": " + compact.writeValueAsString(value));
                return;
            }
            boolean nested = value.valueStream().anyMatch(v -> v.valueStream().anyMatch(JsonNode::isObject));
            List<String> entries = new ArrayList<>();
            value.forEachEntry((k, v) -> {
                if (!nested) {
                    entries.add("    " + compact.writeValueAsString(k) + ": " + compact.writeValueAsString(v));
                    return;
                }
                List<String> inner = new ArrayList<>();
                v.forEachEntry((k2, v2) -> inner.add("      " + compact.writeValueAsString(k2) + ": " + compact.writeValueAsString(v2)));
                entries.add("    " + compact.writeValueAsString(k) + ": {\n" + String.join(",\n", inner) + "\n    }");
            });
            top.add("  " + compact.writeValueAsString(key) + ": {\n" + String.join(",\n", entries) + "\n  }");
        });
        return sb.append(String.join(",\n", top)).append("\n}\n").toString();
    }

    static ObjectNode document(Map<String, Path> dirs) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("about", "SHA-256 of each object of Istio's sample addons (samples/addons/kiali.yaml, prometheus.yaml,"
                + " grafana.yaml, jaeger.yaml) by release, read by AddonSamples. Generated: do not edit.");
        root.put("source", "https://github.com/istio/istio at the release tags below, samples/addons (Apache License 2.0)");
        root.put("regenerate", "providers/src/test/sh/addon-samples ISTIO_CLONE " + String.join(" ", dirs.keySet()));
        root.put("canonical", "the object as meshform applies it (parsed with the stack file's YAML rules, istio-system where"
                + " it names no namespace), keys sorted at every level, compact JSON; fields: SampleDigest");
        ObjectNode objects = root.putObject("objects");
        ObjectNode releases = root.putObject("releases");
        Map<String, Map<String, String>> byDigest = new TreeMap<>();
        dirs.forEach((release, dir) -> {
            ObjectNode spec = f.objectNode();
            ObjectNode addons = spec.putObject("addons");
            for (Addon a : Addon.values()) {
                addons.put(a.key, true);
            }
            addons.put("manifests", dir.toAbsolutePath().toString());
            ObjectNode files = releases.putObject(release);
            IstioAddons.load(ResourceAddress.parse("istio.install.samples"), spec, dir).forEach((addon, list) -> {
                Map<String, String> byIdentity = new TreeMap<>();
                for (ObjectNode o : list) {
                    SampleDigest d = SampleDigest.of(o);
                    byIdentity.put(AddonSamples.identity(o), d.sha256());
                    byDigest.put(d.sha256(), new TreeMap<>(d.fields()));
                }
                ObjectNode file = files.putObject(addon.file);
                byIdentity.forEach(file::put);
            });
        });
        byDigest.forEach((sha, fields) -> {
            ObjectNode o = objects.putObject(sha);
            fields.forEach(o::put);
        });
        return root;
    }
}

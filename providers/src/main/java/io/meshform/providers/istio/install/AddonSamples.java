package io.meshform.providers.istio.install;

import io.meshform.providers.kubernetes.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The digests of Istio's own sample addons ({@code samples/addons/kiali.yaml, prometheus.yaml, grafana.yaml,
 * jaeger.yaml}) for the releases meshform knows, committed as {@code addon-samples.json} beside this class. They come
 * from github.com/istio/istio at each release tag and are regenerated with {@code providers/src/test/sh/addon-samples}
 * (the file's header says how); a plan compares each addon object with them ({@link AddonSampleCheck}).
 *
 * @param releases release ("1.30.3") to file ("kiali.yaml") to object identity ({@link #identity}) to its digest
 */
record AddonSamples(Map<String, Map<String, Map<String, SampleDigest>>> releases) {
    static final String RESOURCE = "addon-samples.json";

    /** Read once, on the first plan with addons: the file is immutable data in the jar. */
    private static final class BuiltIn {
        static final AddonSamples SAMPLES = read(AddonSamples.class.getResourceAsStream(RESOURCE));
    }

    static AddonSamples builtIn() {
        return BuiltIn.SAMPLES;
    }

    /** The objects of one release's sample files, by file and identity; empty for a release meshform has no digests of. */
    Optional<Map<String, Map<String, SampleDigest>>> release(String version) {
        return Optional.ofNullable(version == null ? null : releases.get(version));
    }

    /** "apiVersion/kind/namespace/name", namespace empty for a cluster-scoped object: how the digests are keyed. */
    static String identity(JsonNode object) {
        JsonNode md = object.path("metadata");
        return Json.text(object, "apiVersion") + "/" + Json.text(object, "kind") + "/" + Json.text(md, "namespace", "") + "/"
                + Json.text(md, "name");
    }

    /**
     * Reads the file's form: {@code objects} maps each object's SHA-256 to its field digests (an object the same in
     * several releases is there once), {@code releases} maps release, file and identity to an object's SHA-256.
     */
    static AddonSamples read(InputStream in) {
        JsonNode root;
        try (in) {
            root = JsonMapper.builder().build().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonNode objects = root.path("objects");
        Map<String, Map<String, Map<String, SampleDigest>>> releases = new LinkedHashMap<>();
        root.path("releases").forEachEntry((release, files) -> {
            Map<String, Map<String, SampleDigest>> byFile = new LinkedHashMap<>();
            files.forEachEntry((file, identities) -> {
                Map<String, SampleDigest> byIdentity = new LinkedHashMap<>();
                identities.forEachEntry((identity, sha) -> {
                    JsonNode fields = objects.path(sha.asString());
                    if (!fields.isObject()) {
                        throw new IllegalStateException(RESOURCE + ": " + release + " " + file + " " + identity
                                + " names object " + sha.asString() + ", which \"objects\" does not hold");
                    }
                    byIdentity.put(identity, new SampleDigest(sha.asString(), Json.stringMap(fields)));
                });
                byFile.put(file, Map.copyOf(byIdentity));
            });
            releases.put(release, Map.copyOf(byFile));
        });
        return new AddonSamples(Map.copyOf(releases));
    }
}

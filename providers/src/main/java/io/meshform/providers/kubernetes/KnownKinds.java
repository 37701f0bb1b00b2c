package io.meshform.providers.kubernetes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The kinds a Kubernetes API server of the supported release serves, and the top-level fields each allows, so
 * validate can refuse a mistyped kind or field without a cluster. Generated from the test bed's own
 * kube-apiserver (discovery and OpenAPI v3) and Istio's CRDs by {@code testbed/gen-known-kinds.py}; see the header
 * of {@code known-kinds.tsv}.
 */
public final class KnownKinds {
    /** One served kind: {@code apiVersion} as in a manifest ("v1", "apps/v1"). */
    public record Kind(String apiVersion, String kind, boolean namespaced, Set<String> fields) {
        public String group() {
            int slash = apiVersion.indexOf('/');
            return slash < 0 ? "" : apiVersion.substring(0, slash);
        }
    }

    private static final KnownKinds BUILT_IN = load("known-kinds.tsv");

    private final Map<String, Kind> byApiVersionKind;
    private final Set<String> groups;

    private KnownKinds(List<Kind> kinds) {
        Map<String, Kind> m = new TreeMap<>();
        Set<String> g = new TreeSet<>();
        for (Kind k : kinds) {
            m.put(k.apiVersion() + " " + k.kind(), k);
            g.add(k.group());
        }
        this.byApiVersionKind = Map.copyOf(m);
        this.groups = Set.copyOf(g);
    }

    public static KnownKinds builtIn() {
        return BUILT_IN;
    }

    public Optional<Kind> find(String apiVersion, String kind) {
        return Optional.ofNullable(byApiVersionKind.get(apiVersion + " " + kind));
    }

    /** Every kind of the table. */
    public java.util.Collection<Kind> all() {
        return byApiVersionKind.values();
    }

    /** True when the API group ("" for core, "apps", "security.istio.io") is one this table lists. */
    public boolean knowsGroup(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return groups.contains(slash < 0 ? "" : apiVersion.substring(0, slash));
    }

    /** Every kind name served in the group of {@code apiVersion}, for "did you mean". */
    public List<String> kindsInGroup(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        return byApiVersionKind.values().stream().filter(k -> k.group().equals(group)).map(Kind::kind).distinct().sorted().toList();
    }

    /** The apiVersions that serve {@code kind}. */
    public List<String> versionsOf(String kind) {
        return byApiVersionKind.values().stream().filter(k -> k.kind().equals(kind)).map(Kind::apiVersion).sorted().toList();
    }

    static KnownKinds load(String resource) {
        List<Kind> kinds = new ArrayList<>();
        try (InputStream in = KnownKinds.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\t");
                kinds.add(new Kind(cols[0], cols[1], Boolean.parseBoolean(cols[2]), Set.of(cols[3].split(","))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new KnownKinds(kinds);
    }
}

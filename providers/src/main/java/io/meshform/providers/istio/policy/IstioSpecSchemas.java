package io.meshform.providers.istio.policy;

import io.meshform.providers.istio.core.IstioRelease;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.kubernetes.Json;
import io.meshform.providers.kubernetes.SpecChecker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Istio 1.30.3's spec schemas ({@link IstioSpecSchema}), one file per kind in the jar (istio-spec-schemas/KIND.json),
 * each read the first time this catalogue is asked for its kind and kept for the catalogue's life: a stack with a
 * PeerAuthentication reads 1.7 KB, not the 85 KB of every kind (DestinationRule's alone is 24 KB). One catalogue per
 * rule holder (the manifest rules, each typed policy), so nothing is shared between runs. A kind without a file (one
 * istioctl 1.30.3 does not decode, a newer Istio's kind) or an apiVersion it does not decode has no schema: istioctl's
 * own message is then the one shown.
 *
 * <p>The schemas are one release's, and a newer Istio accepts more (1.31 adds EnvoyFilter's
 * {@code MERGE_AND_REPLACE_LIST} operation, which 1.30.3's istioctl refuses and 1.31's accepts; run on Istio's own
 * testdata, pkg/config/validation/testdata/crds/envoyfilter-valid.yaml of 1.31). So what a schema finds is reported
 * only when the run's istioctl is of the schema's minor release, or when no istioctl runs (then nothing else judges
 * the objects, and meshform's release is the one it knows); with another release's istioctl the objects are left to
 * its own message. istioctl's version is asked only when a schema finds something, so a correct stack never pays.
 */
public final class IstioSpecSchemas {
    private static final String DIRECTORY = "istio-spec-schemas/";
    /** A kind as Kubernetes writes it; anything else is no resource name to look up. */
    private static final Pattern KIND = Pattern.compile("[A-Z][A-Za-z0-9]{0,62}");

    /** The Istio release the run's objects are for: istioctl's version, empty when no istioctl runs. */
    @FunctionalInterface
    public interface ReleaseInUse {
        /** No istioctl to ask: the schemas judge alone. */
        ReleaseInUse NONE = Optional::empty;

        Optional<String> version();

        /** The version of {@code istioctl}, empty when it cannot run or tell it. */
        static ReleaseInUse of(Istioctl istioctl) {
            return () -> {
                try {
                    return Optional.of(istioctl.version());
                } catch (RuntimeException cannotRun) {
                    return Optional.empty();
                }
            };
        }
    }

    private final ConcurrentHashMap<String, Optional<IstioSpecSchema>> read = new ConcurrentHashMap<>();
    private final ReleaseInUse release;
    /** The release's answer, asked once (istioctl that cannot run would otherwise be started for every object). */
    private Optional<String> version;

    IstioSpecSchemas(ReleaseInUse release) {
        this.release = release;
    }

    /**
     * Checks {@code spec} against {@code schema} into {@code c}, when the schema speaks for the run's Istio release
     * (see the class comment); otherwise adds nothing.
     */
    void check(IstioSpecSchema schema, JsonNode spec, SpecChecker c) {
        SpecChecker found = new SpecChecker();
        schema.check(spec, found);
        if (!found.problems().isEmpty() && speaksFor(schema)) {
            c.addAll("", found.problems());
        }
    }

    private synchronized boolean speaksFor(IstioSpecSchema schema) {
        if (version == null) {
            version = release.version();
        }
        return version.map(v -> IstioRelease.sameMinor(v, schema.release())).orElse(true);
    }

    /** The schema istioctl decodes an object of {@code apiVersion} and {@code kind} with, if meshform has it. */
    Optional<IstioSpecSchema> decoding(String apiVersion, String kind) {
        if (apiVersion == null || !apiVersion.contains(".istio.io/")) {
            return Optional.empty();  // no Istio group: no file to look for
        }
        return of(kind).filter(s -> s.decodes(apiVersion));
    }

    /** The kind's schema, whatever the apiVersion (a typed policy's is fixed). */
    Optional<IstioSpecSchema> of(String kind) {
        if (kind == null || !KIND.matcher(kind).matches()) {
            return Optional.empty();
        }
        return read.computeIfAbsent(kind, this::load);
    }

    /** The kinds whose file this catalogue has looked for so far (read or found missing). */
    Set<String> kindsLookedUp() {
        return Set.copyOf(read.keySet());
    }

    private Optional<IstioSpecSchema> load(String kind) {
        String name = DIRECTORY + kind + ".json";
        try (InputStream in = IstioSpecSchemas.class.getResourceAsStream(name)) {
            // The shared mapper, when a file is read: a catalogue is made for every run with the providers (on the main
            // thread, before the stack loads), and building a mapper of its own there cost the first mapper's class
            // initialisation (about 40 ms at N=100, BENCHMARKS.md, 2026-12-04 afternoon) in every run, needed or not.
            return in == null ? Optional.empty() : Optional.of(IstioSpecSchema.of(Json.MAPPER.readTree(in)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " from the meshform jar; rebuild it", e);
        }
    }
}

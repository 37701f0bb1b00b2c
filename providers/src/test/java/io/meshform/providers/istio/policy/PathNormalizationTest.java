package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.providers.istio.policy.GatewayAuthz.Outcome;
import io.meshform.providers.istio.policy.GatewayAuthz.Request;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Envoy's path handling, case by case from Envoy's own tests (test/common/http/path_utility_test.cc) and
 * source (path_utility.cc mergeSlashes; conn_manager_impl.cc for what is answered before any filter).
 */
class PathNormalizationTest {

    @Test
    void normalizePathAsEnvoysTestsSayForPathsThatStartWithASlash() {
        Map<String, String> cases = Map.ofEntries(
                Map.entry("/a/b/../c", "/a/c"), Map.entry("/a/b/./c", "/a/b/c"), Map.entry("/a/b/../../../../c", "/c"),
                Map.entry("/a/..\\c", "/c"), Map.entry("/%c0%af", "/%c0%af"), Map.entry("/%5c%25", "/%5c%25"),
                Map.entry("/a/b/%2E%2E/c", "/a/c"), Map.entry("/a/b/%2E./c", "/a/c"), Map.entry("/a/b/%2E/c", "/a/b/c"),
                Map.entry("/../a/b", "/a/b"), Map.entry("/./a/b", "/a/b"), Map.entry("/A/B/C", "/A/B/C"),
                Map.entry("/a/b/%2e%2e/c", "/a/c"), Map.entry("/a/%2F%2f/c", "/a/%2F%2f/c"));
        cases.forEach((in, out) -> assertEquals(Optional.of(out), PathNormalization.BASE.apply(in), in));
        for (String refused : List.of("/xyz/.%00../abc", "/xyz/%00.%00./abc", "/xyz/AAAAA%%0000/abc")) {
            assertEquals(Optional.empty(), PathNormalization.BASE.apply(refused), refused);
        }
    }

    @Test
    void mergeSlashesAsEnvoysMergeSlashesDoes() {
        Map<String, String> cases = Map.of("/a//b/c/", "/a/b/c/", "//a/b/c", "/a/b/c", "/a/b/c//", "/a/b/c/",
                "/a////b/c", "/a/b/c", "/a//b?a=///c", "/a/b?a=///c", "/a//b?", "/a/b?", "//a/?b", "/a/?b", "/a", "/a");
        cases.forEach((in, out) -> assertEquals(Optional.of(out), PathNormalization.MERGE_SLASHES.apply(in), in));
    }

    /** path_utility.cc mergeSlashes keeps the leading and the trailing slash of a path made only of slashes. */
    @Test
    void aPathOfSlashesOnlyStaysTwoSlashes() {
        assertEquals(Optional.of("//"), PathNormalization.MERGE_SLASHES.apply("//"));
        assertEquals(Optional.of("//?q=1"), PathNormalization.DECODE_AND_MERGE_SLASHES.apply("/%2F/?q=1"));
        assertEquals(Optional.of("/"), PathNormalization.MERGE_SLASHES.apply("/"));
        AuthzPolicy root = AuthzPolicy.of(tools.jackson.dataformat.yaml.YAMLMapper.builder().build().readTree(
                "metadata: {namespace: istio-system, name: root}\nspec: {action: CUSTOM, provider: {name: auth},"
                        + " rules: [{to: [{operation: {paths: [\"/\"]}}]}]}\n"));
        GatewayAuthz a = new GatewayAuthz(List.of(root), PathNormalization.MERGE_SLASHES, p -> true);
        assertEquals(Outcome.LET_THROUGH, a.evaluate(new Request("GET", "example.com", "///", GatewayAuthz.DEFAULT_PORT)).outcome(),
                "Envoy sees //, which the rule for / does not match");
    }

    /**
     * googleurl's ClassifyAfterDot (url/url_canon_path.cc) takes ".." for a parent only before a slash or the end, and
     * kPathCharLookup passes ';' and keeps "%3B" as written: a "..;" segment survives every mode.
     */
    @Test
    void aDotDotSegmentWithAPathParameterStaysInEveryMode() {
        for (PathNormalization mode : PathNormalization.values()) {
            assertEquals(Optional.of("/public/..;/api/x"), mode.apply("/public/..;/api/x"), mode.name());
            assertEquals(Optional.of("/public/..%3B/api/x"), mode.apply("/public/..%3B/api/x"), mode.name());
            assertEquals(Optional.of("/public/..;x/api/x?a=1"), mode.apply("/public/..;x/api/x?a=1"), mode.name());
        }
        assertEquals(Optional.of("/public/..;/api/x"), PathNormalization.BASE.apply("/public/%2E%2E;/api/x"),
                "an encoded dot is decoded, and the segment is still no parent");
        assertEquals(Optional.of("/api/x"), PathNormalization.BASE.apply("/public/../api/x"), "a plain .. is one");
    }

    /** conn_manager_impl.cc: a path without a leading '/' is answered 404 before normalization; a failed one 400. */
    @Test
    void whatEnvoyAnswersBeforeAnyFilterSaysItsStatus() {
        GatewayAuthz a = new GatewayAuthz(List.of(), PathNormalization.NONE, p -> true);
        var relative = a.evaluate(new Request("GET", "example.com", "api/x", GatewayAuthz.DEFAULT_PORT));
        assertEquals(Outcome.REJECTED, relative.outcome());
        assertTrue(relative.reason().startsWith("Envoy answers 404"), relative.reason());
        var nul = new GatewayAuthz(List.of(), PathNormalization.BASE, p -> true)
                .evaluate(new Request("GET", "example.com", "/a%00b", GatewayAuthz.DEFAULT_PORT));
        assertEquals(Outcome.REJECTED, nul.outcome());
        assertTrue(nul.reason().startsWith("Envoy answers 400"), nul.reason());
    }
}

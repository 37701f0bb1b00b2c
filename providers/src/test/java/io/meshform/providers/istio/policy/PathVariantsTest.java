package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The variants written for a protected path next to public prefixes. */
class PathVariantsTest {

    @Test
    void aPublicPrefixGivesAPlainAndAPathParameterClimbOutOfIt() {
        Map<String, String> v = PathVariants.of(PathVariants.sample("/api/*"), List.of("/public/"), List.of());
        assertEquals("climbing out of public /public/", v.get("/public/../api/x"));
        assertEquals("climbing out of public /public/ by a ..; segment (Tomcat reads it as ..)", v.get("/public/..;/api/x"));
        assertTrue(v.keySet().stream().noneMatch(p -> p.contains("%3B") || p.contains("%3b")),
                "an encoded ';' is no variant: Tomcat takes the parameters off before it decodes " + v.keySet());
    }

    @Test
    void noClimbWithoutAPublicPrefixOrOutOfThePrefixThePathIsUnder() {
        assertTrue(PathVariants.of(PathVariants.sample("/api/*"), List.of(), List.of()).keySet().stream()
                .noneMatch(p -> p.contains("..;")));
        assertFalse(PathVariants.of(PathVariants.sample("/public/x"), List.of("/public/"), List.of()).containsKey("/public/..;/public/x"));
    }

    @Test
    void climbsByParameterLooksAtThePathNotTheQuery() {
        assertTrue(PathVariants.climbsByParameter("/public/..;/api/x?a=1"));
        assertFalse(PathVariants.climbsByParameter("/api/x?next=/public/..;/x"));
        assertFalse(PathVariants.climbsByParameter("/public/../api/x"));
    }
}

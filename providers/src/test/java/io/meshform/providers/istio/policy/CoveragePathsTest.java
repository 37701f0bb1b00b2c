package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.spi.FieldProblem;
import io.meshform.providers.kubernetes.SpecChecker;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The paths of `coverage:` are request paths: the coverage table prints them as written. */
class CoveragePathsTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static List<FieldProblem> check(String... protectedPaths) {
        ObjectNode spec = JSON.createObjectNode().put("action", "CUSTOM");
        var list = spec.putObject("coverage").putArray("protected");
        for (String p : protectedPaths) {
            list.add(p);
        }
        SpecChecker c = new SpecChecker();
        IstioRules.coverage(spec, c);
        return c.problems();
    }

    @Test
    void aPathWithALineBreakSpaceOrControlCharacterIsRefusedAtItsPlace() {
        for (String bad : List.of("/api\n/x", "/api x", "/api\t", "/a\u001b[2Jb", "/a\u2028b", "/a\u202eb")) {
            List<FieldProblem> problems = check("/fine/*", bad);
            assertEquals(1, problems.size(), bad + ": " + problems);
            assertEquals("/coverage/protected/1", problems.get(0).path());
            assertEquals("a protected path must not contain spaces, line breaks or other control characters",
                    problems.get(0).message());
        }
    }

    @Test
    void percentEncodedAndOrdinaryPathsPass() {
        assertEquals(List.of(), check("/api/health", "/admin/*", "/a%20b", "*/x", "/fabric%2Fx"));
    }
}

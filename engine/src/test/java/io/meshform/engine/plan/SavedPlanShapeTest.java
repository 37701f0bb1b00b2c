package io.meshform.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A file that is not a saved plan is refused with what is wrong, never read as an empty plan, never quoted. */
class SavedPlanShapeTest {
    private static final String HEAD = "{\"format_version\": 1, \"stack\": {\"name\": \"s\", \"digest\": \"sha256:00\"},"
            + " \"prior_state\": {\"lineage\": \"l\", \"serial\": 3}, \"resource_changes\": ";

    @Test
    void notAPlanIsRefusedWithTheFieldThatIsWrong() {
        Map<String, String> cases = Map.of(
                "{\"format_version\": 1, \"stack\": \"x\"}", "`stack.name` is missing",
                HEAD + "{}}", "`resource_changes` is missing or not a list",
                HEAD + "[{}]}", "`resource_changes[0].address` is missing",
                HEAD + "[{\"address\": \"a.b.c\"}]}", "`resource_changes[0].actions` is missing",
                HEAD + "[{\"address\": \"a.b.c\", \"actions\": [\"explode\"]}]}", "resource_changes[0].actions holds an unknown action",
                HEAD + "[{\"address\": \"x\", \"actions\": [\"create\"]}]}", "resource_changes[0].address is not a resource address");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            var e = assertThrows(IllegalArgumentException.class, () -> new PlanJson().read(c.getKey()), c.getKey());
            assertTrue(e.getMessage().startsWith("not a meshform plan file: ") && e.getMessage().contains(c.getValue()),
                    c.getKey() + " -> " + e.getMessage());
        }
    }

    @Test
    void aFileThatIsNoJsonIsNotQuoted() {
        for (String text : List.of("ghp_S3cretTokenValue0123456789", "token: S3cretTokenValue : x\n")) {
            var e = assertThrows(IllegalArgumentException.class, () -> new PlanJson().read(text));
            assertFalse(e.getMessage().contains("S3cret"), e.getMessage());
            assertEquals("not a meshform plan file: not valid JSON at line 1, column " + e.getMessage().replaceAll(".*column (\\d+).*", "$1")
                    + "; a saved plan is the file `meshform plan --out FILE` writes", e.getMessage());
        }
    }

    @Test
    void aStateFileIsNamedAsOneNotAsANewerPlan() {
        String state = "{\"format_version\": 4, \"serial\": 3, \"lineage\": \"l\", \"stack\": \"s\","
                + " \"meshform_version\": \"0.1.0\", \"resources\": []}";
        var e = assertThrows(IllegalArgumentException.class, () -> new PlanJson().read(state));
        assertTrue(e.getMessage().startsWith("not a meshform plan file: it is a meshform state"), e.getMessage());
        assertFalse(e.getMessage().contains("upgrade"), e.getMessage());
    }

    @Test
    void aWholePlanStillReads() {
        Plan plan = new PlanJson().read(HEAD + "[{\"address\": \"a.b.c\", \"actions\": [\"delete\", \"create\"]}]}");
        assertEquals(1, plan.changes().size());
        assertEquals("s", plan.stackName());
    }
}

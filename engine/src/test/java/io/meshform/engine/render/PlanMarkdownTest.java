package io.meshform.engine.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.model.Stack;
import io.meshform.engine.plan.Plan;
import io.meshform.engine.plan.PlanOptions;
import io.meshform.engine.plan.Planner;
import io.meshform.engine.testing.InMemoryCluster;
import io.meshform.engine.testing.Stacks;
import io.meshform.state.StateSnapshot;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Markdown plans fit in one GitHub comment: a large plan is folded, and says so. */
class PlanMarkdownTest {
    @TempDir
    Path dir;

    private Plan planOf(int resources, int valueLength) {
        InMemoryCluster cluster = new InMemoryCluster();
        StringBuilder yaml = new StringBuilder("resources:\n");
        for (int i = 0; i < resources; i++) {
            yaml.append("  - {type: test.thing, name: thing-").append(i).append(", spec: {value: \"")
                    .append("v".repeat(valueLength)).append("\"}}\n");
        }
        Stack stack = Stacks.load(cluster.registry(), dir, yaml.toString());
        return new Planner(cluster.registry(), "test").plan(stack,
                new StateSnapshot(1, 0, "00000000-0000-0000-0000-000000000000", "test", List.of()), PlanOptions.defaults());
    }

    /** A plan with no changes still shows what the checks said, the notes' detail (a coverage table) folded in full. */
    @Test
    void aPlanWithoutChangesStillCarriesItsChecksInFull() {
        Plan plan = new Plan("test", "s", "d", "l", 1, false, List.of(), List.of(
                io.meshform.engine.diag.Diagnostic.info("ingress coverage: 3 paths checked", "  GET /a  goes to the auth proxy", null)));
        String md = new PlanMarkdown().render(plan);
        assertTrue(md.contains("No changes.") && md.contains("- ingress coverage: 3 paths checked")
                && md.contains("GET /a  goes to the auth proxy"), md);
        assertEquals("### meshform plan: `s`\n\nNo changes. The cluster matches the stack.\n",
                new PlanMarkdown().render(new Plan("test", "s", "d", "l", 1, false, List.of(), List.of())));
    }

    @Test
    void aSmallPlanIsWhole() {
        String md = new PlanMarkdown().render(planOf(3, 10));
        assertFalse(md.contains("folded"), md);
        assertTrue(md.contains("`test.thing.thing-2`"), md);
    }

    @Test
    void aLargePlanStaysUnderGithubsLimitAndSaysWhatWasFolded() {
        Plan plan = planOf(2_000, 60);
        String md = new PlanMarkdown().render(plan);
        assertTrue(md.length() <= PlanMarkdown.GITHUB_COMMENT_LIMIT, "length " + md.length());
        assertTrue(md.contains("**Plan: 2000 to add, 0 to change, 0 to destroy.**"), "the summary is never cut");
        assertTrue(md.matches("(?s).*_\\d+ more changes are not listed: this comment would pass GitHub's 65536-character limit.*"), md.substring(md.length() - 500));
        assertTrue(md.matches("(?s).*\\.\\.\\. \\d+ more lines folded: the full plan passes GitHub's 65536-character comment limit.*"));
        assertTrue(md.endsWith("```\n</details>\n"), "the fold closes its code block and details");
    }

    @Test
    void foldCutsAtALineAndCounts() {
        String folded = PlanMarkdown.fold("a\n" + "b".repeat(200) + "\nccc\n", 170);
        assertEquals("a\n... 2 more lines folded: the full plan passes GitHub's 65536-character comment limit; "
                + "`meshform show PLANFILE` prints it whole.\n", folded);
    }
}

package io.meshform.engine.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

    @Test
    void equallyCloseCandidatesSuggestTheSmallestNameWhateverTheirOrder() {
        // "tpe" is one edit from each; callers pass Set.of and Map.copyOf key sets, whose order changes per JVM.
        List<String> candidates = new ArrayList<>(List.of("type", "tape", "tip", "spec", "name"));
        for (long seed = 0; seed < 8; seed++) {
            Collections.shuffle(candidates, new Random(seed));
            assertEquals(Optional.of("tape"), Suggestions.closest("tpe", candidates), "order " + candidates);
        }
    }

    @Test
    void theClosestCandidateStillWins() {
        assertEquals(Optional.of("type"), Suggestions.closest("typ", List.of("tape", "type", "name")));
        assertEquals("did you mean `name`?", Suggestions.hint("nme", List.of("spec", "name")));
    }
}

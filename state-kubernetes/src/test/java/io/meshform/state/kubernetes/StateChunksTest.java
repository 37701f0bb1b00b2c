package io.meshform.state.kubernetes;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StateChunksTest {
    private final StateChunks prod = new StateChunks(() -> null, "ops", "prod", "meshform-state-prod", "Secret ops/meshform-state-prod",
            1024, Map.of());

    @Test
    void ownChunksAreThoseOfTheChunkForm() {
        assertTrue(prod.ownChunk("meshform-state-prod-12-0a1b2c3d-1"));
    }

    /** An edited index may name any Secret; the sweep of recorded chunks deletes only this state's. */
    @Test
    void anotherStateWhoseNameStartsLikeThisOnesIsNotOwned() {
        assertFalse(prod.ownChunk("meshform-state-prod-eu"), "state prod-eu's main Secret");
        assertFalse(prod.ownChunk("meshform-state-prod-eu-12-0a1b2c3d-1"), "state prod-eu's chunk");
        assertFalse(prod.ownChunk("meshform-state-prod-2024-12"), "state prod-2024-12's main Secret");
        assertFalse(prod.ownChunk("meshform-state-prod"));
        assertFalse(prod.ownChunk("meshform-state-prod-12-0A1B2C3D-1"));
        assertFalse(prod.ownChunk("meshform-state-prod-12-0a1b2c3d-1-x"));
    }
}

package io.meshform.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Ownership;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ForeignMarkTest {
    private static final ResourceAddress MONGO = ResourceAddress.parse("istio.peerAuthentication.mongo");

    @Test
    void noMarkOrThisResourcesOwnIsNotForeign() {
        assertEquals(Optional.empty(), ForeignMark.of(Ownership.unmarked("PeerAuthentication cortex/mongo", "cortex/mongo"),
                "mine", MONGO));
        assertEquals(Optional.empty(), ForeignMark.of(Ownership.marked("mine", MONGO.toString(), "o", "cortex/mongo"),
                "mine", MONGO));
        assertEquals(Optional.empty(), ForeignMark.of(Ownership.SHARED, "mine", MONGO));
    }

    @Test
    void anotherStatesMarkSaysWhichStateAndResource() {
        ForeignMark m = ForeignMark.of(Ownership.marked("theirs", MONGO.toString(), "o", "cortex/mongo"), "mine", MONGO)
                .orElseThrow();
        assertEquals("meshform's mark of another state (lineage theirs, resource istio.peerAuthentication.mongo)", m.describe());
        assertTrue(m.remedy(MONGO, "cortex/mongo").contains("`meshform import --take-over istio.peerAuthentication.mongo"
                + " cortex/mongo`"), m.remedy(MONGO, "cortex/mongo"));
    }

    /** The same lineage with another address is this state's other resource, not "another state". */
    @Test
    void thisStatesOtherResourceIsNotCalledAnotherState() {
        ForeignMark m = ForeignMark.of(Ownership.marked("mine", "istio.peerAuthentication.old", "o", "cortex/mongo"),
                "mine", MONGO).orElseThrow();
        assertEquals("this state's mark for another of its resources (resource istio.peerAuthentication.old)", m.describe());
        assertTrue(m.remedy(MONGO, "cortex/mongo").contains("`meshform state mv istio.peerAuthentication.old"
                + " istio.peerAuthentication.mongo`"), m.remedy(MONGO, "cortex/mongo"));
    }
}

package io.meshform.engine.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.state.LockHandle;
import io.meshform.state.LockLostException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a step is told when it asks whether it may go on: the lock's own reason, not a guess. */
class StepProgressTest {
    @Test
    void aHeldLockLetsTheStepGoOn() {
        StepProgress p = new StepProgress(null, lock(null), null);
        assertTrue(p.mayContinue());
        assertEquals(Optional.empty(), p.stopReason());
    }

    @Test
    void aLockReleasedByTheRunsOwnInterruptSaysSo() {
        String why = "the lock on s.json was released (the run was interrupted); nothing more is written";
        StepProgress p = new StepProgress(null, lock(new LockLostException(why)), null);
        assertFalse(p.mayContinue());
        assertEquals(Optional.of(why), p.stopReason());
    }

    private static LockHandle lock(RuntimeException lost) {
        return new LockHandle() {
            @Override
            public String id() {
                return "test";
            }

            @Override
            public void ensureHeld() {
                if (lost != null) {
                    throw lost;
                }
            }

            @Override
            public void close() {
            }
        };
    }
}

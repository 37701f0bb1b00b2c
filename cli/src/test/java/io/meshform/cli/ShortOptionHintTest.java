package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A one-letter option a command does not take: `meshform show -f stack.yaml prod.plan` (as apply takes it) was
 * answered "Did you mean '-h'?", since every one-letter option is one edit from every other. It is now said which
 * commands take it, as for a long option of another command, and no other letter is guessed.
 */
class ShortOptionHintTest {
    @Test
    void showSaysWhoTakesDashF() {
        HelpTest.Result r = HelpTest.run("show", "-f", "stack.yaml", "prod.plan");
        assertEquals(1, r.code(), r.err());
        assertFalse(r.err().contains("Did you mean '-h'"), r.err());
        assertTrue(r.err().contains("show does not take -f (validate, plan, apply and "), r.err());
    }

    @Test
    void noOtherLetterIsGuessed() {
        HelpTest.Result r = HelpTest.run("plan", "-x");
        assertEquals(1, r.code(), r.err());
        assertFalse(r.err().contains("Did you mean"), r.err());
        assertTrue(HelpTest.run("plan", "-F", "x.yaml").err().contains("Did you mean '-f'?"), "another case of the letter");
    }
}

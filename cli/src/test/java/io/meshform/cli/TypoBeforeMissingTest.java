package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * picocli checks what is missing before what it did not understand: `meshform show --jsn PLAN` said "Unknown option:
 * '--jsn' / Did you mean '--json'?", but `meshform show --jsn` said only "Missing required parameter: 'PLANFILE'", and
 * the typo went unsaid. The argument not understood is now said first, with its suggestion, in every command.
 */
class TypoBeforeMissingTest {
    @Test
    void aMistypedOptionIsSaidEvenWhenAParameterIsMissingToo() {
        HelpTest.Result show = HelpTest.run("show", "--jsn");
        assertEquals(1, show.code(), show.err());
        assertTrue(show.err().startsWith("Error: Unknown option: '--jsn'\nDid you mean '--json'?\n"), show.err());
        assertFalse(show.err().contains("Missing required parameter"), show.err());

        HelpTest.Result state = HelpTest.run("state", "show", "--contxt", "c");
        assertTrue(state.err().startsWith("Error: Unknown option: '--contxt'"), state.err());
        assertTrue(state.err().contains("Did you mean '--context'?"), state.err());
        HelpTest.Result imp = HelpTest.run("import", "--kubeconfg", "k");
        assertTrue(imp.err().contains("Did you mean '--kubeconfig'?"), imp.err());
    }

    @Test
    void aMissingParameterAloneIsStillSaid() {
        HelpTest.Result r = HelpTest.run("show");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("Error: Missing required parameter: 'PLANFILE'"), r.err());
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * graph reads neither a state nor a cluster: its help offered {@code --context} ("Kubeconfig context (default: the
 * current context)"), which graph then refused, and {@code --kubeconfig}, which it ignored. Both are out of its help;
 * {@code --context} is still refused with the reason, {@code --kubeconfig} accepted with a note, as every option a
 * command does nothing with is.
 */
class GraphOptionsTest {
    @Test
    void graphsHelpOffersNoClusterOptions() {
        String help = HelpTest.run("graph", "--help").out();
        assertFalse(help.contains("--context="), help);
        assertFalse(help.contains("--kubeconfig="), help);
        assertTrue(help.contains("--istioctl="), "graph checks the stack's istioctl field, which --istioctl allows");
    }

    @Test
    void contextIsStillRefusedAndKubeconfigAcceptedWithANote() {
        HelpTest.Result context = HelpTest.run("graph", "-f", "/nonexistent/stack.yaml", "--context", "prod");
        assertEquals(1, context.code());
        assertTrue(context.err().contains("graph reads no state and no cluster, so it does not take --context"), context.err());

        HelpTest.Result kubeconfig = HelpTest.run("graph", "-f", "/nonexistent/stack.yaml", "--kubeconfig", "/nonexistent/kc");
        assertEquals(1, kubeconfig.code(), "the missing stack is the error");
        assertTrue(kubeconfig.err().startsWith("Note: graph reads no cluster, so --kubeconfig does nothing here;"), kubeconfig.err());
    }
}

package io.meshform.providers.istio.install;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.providers.istio.core.Istioctl;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code istioctl install} (1.30.3) refusing an IstioOperator at once: its stderr, as it wrote it, is the logo, a blank
 * line and the error; the error is quoted without the logo.
 */
class InstallOutputTest {
    private static final List<String> STDERR = List.of(
            "        |\\          ",
            "        | \\         ",
            "        |  \\        ",
            "        |   \\       ",
            "      /||    \\      ",
            "     / ||     \\     ",
            "    /  ||      \\    ",
            "   /   ||       \\   ",
            "  /    ||        \\  ",
            " /     ||         \\ ",
            "/______||__________\\",
            "____________________",
            "  \\__       _____/  ",
            "     \\_____/        ",
            "",
            "Error: generate config: could not unmarshal: error unmarshaling JSON: while decoding JSON: json: cannot"
                    + " unmarshal string into Go value of type bool");

    @Test
    void theLogoIsLeftOutOfTheQuotedTail() {
        assertEquals(STDERR.get(STDERR.size() - 1), InstallOutput.tail(new Istioctl.Result(1, List.of(), STDERR), 20));
    }

    @Test
    void otherLinesStayAndTheTailIsTheLastOnes() {
        List<String> err = List.of("✘ Istiod encountered an error: failed to wait for resource", "- Processing resources",
                "Error: failed to install manifests: errors occurred during operation");
        assertEquals(String.join("\n", err.subList(1, 3)), InstallOutput.tail(new Istioctl.Result(1, List.of(), err), 2));
    }
}

package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/cortex-staging.yaml tells its reader how to give the addons' directory; followed as written, it must work.
 * A directory outside the example's own (where an unpacked Istio release is) is refused without
 * {@code --allow-outside-root} (StackRoot), so the comment must say so, and one copied beside the file works without it.
 */
class StagingAddonsCommentTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path elsewhere;

    private String output = "";

    private int validate(Path stack, String addons, String... more) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>(List.of("validate", "-f", stack.toString(), "--var", "istioAddons=" + addons,
                "--istioctl", io.meshform.testkit.Testbed.istioctl().toString()));
        args.addAll(List.of(more));
        int code = Main.run(new Terminal(ps, ps, new ByteArrayInputStream(new byte[0]), Map.of(), false), args.toArray(String[]::new));
        output = out.toString(StandardCharsets.UTF_8);
        return code;
    }

    /** One object per addon file will do: validate reads each. */
    private static void writeAddons(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String a : List.of("kiali", "prometheus", "grafana", "jaeger")) {
            Files.writeString(dir.resolve(a + ".yaml"), "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: " + a + "}\n");
        }
    }

    private static String headerComment() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(REPO.resolve("examples/cortex-staging.yaml"))) {
            if (!line.startsWith("#")) {
                break;
            }
            sb.append(line.substring(1)).append('\n');
        }
        return sb.toString().replace("\n ", " ");
    }

    @Test
    void aDirectoryOutsideTheExampleNeedsWhatTheCommentSays() throws IOException {
        writeAddons(elsewhere.resolve("addons"));
        Path stack = REPO.resolve("examples/cortex-staging.yaml");
        assertEquals(1, validate(stack, elsewhere.resolve("addons").toString()), output);
        assertTrue(output.contains("is outside the stack's root directory") && output.contains("--allow-outside-root"), output);
        String comment = headerComment();
        assertTrue(comment.contains("--var istioAddons=DIR") && comment.contains("--allow-outside-root"),
                "the comment must name the option a DIR outside needs:\n" + comment);
        assertEquals(0, validate(stack, elsewhere.resolve("addons").toString(), "--allow-outside-root"), output);
    }

    @Test
    void aDirectoryCopiedBesideTheStackNeedsNoOption() throws IOException {
        Path copy = elsewhere.resolve("examples");
        Files.createDirectories(copy);
        for (String f : List.of("cortex-staging.yaml", "cortex-base.yaml")) {
            Files.copy(REPO.resolve("examples").resolve(f), copy.resolve(f));
        }
        writeAddons(copy.resolve("addons"));
        assertTrue(headerComment().contains("--var istioAddons=addons"), headerComment());
        assertEquals(0, validate(copy.resolve("cortex-staging.yaml"), "addons"), output);
    }
}

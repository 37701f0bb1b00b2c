package io.meshform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --root} names the directory that holds the stack and the files it names. A misspelt one (a directory that
 * does not exist, a file, a directory beside or below the stack's) was taken without a word: a stack naming no other
 * file validated with it, and one with an import was told the import lay outside that root.
 */
class RootOptionTest {
    @TempDir
    Path dir;

    private Path stack() throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        return Files.writeString(dir.resolve("meshform.yaml"), """
                apiVersion: meshform.io/v1alpha1
                kind: Stack
                metadata: {name: demo}
                resources:
                  - type: kubernetes.namespace
                    name: team
                    spec: {name: team-a}
                """);
    }

    @Test
    void aRootThatIsNoDirectoryIsAUsageError() throws IOException {
        Path stack = stack();
        for (Path root : new Path[] {dir.resolve("nowhere"), stack}) {
            HelpTest.Result r = HelpTest.run("validate", "-f", stack.toString(), "--root", root.toString());
            assertEquals(1, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("Invalid value for option '--root': " + root + (root.equals(stack)
                    ? " is not a directory" : " does not exist") + ": give the directory that holds the stack file"), r.err());
            assertFalse(r.out().contains("Success"), r.out());
        }
    }

    @Test
    void aRootThatDoesNotHoldTheStackFileIsRefusedUnlessOutsideFilesAreAllowed() throws IOException {
        Path stack = stack();
        HelpTest.Result r = HelpTest.run("validate", "-f", stack.toString(), "--root", dir.resolve("sub").toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("--root " + dir.resolve("sub") + " does not hold the stack file " + stack), r.err());
        assertFalse(r.out().contains("Success"), r.out());
        // the directory that holds it, or one above it, is a root; --allow-outside-root lifts every root rule
        assertTrue(HelpTest.run("validate", "-f", stack.toString(), "--root", dir.toString(), "--istioctl", "/bin/true")
                .err().indexOf("--root") < 0);
        assertTrue(HelpTest.run("validate", "-f", stack.toString(), "--root", dir.getParent().toString(), "--istioctl",
                "/bin/true").err().indexOf("--root") < 0);
        assertTrue(HelpTest.run("validate", "-f", stack.toString(), "--root", dir.resolve("sub").toString(),
                "--allow-outside-root", "--istioctl", "/bin/true").err().indexOf("--root") < 0);
    }
}

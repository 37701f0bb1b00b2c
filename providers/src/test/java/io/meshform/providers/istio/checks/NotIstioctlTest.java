package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.model.Environment;
import io.meshform.engine.spi.CheckContext;
import io.meshform.providers.istio.core.Istioctl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program given as istioctl that is not Istio's ({@code --istioctl /bin/true}: exits 0, prints nothing) is named
 * with where it was chosen and the fix, by validate and analyze alike; its silence is never read as "valid".
 */
class NotIstioctlTest {
    @TempDir
    Path dir;

    private Istioctl program(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return new Istioctl(p.toString(), "--istioctl", null, null).rememberingNothing();
    }

    @Test
    void analyzeNamesTheProgramAndSaysWhatToDo() throws IOException {
        Istioctl silent = program("true", "exit 0");
        List<Diagnostic> ds = IstioAnalysis.findings(new FakeCluster().mesh(MeshChecksTest.ctx(CheckContext.Purpose.PLAN,
                Environment.PRODUCTION, MeshChecksTest.MESH_STRICT)), silent);
        assertEquals(1, ds.size(), ds.toString());
        assertEquals("istioctl analyze did not run: istioctl " + silent.binary() + " (from --istioctl) exited 0 and printed"
                + " nothing", ds.get(0).summary());
        assertTrue(ds.get(0).detail().startsWith("is it Istio's istioctl? point --istioctl or MESHFORM_ISTIOCTL at the"
                + " istioctl of the release the stack names\n"), ds.get(0).detail());
    }

    @Test
    void anIstioctlThatFailsIsQuotedWithoutBeingDoubted() throws IOException {
        Istioctl refused = program("istioctl", "echo 'Error: secrets is forbidden' >&2; exit 1");
        Diagnostic d = IstioAnalysis.findings(new FakeCluster().mesh(MeshChecksTest.ctx(CheckContext.Purpose.DRIFT,
                Environment.PRODUCTION, MeshChecksTest.MESH_STRICT)), refused).get(0);
        assertEquals("istioctl analyze did not run: istioctl " + refused.binary() + " (from --istioctl) exited 1 and printed:"
                + " Error: secrets is forbidden", d.summary());
        assertFalse(d.detail().contains("is it Istio's istioctl?"), d.detail());
    }

    @Test
    void validateDoesNotCallSilenceValid() throws IOException {
        Istioctl silent = program("true", "exit 0");
        CheckContext ctx = Stacks.plan(Stacks.load(dir, "  - {type: istio.peerAuthentication, name: p, spec: {namespace: c}}\n"));
        List<Diagnostic> ds = new IstioValidation(silent).check(ctx);
        assertEquals(1, ds.size(), ds.toString());
        Diagnostic d = ds.get(0);
        assertFalse(d.isError(), "not checked is a warning, as without istioctl (--strict refuses it)");
        assertEquals("Istio's validation did not run on the stack's 1 Istio object(s): istioctl " + silent.binary()
                + " (from --istioctl) exited 0 and printed nothing", d.summary());
        assertTrue(d.detail().endsWith("applied. Is it Istio's istioctl? point --istioctl or MESHFORM_ISTIOCTL at the istioctl of"
                + " the release the stack names"), d.detail());
    }
}

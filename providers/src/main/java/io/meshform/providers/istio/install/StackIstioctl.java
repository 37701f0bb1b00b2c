package io.meshform.providers.istio.install;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.StackContext;
import io.meshform.providers.istio.core.Istioctl;
import io.meshform.providers.kubernetes.KubeConnection;
import io.meshform.providers.kubernetes.KubeErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An install's own {@code istioctl} field names a program, and whoever can edit the stack is often not whoever runs
 * plan (a pull request planned by a pipeline): the program runs only when the command line allows it, with
 * {@code --allow-stack-istioctl} or by naming the same file with {@code --istioctl}. Otherwise plan stops and says
 * why, and validate says it first.
 */
final class StackIstioctl {
    private final KubeConnection kube;
    private final Istioctl defaultIstioctl;

    StackIstioctl(KubeConnection kube, Istioctl defaultIstioctl) {
        this.kube = kube;
        this.defaultIstioctl = defaultIstioctl;
    }

    /** Where a plan's spec is read: the stack. */
    static final String STACK = "the stack";
    /** Where drift's and a delete's spec is read: the state. */
    static final String RECORD = "the state's record of this install";

    /** Whether the spec names its own istioctl at all. */
    static boolean named(String own) {
        return own != null && !own.isBlank();
    }

    /**
     * The istioctl to run for {@code own} (relative to the stack file), or an error when the user did not allow it.
     * {@code whose} says where {@code own} was read, as the refusal names it: the stack, or the state's record (drift
     * checks what was applied, and destroy uninstalls it, both with the recorded spec; the record may name a program
     * the stack no longer does).
     */
    Istioctl choose(StackContext context, ResourceAddress address, String own, String whose) {
        if (!named(own)) {
            return defaultIstioctl;
        }
        Path program = program(own, context.baseDirectory());
        if (!allowed(program)) {
            throw KubeErrors.error(address + ": " + whose + " names its own istioctl (" + own + "), and meshform runs a"
                            + " program a stack or its state names only when the command line allows it",
                    "whoever can edit the stack could otherwise run any program in the pipeline that plans it. If you trust"
                            + " this stack's istioctl, pass --allow-stack-istioctl, or name the same program with --istioctl "
                            + program + "; or remove `istioctl` from the spec to use the istioctl of --istioctl,"
                            + " MESHFORM_ISTIOCTL or PATH");
        }
        String path = program.toString();
        // One per binary and run, so its version is asked once.
        return context.memo(new Key(path), () -> defaultIstioctl.withBinary(path, "the istioctl field of " + address));
    }

    /** validate's view: the same refusal as plan's, known without a cluster; null when the program may run. */
    FieldProblem problem(String own) {
        if (!named(own) || allowed(program(own, null))) {
            return null;
        }
        return FieldProblem.error("/istioctl", "the stack names its own istioctl (" + own + "), and meshform runs a"
                + " program a stack names only when the command line allows it", "pass --allow-stack-istioctl, or name"
                + " the same program with --istioctl " + program(own, null) + "; or remove `istioctl` to use the"
                + " istioctl of --istioctl, MESHFORM_ISTIOCTL or PATH");
    }

    /** Whether {@code own} may run for a stack in {@code stackDirectory}. */
    boolean allowed(String own, Path stackDirectory) {
        return !named(own) || allowed(program(own, stackDirectory));
    }

    /** The program an install's {@code istioctl} names: relative to the stack's root, else to the stack file. */
    private Path program(String own, Path stackDirectory) {
        Path p = Path.of(own);
        Path base = kube.files().base() != null ? kube.files().base() : stackDirectory;
        if (!p.isAbsolute() && base != null) {
            p = base.resolve(p);
        }
        return p.toAbsolutePath().normalize();
    }

    /** --allow-stack-istioctl, or the program is the one the user named with --istioctl (or MESHFORM_ISTIOCTL). */
    private boolean allowed(Path program) {
        if (kube.settings().get("allowStackIstioctl").map("true"::equals).orElse(false)) {
            return true;
        }
        String chosen = kube.settings().get("istioctl").orElse(null);
        if (chosen == null) {
            return false;
        }
        try {
            return Files.isSameFile(Path.of(chosen).toAbsolutePath(), program);
        } catch (IOException e) {
            return Path.of(chosen).toAbsolutePath().normalize().equals(program);
        }
    }

    /** The key of an install's own istioctl in the run's memo. */
    private record Key(String path) {
    }
}

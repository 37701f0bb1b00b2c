package io.meshform.cli;

import picocli.CommandLine.Command;

@Command(name = "destroy", description = "Remove everything the state records, in reverse dependency order.",
        footerHeading = "%nExamples:%n", footer = {
            "  meshform destroy -f examples/cortex-staging.yaml",
            "  meshform destroy -f stack.yaml --exclude istio.install.mesh --auto-approve",
            "", ExitCodes.DESTROY_HELP})
final class DestroyCommand extends ApplyCommand {
    DestroyCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    boolean destroy() {
        return true;
    }
}

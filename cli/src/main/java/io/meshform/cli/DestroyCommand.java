package io.meshform.cli;

import picocli.CommandLine.Command;

@Command(name = "destroy", description = "Remove everything the state records, in reverse dependency order.",
        footer = {"", ExitCodes.HELP})
final class DestroyCommand extends ApplyCommand {
    DestroyCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    boolean destroy() {
        return true;
    }
}

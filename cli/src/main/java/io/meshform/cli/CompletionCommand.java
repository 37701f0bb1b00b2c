package io.meshform.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Prints a shell completion script: commands, options, and option values ({@code --format}, {@code --log-level},
 * file names). picocli writes the bash script; zsh runs the same script through its bash compatibility layer
 * ({@code bashcompinit}), which the script turns on itself when zsh sources it.
 */
@Command(name = "completion", description = "Print the shell completion script for bash or zsh.",
        footerHeading = "%nExamples:%n", footer = {
            "  meshform completion bash > /etc/bash_completion.d/meshform",
            "  source <(meshform completion bash)                      # this shell",
            "  echo 'source <(meshform completion zsh)' >> ~/.zshrc   # zsh"})
final class CompletionCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SHELL", converter = Choices.Shell.class, completionCandidates = Choices.Shell.class,
            description = "bash or zsh (default: none, required).")
    String shell;

    @Spec
    CommandSpec spec;

    private final Terminal terminal;

    CompletionCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        String script = AutoComplete.bash("meshform", spec.commandLine().getParent());
        if (shell.equals("zsh")) {
            // Makes the script work when it is saved to a file that zsh's compinit loads, as well as when sourced.
            script = "#compdef meshform\nautoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n"
                    + script;
        }
        terminal.out().print(script);
        return ExitCodes.OK;
    }
}

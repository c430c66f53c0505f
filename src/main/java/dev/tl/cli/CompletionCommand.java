package dev.tl.cli;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tl completion bash}: a completion script for tl's commands, options and backbone names. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print a bash completion script for tl (commands, options, --model names); works in zsh "
                + "too, after autoload bashcompinit && bashcompinit.",
        footerHeading = "%nExamples:%n",
        footer = {"  tl completion bash > ~/.local/share/bash-completion/completions/tl",
                "  source <(tl completion bash)          # in this shell only"})
final class CompletionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", arity = "1", completionCandidates = Shells.class,
            description = "The shell: bash.")
    String shell;

    /** The shells a script can be printed for. */
    static final class Shells implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("bash").iterator();
        }
    }

    @Override
    public Integer call() {
        Flags.require(shell.equals("bash"), "SHELL", "only bash is supported (zsh reads the bash script after "
                + "bashcompinit), not '" + shell + "'");
        spec.commandLine().getOut().print(AutoComplete.bash("tl", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}

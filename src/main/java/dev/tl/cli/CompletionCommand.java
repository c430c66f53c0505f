package dev.tl.cli;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tl completion bash}: a completion script for tl's commands, options and backbone names, and for the
 * options that take a word or a file, both.
 */
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
        spec.commandLine().getOut().print(wordsOrFiles(AutoComplete.bash("tl", spec.root().commandLine())));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** Options whose value is one of a few words or a file, and those words (one per line: IFS is a newline). */
    private static final Map<String, String> WORDS_OR_FILES = Map.of(WeightsOption.NAME, "imagenet none",
            "--class-weights", "auto none");

    /**
     * picocli completes an option either from fixed words or as a file, and leaves one that takes either without
     * completion ({@code --weights)} followed by a bare {@code return}): that case gets both.
     */
    static String wordsOrFiles(String script) {
        for (Map.Entry<String, String> option : WORDS_OR_FILES.entrySet()) {
            script = script.replace("    " + option.getKey() + ")\n      return\n", "    " + option.getKey() + ")\n"
                    + "      local IFS=$'\\n'\n"
                    + "      type compopt &>/dev/null && compopt -o filenames\n"
                    + "      COMPREPLY=( $( compgen -W $'" + option.getValue().replace(" ", "\\n") + "' -- \"${curr_word}\" )"
                    + " $( compgen -f -- \"${curr_word}\" ) )\n"
                    + "      return 0\n");
        }
        return script;
    }
}

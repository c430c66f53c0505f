package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CommandTreeTest {

    private static final int ALL_COMMANDS = TlCli.commandLine().getSubcommands().size();

    @Test
    void aCommandThatReadsNoOtherIsBuiltAlone() {
        assertThat(TlCli.commandLine(new String[] {"-q", "predict", "--model-dir", "m", "a.jpg"}).getSubcommands())
                .containsOnlyKeys("predict");
        assertThat(TlCli.commandLine(new String[] {"train", "--data", "d"}).getSubcommands())
                .containsOnlyKeys("train");
    }

    @Test
    void helpCompletionAndMistypedCommandsSeeThemAll() {
        assertThat(ALL_COMMANDS).isGreaterThan(10);
        for (String[] args : new String[][] {{}, {"--help"}, {"help", "train"}, {"completion", "bash"}, {"trian"}}) {
            assertThat(TlCli.commandLine(args).getSubcommands()).as(String.join(" ", args)).hasSize(ALL_COMMANDS);
        }
    }

    @Test
    void trainKeepsItsHelpHeadingsWhenBuiltAlone() {
        CommandLine alone = TlCli.commandLine(new String[] {"train", "--help"}).getSubcommands().get("train");
        CommandLine inTree = TlCli.commandLine().getSubcommands().get("train");
        assertThat(alone.getUsageMessage(CommandLine.Help.Ansi.OFF))
                .isEqualTo(inTree.getUsageMessage(CommandLine.Help.Ansi.OFF));
    }
}

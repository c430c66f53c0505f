package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

/** {@code tl train --help} lists every option once, under a heading, and ends with examples. */
class HelpTest {

    @Test
    void trainHelpGroupsEveryOptionUnderAHeading() {
        CliRunner.Result help = CliRunner.run("train", "--help");

        assertThat(help.exitCode()).isZero();
        List<String> lines = help.out().lines().toList();
        assertThat(lines).containsSubsequence("Usage: tl train [OPTIONS]", "Data:", "Model:", "Phases:",
                "Optimisation:", "Augmentation:", "Output:", "Compute:", "General:", "Examples:");
        List<String> general = lines.subList(lines.indexOf("General:"), lines.indexOf("Examples:"));
        assertThat(String.join("\n", general)).doesNotContain("--data", "--model", "--lr"); // only help and logging
        // negatable flags show as --[no-]name
        for (OptionSpec option : TlCli.commandLine().getSubcommands().get("train").getCommandSpec().options()) {
            String longNames = Arrays.stream(option.names()).filter(name -> name.startsWith("--"))
                    .map(name -> name.replace("--", "--(\\[no-])?")).collect(Collectors.joining(", "));
            assertThat(lines).as(option.longestName()).filteredOn(line -> line.matches(
                    "  (-\\w, |    )" + longNames + "([=\\[ ].*)?")).hasSize(1);
        }
    }

    @Test
    void everyCommandEndsItsHelpWithExamples() {
        for (String command : TlCli.commandLine().getSubcommands().keySet()) {
            if (!command.equals("help")) {
                assertThat(CliRunner.run(command, "--help").out()).as(command).contains("Examples:\n  tl " + command);
            }
        }
    }
}

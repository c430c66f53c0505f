package dev.tl.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Options users bring from Keras and fastai scripts that tl splits by phase, too far from tl's names for picocli's
 * spelling suggestions: {@code --epochs} is {@code --frozen-epochs} and {@code --finetune-epochs}.
 */
final class OtherToolsOptions {

    private static final Map<String, List<String>> MEANINGS = Map.of(
            "--epochs", List.of("--frozen-epochs N    epochs of the head on the frozen base",
                    "--finetune-epochs N  epochs of the base fine-tuned with the head"),
            "--learning-rate", List.of("--lr F               the rate of the frozen phase",
                    "--finetune-lr F      the rate of the fine-tune phase"));

    private OtherToolsOptions() {
    }

    /** What to give instead of each unmatched argument of another tool's that means options {@code command} has. */
    static List<String> suggest(List<String> unmatched, CommandSpec command) {
        return unmatched.stream().map(argument -> argument.split("=", 2)[0]).distinct()
                .filter(MEANINGS::containsKey)
                .filter(name -> MEANINGS.get(name).stream()
                        .allMatch(option -> command.findOption(option.split(" ", 2)[0]) != null))
                .map(name -> "tl trains in two phases; instead of " + name + ", give either or both of\n  "
                        + String.join("\n  ", MEANINGS.get(name)))
                .toList();
    }
}

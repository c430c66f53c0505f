package dev.tl.cli;

import dev.tl.Json;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tl models}: the backbones tl can train. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List the available backbones.")
final class ModelsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON array instead of a table.")
    boolean json;

    /**
     * One row of the listing. {@code parameters} includes Keras' ImageNet classifier and counts BatchNorm's moving
     * statistics, as Keras does (EfficientNet: Keras' count less its 7 in-model Normalization values);
     * {@code baseParameters} is the backbone alone.
     */
    record Row(String name, int inputSize, String preprocessing, long parameters, long baseParameters,
               String weightsUrl, String weightsHash, String topWeightsUrl, String topWeightsHash) {
    }

    @Override
    public Integer call() {
        List<Row> rows = Backbones.all().stream().map(ModelsCommand::row).toList();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(rows));
        } else {
            out.printf(Locale.ROOT, "%-16s %6s %-14s %12s %12s  %s%n", "name", "input", "preprocessing",
                    "params", "base params", "imagenet weights (base)");
            for (Row row : rows) {
                out.printf(Locale.ROOT, "%-16s %6d %-14s %,12d %,12d  %s%n", row.name(), row.inputSize(),
                        row.preprocessing(), row.parameters(), row.baseParameters(), row.weightsUrl());
            }
        }
        out.flush();
        return 0;
    }

    private static Row row(Backbone backbone) {
        return new Row(backbone.name(), backbone.defaultImageSize(), backbone.preprocessing().id(),
                backbone.parameterCountWithTop(), backbone.baseParameterCount(), backbone.noTopWeights().url(),
                backbone.noTopWeights().hash(), backbone.topWeights().url(), backbone.topWeights().hash());
    }
}

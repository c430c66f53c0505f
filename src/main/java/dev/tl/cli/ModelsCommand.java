package dev.tl.cli;

import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import dev.tl.zoo.PretrainedWeights;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tl models}: the backbones tl can train. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the available backbones (-v adds the URLs of their ImageNet weights; --json has them too).",
        footerHeading = "%nExamples:%n", footer = {"  tl models", "  tl -v models", "  tl models --json"})
final class ModelsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

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
        output.print(spec, Backbones.all().stream().map(ModelsCommand::row).toList(),
                new ModelsRenderer(TlCli.verbose()));
        return 0;
    }

    private static Row row(Backbone backbone) {
        PretrainedWeights.Files files = backbone.weights().forSize(backbone.defaultImageSize());
        return new Row(backbone.name(), backbone.defaultImageSize(), backbone.preprocessing().id(),
                backbone.parameterCountWithTop(), backbone.baseParameterCount(), files.noTop().url(),
                files.noTop().hash(), files.withTop().url(), files.withTop().hash());
    }

    /** A table, one backbone per line, narrow enough for any terminal; with the weight URLs under each if asked. */
    private record ModelsRenderer(boolean withUrls) implements Renderer<List<Row>> {
        @Override
        public String text(List<Row> rows) {
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-16s %5s  %-13s %12s %12s",
                    "name", "input", "preprocessing", "params", "base params"));
            for (Row row : rows) {
                out.append(String.format(Locale.ROOT, "%n%-16s %5d  %-13s %,12d %,12d", row.name(), row.inputSize(),
                        row.preprocessing(), row.parameters(), row.baseParameters()));
                if (withUrls) {
                    out.append(String.format("%n    weights: %s%n    with classifier: %s", row.weightsUrl(),
                            row.topWeightsUrl()));
                }
            }
            return out.toString();
        }
    }
}

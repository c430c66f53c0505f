package dev.tl.cli;

import dev.tl.data.Framing;
import dev.tl.data.InputSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.NetworkCost;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import dev.tl.zoo.NetBuilder;
import dev.tl.zoo.PretrainedWeights;
import dev.tl.zoo.PublishedAccuracy;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tl models}: the backbones tl can train, and what each costs and scores on ImageNet. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"List the available backbones: input size, parameters (with Keras' ImageNet classifier), "
                + "multiply-adds per image, the ImageNet top-1/top-5 accuracy Keras publishes for their weights "
                + "and the preprocessing.",
                "-v adds the URLs of their ImageNet weights; --json has them too, and the hashes."},
        footerHeading = "%nExamples:%n",
        footer = {"  tl models", "  tl models --sort accuracy", "  tl -v models", "  tl models --json"})
final class ModelsCommand implements Callable<Integer> {

    /** What {@code --sort} orders by: best accuracy first, or fewest parameters, or fewest multiply-adds. */
    enum Order { accuracy, size, speed }

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Option(names = "--sort", paramLabel = "KEY", description = "Order by ${COMPLETION-CANDIDATES}: the highest "
            + "ImageNet top-1 first (unpublished last), the fewest parameters, or the fewest multiply-adds per image. "
            + "Default: the families in turn.")
    Order order;

    /**
     * One row of the listing. {@code parameters} includes Keras' ImageNet classifier and counts BatchNorm's moving
     * statistics, as Keras does (EfficientNet: Keras' count less its 7 in-model Normalization values);
     * {@code baseParameters} is the backbone alone. {@code multiplyAdds} is one image through that classifier at
     * the default input size (convolutions and dense layers). The accuracies are fractions, null where Keras
     * publishes none; {@code accuracySource} says where Keras publishes them.
     */
    record Row(String name, int inputSize, String preprocessing, long parameters, long baseParameters,
               long multiplyAdds, Double imagenetTop1, Double imagenetTop5, String accuracySource,
               String weightsUrl, String weightsHash, String topWeightsUrl, String topWeightsHash) {
    }

    @Override
    public Integer call() {
        List<Row> rows = Backbones.all().stream().map(ModelsCommand::row).toList();
        if (order != null) {
            rows = rows.stream().sorted(comparator(order)).toList();
        }
        output.print(spec, rows, new ModelsRenderer(TlCli.verbose()));
        return 0;
    }

    private static Comparator<Row> comparator(Order order) {
        return switch (order) {
            case accuracy -> Comparator.comparing(Row::imagenetTop1,
                    Comparator.nullsLast(Comparator.<Double>reverseOrder()));
            case size -> Comparator.comparingLong(Row::parameters);
            case speed -> Comparator.comparingLong(Row::multiplyAdds);
        };
    }

    private static Row row(Backbone backbone) {
        int size = backbone.defaultImageSize();
        PretrainedWeights.Files files = backbone.weights().forSize(size);
        long multiplyAdds = NetworkCost.of(ModelGraphs.imagenetClassifierConfiguration(backbone, size),
                List.of(new InputSpec(size, backbone.preprocessing(), NetBuilder.layout(), Framing.SQUASH)))
                .multiplyAdds();
        Optional<PublishedAccuracy> accuracy = backbone.publishedAccuracy();
        return new Row(backbone.name(), size, backbone.preprocessing().id(), backbone.parameterCountWithTop(),
                backbone.baseParameterCount(), multiplyAdds, accuracy.map(PublishedAccuracy::top1).orElse(null),
                accuracy.map(PublishedAccuracy::top5).orElse(null),
                accuracy.map(PublishedAccuracy::source).orElse(null), files.noTop().url(), files.noTop().hash(),
                files.withTop().url(), files.withTop().hash());
    }

    /** A table, one backbone per line, in 80 columns; with the weight URLs under each if asked. */
    private record ModelsRenderer(boolean withUrls) implements Renderer<List<Row>> {

        private static final String FORMAT = "%-29s %4s %12s %9s %6s %6s %s";

        @Override
        public String text(List<Row> rows) {
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT, FORMAT, "name", "size", "parameters",
                    "mult-adds", "top-1", "top-5", "preproc."));
            for (Row row : rows) {
                out.append(System.lineSeparator()).append(String.format(Locale.ROOT, FORMAT, row.name(),
                        row.inputSize(), String.format(Locale.ROOT, "%,d", row.parameters()),
                        multiplyAdds(row.multiplyAdds()), percent(row.imagenetTop1()), percent(row.imagenetTop5()),
                        row.preprocessing()));
                if (withUrls) {
                    out.append(String.format("%n    weights: %s%n    with classifier: %s", row.weightsUrl(),
                            row.topWeightsUrl()));
                }
            }
            return out.toString();
        }

        private static String multiplyAdds(long count) {
            return count >= 1_000_000_000 ? String.format(Locale.ROOT, "%.1fG", count / 1e9)
                    : String.format(Locale.ROOT, "%.1fM", count / 1e6);
        }

        private static String percent(Double fraction) {
            return fraction == null ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
        }
    }
}

package dev.tl.cli;

import dev.tl.Json;
import dev.tl.TlException;
import dev.tl.data.ImageSet;
import dev.tl.model.BaseSpecs;
import dev.tl.model.BaseWeights;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelSpec;
import dev.tl.train.FeatureCache;
import dev.tl.train.LearningRateFinder;
import dev.tl.train.RangeTest;
import dev.tl.train.RangeTestPlot;
import dev.tl.zoo.weights.WeightCache;
import dev.tl.zoo.weights.WeightsChoice;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tl lr-find}: the learning-rate range test on the frozen phase's head. */
@Command(name = "lr-find", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Find a learning rate for the frozen phase (--lr): train the head on the backbone's features "
                + "while the learning rate grows exponentially, and suggest the rate where the loss falls fastest.")
final class LrFindCommand implements Callable<Integer> {

    private static final String METHOD = "steepest descent of the smoothed loss";

    @Spec
    CommandSpec spec;

    @Mixin
    LabelOptions labels;

    @Mixin
    ConfigOption config;

    @Option(names = "--model", required = true, paramLabel = "NAME[,NAME...]",
            description = "Backbone (see `tl models`); several comma-separated backbones are fused.")
    String model;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Training images, one sub-folder per class.")
    Path data;

    @Option(names = "--weights", defaultValue = "imagenet", paramLabel = "imagenet|none|FILE",
            description = "Starting weights of the base (as for train). Default: ${DEFAULT-VALUE}.")
    String weights;

    @Option(names = "--image-size", paramLabel = "N[,N...]", description = "Input size, or one per backbone. Default: each backbone's own.")
    String imageSize;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--start-lr", defaultValue = "1e-7", paramLabel = "F", description = "Default: ${DEFAULT-VALUE}.")
    double startLr;

    @Option(names = "--end-lr", defaultValue = "10", paramLabel = "F", description = "Default: ${DEFAULT-VALUE}.")
    double endLr;

    @Option(names = "--steps", defaultValue = "100", paramLabel = "N",
            description = "Mini-batches, one per learning rate (the data is passed over as often as needed). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--dense", defaultValue = "0", paramLabel = "N", description = "Head as for train. Default: ${DEFAULT-VALUE}.")
    int dense;

    @Option(names = "--dropout", defaultValue = "0.2", paramLabel = "F", description = "Head as for train. Default: ${DEFAULT-VALUE}.")
    double dropout;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Also plot loss against learning rate (log axis) to this PNG file.")
    Path plot;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Override
    public Integer call() {
        RangeTest test = new RangeTest(startLr, endLr, steps);
        if (batchSize < 1) {
            throw new TlException("--batch-size must be at least 1, got " + batchSize);
        }
        if (plot != null && !Files.isDirectory(plot.toAbsolutePath().getParent())) {
            throw new TlException("--plot: directory " + plot.toAbsolutePath().getParent() + " does not exist");
        }
        ImageSet images = labels.source().scan(data, "--data");
        ModelSpec modelSpec = new ModelSpec(BaseSpecs.parse(model, imageSize), new HeadSpec(dense, dropout),
                images.classes().size());
        LearningRateFinder.run(modelSpec, images,
                BaseWeights.resolve(modelSpec, WeightsChoice.parse(weights), WeightCache.standard()), test, batchSize,
                seed, FeatureCache.standard());
        if (plot != null) {
            RangeTestPlot.write(test, plot);
        }
        print(test);
        return 0;
    }

    private void print(RangeTest test) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("suggested_lr", test.suggestion());
            result.put("method", METHOD);
            result.put("diverged", test.diverged());
            if (plot != null) {
                result.put("plot", plot.toString());
            }
            result.put("points", test.points());
            out.println(Json.write(result));
        } else {
            out.printf("%10s  %10s  %10s%n", "lr", "loss", "smoothed");
            for (RangeTest.Point point : test.points()) {
                out.printf(Locale.ROOT, "%10.2e  %10.4f  %10.4f%n", point.learningRate(), point.loss(),
                        point.smoothedLoss());
            }
            if (test.diverged()) {
                out.printf("stopped after %d of %d steps: the loss diverged%n", test.points().size(), test.steps());
            }
            out.printf(Locale.ROOT, "suggested learning rate: %.2e (%s)%n", test.suggestion(), METHOD);
            if (plot != null) {
                out.printf("plot: %s%n", plot);
            }
        }
        out.flush();
    }
}

package dev.tl.cli;

import dev.tl.data.ImageSet;
import dev.tl.features.FeatureCache;
import dev.tl.model.BaseSpec;
import dev.tl.model.BaseWeights;
import dev.tl.model.ModelSpec;
import dev.tl.model.Precision;
import dev.tl.plot.RangeTestPlot;
import dev.tl.train.LearningRateFinder;
import dev.tl.train.RangeTest;
import dev.tl.zoo.weights.WeightCache;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tl lr-find}: the learning-rate range test on the frozen phase's head. */
@Command(name = "lr-find", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Find a learning rate for the frozen phase (--lr): train the head on the backbone's features "
                + "while the learning rate grows exponentially, and suggest the rate where the loss falls fastest.",
        footerHeading = "%nExamples:%n",
        footer = {"  tl lr-find --model mobilenet --data photos --plot lr.png",
                "  tl lr-find --model efficientnetb0 --data photos --json"})
final class LrFindCommand implements Callable<Integer> {

    private static final String PLOT = "--plot";

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    DeviceOption device;

    @Mixin
    EngineOption engine;

    @Mixin
    ModelOptions model;

    @Mixin
    LabelledImages images;

    @Mixin
    WeightsOption weights;

    @Mixin
    BatchSizeOption batch;

    @Option(names = "--start-lr", defaultValue = "1e-7", paramLabel = "F", converter = Converters.PositiveNumber.class,
            description = "Default: ${DEFAULT-VALUE}.")
    double startLr;

    @Option(names = "--end-lr", defaultValue = "10", paramLabel = "F", converter = Converters.PositiveNumber.class,
            description = "Default: ${DEFAULT-VALUE}.")
    double endLr;

    @Option(names = "--steps", defaultValue = "100", paramLabel = "N", converter = Converters.Positive.class,
            description = "Mini-batches, one per learning rate (the data is passed over as often as needed). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Mixin
    HeadOptions head;

    @Mixin
    SeedOption seed;

    @Option(names = PLOT, paramLabel = "FILE.png", description = "Also plot loss against learning rate (log axis) to this PNG file.")
    Path plot;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        Flags.require(endLr > startLr, "--end-lr", "must be greater than --start-lr (" + startLr + "), got " + endLr);
        Flags.require(steps >= 2, "--steps", "must be at least 2, got " + steps);
        if (plot != null) {
            Flags.outputFile(PLOT, plot, ".png", "a PNG file");
        }
        List<BaseSpec> bases = model.bases();
        ImageSet set = images.scan();
        ModelSpec modelSpec = new ModelSpec(bases, head.head(), set.classes().size());
        RangeTest test = LearningRateFinder.run(modelSpec, set,
                BaseWeights.resolve(modelSpec, weights.weights, WeightCache.standard()),
                new RangeTest(startLr, endLr, steps), batch.batchSize, seed.seed, FeatureCache.standard(),
                engine.choice(Precision.FP32));
        if (plot != null) {
            Flags.about(PLOT, () -> {
                RangeTestPlot.write(test, plot);
                return plot;
            });
        }
        output.print(spec, new RangeTestRenderer.Result(test, plot), new RangeTestRenderer());
        return 0;
    }
}

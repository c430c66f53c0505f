package dev.tl.cli;

import dev.tl.data.BatchLoader;
import dev.tl.data.ImageSet;
import dev.tl.data.UnlabelledImages;
import dev.tl.model.BaseWeights;
import dev.tl.model.FeatureFiles;
import dev.tl.model.Features;
import dev.tl.model.HeadSpec;
import dev.tl.model.Inference;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.zoo.weights.WeightCache;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tl embed}: the pooled backbone features of every image, with its path and label. */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write one feature vector per image (the backbone's global-average-pooled output), with its "
                + "path and label: class folders or a label option as for train, or a flat folder of images, "
                + "whose label is left empty.",
        footerHeading = "%nExamples:%n",
        footer = {"  tl embed --model mobilenet --data photos --out features.csv",
                "  tl embed --model densenet201,mobilenetv2 --data photos --out features.npy"})
final class EmbedCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(EmbedCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    ModelOptions model;

    @Mixin
    WeightsOption weights;

    @Mixin
    BatchSizeOption batch;

    @Mixin
    SeedOption seed;

    @Mixin
    LabelledImages images;

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "CSV (path,label,f0,f1,...), or a .npy float32 matrix with FILE.index.csv (path,label) beside it.")
    Path out;

    @Override
    public Integer call() {
        ModelSpec modelSpec = new ModelSpec(model.bases(), new HeadSpec(0, 0), 1);
        Flags.about("--out", () -> FeatureFiles.checkTarget(out));
        ImageSet set = images.labelled() || !UnlabelledImages.isFlatFolder(images.data()) ? images.scan()
                : new ImageSet(List.of(), UnlabelledImages.of(List.of(images.data()), images.check()));
        ComputationGraph extractor = ModelGraphs.featureExtractor(modelSpec, seed.seed);
        BaseWeights.load(extractor, modelSpec,
                BaseWeights.resolve(modelSpec, weights.weights, WeightCache.standard()));
        Features features;
        long start = System.nanoTime();
        try (BatchLoader loader = new BatchLoader(modelSpec.inputSpecs(), 0)) {
            features = Inference.features("embed", extractor, loader, set.images(), batch.batchSize);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        log.info("embedded {} images in {} s ({} img/s, decoding included)", features.size(),
                String.format(Locale.ROOT, "%.2f", seconds), String.format(Locale.ROOT, "%.2f", features.size() / seconds));
        Flags.about("--out", () -> {
            FeatureFiles.write(out, set, features);
            return out;
        });
        spec.commandLine().getOut().printf("wrote %d x %d features to %s%n", features.size(), features.dimension(),
                out.toAbsolutePath().normalize());
        spec.commandLine().getOut().flush();
        return 0;
    }
}

package dev.tl.cli;

import dev.tl.data.BatchLoader;
import dev.tl.data.ImageSet;
import dev.tl.data.LabelSource;
import dev.tl.model.BaseSpec;
import dev.tl.model.BaseSpecs;
import dev.tl.model.BaseWeights;
import dev.tl.model.FeatureFiles;
import dev.tl.model.Features;
import dev.tl.model.HeadSpec;
import dev.tl.model.Inference;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.zoo.weights.WeightCache;
import dev.tl.zoo.weights.WeightsChoice;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tl embed}: the pooled backbone features of every image, with its path and label. */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write one feature vector per image (the backbone's global-average-pooled output).")
final class EmbedCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(EmbedCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--model", required = true, paramLabel = "NAME[,NAME...]",
            description = "Backbone; several comma-separated backbones give their features concatenated.")
    String model;

    @Option(names = "--weights", defaultValue = "imagenet", paramLabel = "imagenet|none|FILE",
            description = "Weights of the backbone (as for train). Default: ${DEFAULT-VALUE}.")
    String weights;

    @Option(names = "--image-size", paramLabel = "N[,N...]", description = "Input size, or one per backbone. Default: each backbone's own.")
    String imageSize;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed of the random initialisation with --weights none. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Images, one sub-folder per class.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "CSV (path,label,f0,f1,...), or a .npy float32 matrix with FILE.index.csv (path,label) beside it.")
    Path out;

    @Override
    public Integer call() {
        List<BaseSpec> bases = BaseSpecs.parse(model, imageSize);
        ModelSpec modelSpec = new ModelSpec(bases, new HeadSpec(0, 0), 1);
        ImageSet images = LabelSource.FOLDERS.scan(data, "--data");
        ComputationGraph extractor = ModelGraphs.featureExtractor(modelSpec, seed);
        BaseWeights.load(extractor, modelSpec,
                BaseWeights.resolve(modelSpec, WeightsChoice.parse(weights), WeightCache.standard()));
        Features features;
        long start = System.nanoTime();
        try (BatchLoader loader = new BatchLoader(modelSpec.inputSpecs(), 0)) {
            features = Inference.features(extractor, loader, images.images(), Math.max(1, batchSize));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        log.info("embedded {} images in {} s ({} img/s, decoding included)", features.size(),
                String.format(Locale.ROOT, "%.2f", seconds), String.format(Locale.ROOT, "%.2f", features.size() / seconds));
        FeatureFiles.write(out, images, features);
        spec.commandLine().getOut().printf("wrote %d x %d features to %s%n", features.size(), features.dimension(),
                out.toAbsolutePath().normalize());
        spec.commandLine().getOut().flush();
        return 0;
    }
}

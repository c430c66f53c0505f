package dev.tl.cli;

import dev.tl.BuildInfo;
import dev.tl.TlException;
import dev.tl.bundle.BundleMetadata;
import dev.tl.bundle.ModelBundle;
import dev.tl.data.ImageFolder;
import dev.tl.data.ImageSet;
import dev.tl.model.BaseSpec;
import dev.tl.model.BaseSpecs;
import dev.tl.model.BaseWeights;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelSpec;
import dev.tl.model.Unfreeze;
import dev.tl.train.FeatureCache;
import dev.tl.train.TrainAugmentation;
import dev.tl.train.TrainOptions;
import dev.tl.train.TrainedModel;
import dev.tl.train.Trainer;
import dev.tl.zoo.weights.WeightCache;
import dev.tl.zoo.weights.WeightsChoice;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tl train}: two-phase transfer learning from a folder of labelled images to a model bundle. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a classifier on a class-per-folder image directory and save it as a model bundle.")
final class TrainCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(TrainCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "NAME[,NAME...]",
            description = "Backbone (see `tl models`); several comma-separated backbones are fused.")
    String model;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Training images, one sub-folder per class.")
    Path data;

    @Option(names = "--val-data", paramLabel = "DIR", description = "Validation images (same layout). Default: split --data.")
    Path valData;

    @Option(names = "--val-split", paramLabel = "F",
            description = "Fraction of --data held out for validation, stratified and seeded (default 0.2 without --val-data; 0 = none).")
    Double valSplit;

    @Option(names = "--weights", defaultValue = "imagenet", paramLabel = "imagenet|none|FILE",
            description = "Starting weights of the base: Keras ImageNet weights (downloaded once, then cached in $TL_HOME), random, or a Keras .h5 file. Default: ${DEFAULT-VALUE}.")
    String weights;

    @Option(names = "--image-size", paramLabel = "N[,N...]",
            description = "Input size in pixels, or one per fused backbone. Default: each backbone's own (224 for most).")
    String imageSize;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--frozen-epochs", defaultValue = "10", paramLabel = "N",
            description = "Epochs training the head on the frozen base. Default: ${DEFAULT-VALUE}.")
    int frozenEpochs;

    @Option(names = "--finetune-epochs", paramLabel = "N",
            description = "Epochs fine-tuning the base with the head. Default: 2 (0 for fused models).")
    Integer finetuneEpochs;

    @Option(names = "--unfreeze", defaultValue = "all", paramLabel = "all|N",
            description = "What the fine-tune phase trains: the whole base, or its top N layers. Default: ${DEFAULT-VALUE}.")
    String unfreeze;

    @Option(names = "--bn-trainable",
            description = "Let BatchNorm learn in the fine-tune phase (gamma/beta train, running statistics update). Default: BatchNorm stays in inference mode.")
    boolean bnTrainable;

    @Option(names = "--lr", defaultValue = "1e-3", paramLabel = "F", description = "Adam learning rate of the frozen phase. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--finetune-lr", defaultValue = "1e-4", paramLabel = "F", description = "Adam learning rate of the fine-tune phase. Default: ${DEFAULT-VALUE}.")
    double finetuneLr;

    @Option(names = "--dense", defaultValue = "0", paramLabel = "N", description = "Units of a Dense(ReLU) layer before the classifier; 0 = none. Default: ${DEFAULT-VALUE}.")
    int dense;

    @Option(names = "--dropout", defaultValue = "0.2", paramLabel = "F", description = "Dropout rate before the classifier. Default: ${DEFAULT-VALUE}.")
    double dropout;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed for the split, initialisation, shuffling and dropout. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--no-feature-cache",
            description = "Do not keep the frozen phase's backbone features in $TL_HOME/features for later runs.")
    boolean noFeatureCache;

    @Mixin
    AugmentOptions augment;

    @Option(names = "--output", defaultValue = "tl-model", paramLabel = "DIR", description = "Where to write the model bundle. Default: ./${DEFAULT-VALUE}.")
    Path output;

    @Override
    public Integer call() {
        List<BaseSpec> bases = BaseSpecs.parse(model, imageSize);
        boolean fused = bases.size() > 1;
        TrainOptions options = options(fused);
        TrainAugmentation augmentation = augment.trainAugmentation();
        WeightsChoice weightsChoice = WeightsChoice.parse(weights);
        if (fused && weightsChoice.kind() == WeightsChoice.Kind.FILE) {
            throw new TlException("--weights: a weight file fits a single backbone; fused models take imagenet or none");
        }

        ImageSet train = ImageFolder.scan(data, "--data");
        ImageSet validation;
        if (valData != null) {
            validation = ImageFolder.scanWithClasses(valData, "--val-data", train.classes());
        } else {
            ImageSet.Split split = train.stratifiedSplit(valSplit == null ? 0.2 : valSplit, seed);
            train = split.train();
            validation = split.validation();
        }
        logCounts(train, validation);
        if (augment.writePreview(train, bases.get(0).imageSize(), seed, spec.commandLine().getOut())) {
            return 0;
        }

        ModelSpec modelSpec = new ModelSpec(bases, new HeadSpec(dense, dropout), train.classes().size());
        if (fused) {
            log.info("fusing {}: their pooled features are concatenated into one head; the backbones stay frozen",
                    bases.stream().map(b -> b.backboneName() + " (" + b.imageSize() + " px, "
                            + b.backbone().preprocessing().id() + ")").toList());
        }
        List<Optional<Path>> weightFiles = BaseWeights.resolve(modelSpec, weightsChoice, WeightCache.standard());

        TrainedModel trained = new Trainer(modelSpec, options, noFeatureCache ? null : FeatureCache.standard(),
                augmentation).train(train, validation, weightFiles);
        BundleMetadata metadata = new BundleMetadata(BundleMetadata.FORMAT_VERSION, BuildInfo.version(),
                Instant.now().toString(), ModelBundle.MODEL_FILE, BundleMetadata.inputsOf(modelSpec),
                train.classes(), modelSpec.head(),
                new BundleMetadata.Training(data.toString(), valData == null ? null : valData.toString(),
                        valData == null ? (valSplit == null ? 0.2 : valSplit) : null, weightsChoice.toString(),
                        train.size(), validation.size(), options, augmentation),
                trained.history(), trained.kept());
        ModelBundle.save(output, trained.graph(), metadata);

        String kept = trained.kept() == null ? "last epoch (no validation data)"
                : String.format(Locale.ROOT, "%s epoch %d, val_accuracy %.4f", trained.kept().phase(),
                trained.kept().epoch(), trained.kept().valAccuracy());
        spec.commandLine().getOut().printf("saved model to %s (kept: %s)%n", output.toAbsolutePath().normalize(), kept);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private TrainOptions options(boolean fused) {
        requireAtLeast("--batch-size", batchSize, 1);
        requireAtLeast("--frozen-epochs", frozenEpochs, 0);
        requireAtLeast("--dense", dense, 0);
        if (finetuneEpochs != null) {
            requireAtLeast("--finetune-epochs", finetuneEpochs, 0);
        }
        if (fused && finetuneEpochs != null && finetuneEpochs > 0) {
            throw new TlException("--finetune-epochs: fused models train only the head on the frozen backbones' "
                    + "features; fine-tuning them is not supported (use --finetune-epochs 0, or one backbone)");
        }
        requireInRange("--lr", lr, 0, false, Double.MAX_VALUE);
        requireInRange("--finetune-lr", finetuneLr, 0, false, Double.MAX_VALUE);
        requireInRange("--dropout", dropout, 0, true, 1);
        if (valSplit != null) {
            if (valData != null) {
                throw new TlException("--val-split and --val-data exclude each other");
            }
            requireInRange("--val-split", valSplit, 0, true, 1);
        }
        int finetune = finetuneEpochs != null ? finetuneEpochs : (fused ? 0 : 2);
        return new TrainOptions(batchSize, frozenEpochs, finetune, Unfreeze.parse(unfreeze), bnTrainable, lr,
                finetuneLr, seed);
    }

    private static void requireAtLeast(String flag, int value, int min) {
        if (value < min) {
            throw new TlException(flag + " must be at least " + min + ", got " + value);
        }
    }

    /** min &lt; value (or min &lt;= value when inclusive) and value &lt; max. */
    private static void requireInRange(String flag, double value, double min, boolean minInclusive, double max) {
        boolean aboveMin = minInclusive ? value >= min : value > min;
        if (!aboveMin || !(value < max)) {
            throw new TlException(flag + " must be " + (minInclusive ? "at least " : "greater than ") + min
                    + (max < Double.MAX_VALUE ? " and below " + max : "") + ", got " + value);
        }
    }

    private static void logCounts(ImageSet train, ImageSet validation) {
        int[] trainCounts = train.countsPerClass();
        int[] valCounts = validation.countsPerClass();
        for (int c = 0; c < train.classes().size(); c++) {
            log.info("class {}: {} training, {} validation images", train.classes().get(c), trainCounts[c],
                    valCounts[c]);
        }
        if (validation.size() == 0) {
            log.warn("no validation images: the last epoch's weights will be kept");
        }
    }
}

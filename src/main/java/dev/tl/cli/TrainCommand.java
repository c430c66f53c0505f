package dev.tl.cli;

import dev.tl.BuildInfo;
import dev.tl.TlException;
import dev.tl.bundle.BundleMetadata;
import dev.tl.bundle.ModelBundle;
import dev.tl.data.CsvLabels;
import dev.tl.data.DataSplit;
import dev.tl.data.ImageSet;
import dev.tl.data.LabelSource;
import dev.tl.model.BaseSpec;
import dev.tl.model.BaseSpecs;
import dev.tl.model.BaseWeights;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelSpec;
import dev.tl.model.Unfreeze;
import dev.tl.train.Checkpoint;
import dev.tl.train.ClassWeights;
import dev.tl.train.FeatureCache;
import dev.tl.train.MicroBatching;
import dev.tl.train.Monitor;
import dev.tl.train.ScheduleSettings;
import dev.tl.train.TrainAugmentation;
import dev.tl.train.TrainOptions;
import dev.tl.train.TrainedModel;
import dev.tl.train.Trainer;
import dev.tl.zoo.weights.WeightCache;
import dev.tl.zoo.weights.WeightsChoice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** {@code tl train}: two-phase transfer learning from a folder of labelled images to a model bundle. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a classifier on labelled images (class folders, file names or a CSV) and save it as a model bundle.")
final class TrainCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(TrainCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--model", paramLabel = "NAME[,NAME...]",
            description = "Backbone (see `tl models`); several comma-separated backbones are fused.")
    String model;

    @Option(names = "--data", paramLabel = "DIR", description = "Training images: one sub-folder per class, or labelled by --labels-from-filename or --labels-csv.")
    Path data;

    @Option(names = "--val-data", paramLabel = "DIR", description = "Validation images, labelled as --data is (or by --val-labels-csv). Default: split --data.")
    Path valData;

    @Option(names = "--val-split", paramLabel = "F",
            description = "Fraction of --data held out for validation, stratified and seeded (default 0.2 without --val-data; 0 = none).")
    Double valSplit;

    @Mixin
    LabelOptions labels;

    @Option(names = "--val-labels-csv", paramLabel = "FILE",
            description = "Labels of --val-data as a path,label CSV (paths relative to --val-data); needed when --data is labelled by --labels-csv.")
    Path valLabelsCsv;

    @Option(names = "--test-split", defaultValue = "0", paramLabel = "F",
            description = "Fraction of --data held out as a test set (stratified, seeded, drawn before the validation split), listed in the bundle's "
                    + ModelBundle.TEST_SET_FILE + " for `tl evaluate`. Default: ${DEFAULT-VALUE} (none).")
    double testSplit;

    @Option(names = "--class-weights", defaultValue = "none", paramLabel = "auto|none|FILE",
            description = "Weigh each class's training loss, against class imbalance: auto = n_images / (n_classes * n_images_of_class), or a .json/.csv file giving every class its weight. Default: ${DEFAULT-VALUE}.")
    String classWeights;

    @Option(names = "--weights", defaultValue = "imagenet", paramLabel = "imagenet|none|FILE",
            description = "Starting weights of the base: Keras ImageNet weights (downloaded once, then cached in $TL_HOME), random, or a Keras .h5 file. Default: ${DEFAULT-VALUE}.")
    String weights;

    @Option(names = "--image-size", paramLabel = "N[,N...]",
            description = "Input size in pixels, or one per fused backbone. Default: each backbone's own (224 for most).")
    String imageSize;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--micro-batch-size", defaultValue = "auto", paramLabel = "N|auto",
            description = "Fine-tune phase: compute each batch as micro-batches of at most N images, summing their "
                    + "gradients into one step (the same step with BatchNorm frozen, with a fraction of the memory). "
                    + "auto: as large as keeps one micro-batch's layer outputs under 2 GB. Not with --bn-trainable, "
                    + "which always uses whole batches. Default: ${DEFAULT-VALUE}.")
    String microBatchSize;

    @Option(names = "--frozen-epochs", defaultValue = "30", paramLabel = "N",
            description = "Epochs training the head on the frozen base. Default: ${DEFAULT-VALUE}.")
    int frozenEpochs;

    @Option(names = "--finetune-epochs", paramLabel = "N",
            description = "Epochs fine-tuning the base with the head. Default: 2 (0 for fused models).")
    Integer finetuneEpochs;

    @Option(names = "--unfreeze", defaultValue = "all", paramLabel = "all|N",
            description = "What the fine-tune phase trains: the whole base, or its top N layers. Default: ${DEFAULT-VALUE}.")
    String unfreeze;

    @Option(names = "--bn-trainable", negatable = true,
            description = "Let BatchNorm learn in the fine-tune phase (gamma/beta train, running statistics update). Default: BatchNorm stays in inference mode.")
    boolean bnTrainable;

    @Option(names = "--lr", defaultValue = "1e-3", paramLabel = "F", description = "Adam learning rate of the frozen phase. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--finetune-lr", defaultValue = "1e-5", paramLabel = "F", description = "Adam learning rate of the fine-tune phase. Default: ${DEFAULT-VALUE}.")
    double finetuneLr;

    @Option(names = "--schedule", defaultValue = "constant", paramLabel = "NAME",
            description = "Learning-rate schedule in each phase, restarting from --lr / --finetune-lr: constant, step, "
                    + "cosine, onecycle or plateau. Default: ${DEFAULT-VALUE}.")
    ScheduleSettings.Kind schedule;

    @Option(names = "--warmup-epochs", paramLabel = "F",
            description = "Linear warmup over the first F epochs of each phase (not with onecycle). Default: none.")
    Double warmupEpochs;

    @Option(names = "--step-size", paramLabel = "N",
            description = "step: epochs between reductions. Default: " + ScheduleSettings.DEFAULT_STEP_SIZE + ".")
    Integer stepSize;

    @Option(names = "--step-gamma", paramLabel = "F",
            description = "step: factor of each reduction. Default: " + ScheduleSettings.DEFAULT_STEP_GAMMA + ".")
    Double stepGamma;

    @Option(names = "--plateau-patience", paramLabel = "N",
            description = "plateau: epochs without a lower validation loss (training loss without validation data) "
                    + "before a reduction. Default: " + ScheduleSettings.DEFAULT_PLATEAU_PATIENCE + ".")
    Integer plateauPatience;

    @Option(names = "--plateau-factor", paramLabel = "F",
            description = "plateau: factor of each reduction. Default: " + ScheduleSettings.DEFAULT_PLATEAU_FACTOR + ".")
    Double plateauFactor;

    @Option(names = "--unfreeze-blocks", paramLabel = "N",
            description = "Instead of --unfreeze: the fine-tune phase trains the top N blocks of the base (stages, "
                    + "dense blocks...; see the README).")
    Integer unfreezeBlocks;

    @Option(names = "--lr-decay-per-block", defaultValue = "1", paramLabel = "F",
            description = "Fine-tune phase: the top block learns at --finetune-lr, each block below at F times the "
                    + "rate of the block above (the head at --finetune-lr). Default: ${DEFAULT-VALUE} (no decay).")
    double lrDecayPerBlock;

    @Option(names = "--dense", defaultValue = "0", paramLabel = "N", description = "Units of a Dense(ReLU) layer before the classifier; 0 = none. Default: ${DEFAULT-VALUE}.")
    int dense;

    @Option(names = "--dropout", defaultValue = "0.2", paramLabel = "F", description = "Dropout rate before the classifier. Default: ${DEFAULT-VALUE}.")
    double dropout;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed for the split, initialisation, shuffling and dropout. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--monitor", defaultValue = "val_accuracy", paramLabel = "val_accuracy|val_loss",
            description = "Validation metric that picks the epoch whose weights are kept, and that --patience watches. Default: ${DEFAULT-VALUE}.")
    String monitor;

    @Option(names = "--patience", defaultValue = "0", paramLabel = "N",
            description = "Early stopping: end a phase when --monitor has not improved for N of its epochs; 0 = off. Default: ${DEFAULT-VALUE}.")
    int patience;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue an interrupted run from its last completed epoch (weights, optimizer state, history), with its original options. DIR: the run's --output (or its OUTPUT.checkpoint directory).")
    Path resume;

    @Option(names = "--no-feature-cache",
            description = "Do not keep the frozen phase's backbone features in $TL_HOME/features for later runs.")
    boolean noFeatureCache;

    @Mixin
    AugmentOptions augment;

    @Option(names = "--output", defaultValue = "tl-model", paramLabel = "DIR", description = "Where to write the model bundle. Default: ./${DEFAULT-VALUE}.")
    Path output;

    @Override
    public Integer call() {
        if (resume != null) {
            return resumeRun();
        }
        return run(null);
    }

    /** Re-creates the interrupted run from the options its checkpoint recorded and continues it. */
    private int resumeRun() {
        List<String> given = spec.commandLine().getParseResult().matchedOptions().stream()
                .map(OptionSpec::longestName).filter(name -> !name.equals("--resume")).toList();
        if (!given.isEmpty()) {
            throw new TlException("--resume continues a run with its original options; drop " + String.join(", ", given));
        }
        Checkpoint checkpoint = Checkpoint.load(resume);
        CommandLine original = new CommandLine(new TrainCommand());
        original.setOut(spec.commandLine().getOut());
        original.setErr(spec.commandLine().getErr());
        original.parseArgs(checkpoint.args().toArray(String[]::new));
        TrainCommand command = original.getCommand();
        return command.run(checkpoint);
    }

    private int run(Checkpoint resumeFrom) {
        if (model == null || data == null) {
            throw new TlException((model == null ? "--model" : "--data")
                    + " is required (on the command line or in --config)");
        }
        List<BaseSpec> bases = BaseSpecs.parse(model, imageSize);
        boolean fused = bases.size() > 1;
        TrainOptions options = options(fused);
        TrainAugmentation augmentation = augment.trainAugmentation();
        WeightsChoice weightsChoice = WeightsChoice.parse(weights);
        if (fused && weightsChoice.kind() == WeightsChoice.Kind.FILE) {
            throw new TlException("--weights: a weight file fits a single backbone; fused models take imagenet or none");
        }

        LabelSource labelSource = labels.source();
        LabelSource valLabelSource = valData == null ? null : labels.validationSource(valLabelsCsv);
        DataSplit split = split(labelSource, valLabelSource);
        ImageSet train = split.train();
        ImageSet validation = split.validation();
        options = options.withClassWeights(ClassWeights.parse(classWeights, train));
        logCounts(split, options.classWeights());
        String testSetFile = split.test().size() == 0 ? null : ModelBundle.TEST_SET_FILE;
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

        Path checkpoints = Checkpoint.dirFor(output);
        if (resumeFrom == null && Files.exists(checkpoints.resolve(Checkpoint.FILE))) {
            log.warn("{} holds an interrupted run (continue it with --resume {}); this new run replaces it",
                    checkpoints, output);
        }
        TrainedModel trained = new Trainer(modelSpec, options, noFeatureCache ? null : FeatureCache.standard(),
                augmentation, new Trainer.Checkpointing(checkpoints, effectiveArgs()))
                .train(train, validation, weightFiles, resumeFrom);
        BundleMetadata metadata = new BundleMetadata(BundleMetadata.FORMAT_VERSION, BuildInfo.version(),
                Instant.now().toString(), ModelBundle.MODEL_FILE, BundleMetadata.inputsOf(modelSpec),
                train.classes(), modelSpec.head(),
                new BundleMetadata.Training(data.toString(), valData == null ? null : valData.toString(),
                        valData == null ? valFraction() : null, weightsChoice.toString(),
                        train.size(), validation.size(), options, labelSource.description(),
                        valLabelSource == null ? null : valLabelSource.description(),
                        testSplit > 0 ? testSplit : null, split.test().size(), testSetFile, augmentation),
                trained.history(), trained.kept());
        ModelBundle.save(output, trained.graph(), metadata, testSetFile == null ? Map.of()
                : Map.of(testSetFile, CsvLabels.toCsv(split.test(), data)));
        deleteCheckpoint(checkpoints);

        String kept = trained.kept() == null ? "last epoch (no validation data)"
                : String.format(Locale.ROOT, "%s epoch %d, val_accuracy %.4f", trained.kept().phase(),
                trained.kept().epoch(), trained.kept().valAccuracy());
        spec.commandLine().getOut().printf("saved model to %s (kept: %s)%n", output.toAbsolutePath().normalize(), kept);
        if (testSetFile != null) {
            printTestSetCommand(split.test());
        }
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
        if (!(lrDecayPerBlock > 0 && lrDecayPerBlock <= 1)) {
            throw new TlException("--lr-decay-per-block must be greater than 0 and at most 1, got " + lrDecayPerBlock);
        }
        requireInRange("--test-split", testSplit, 0, true, 1);
        if (valData == null && testSplit + valFraction() >= 1) {
            throw new TlException("--test-split " + testSplit + " and --val-split " + valFraction()
                    + " leave no images to train on (their sum must be below 1)");
        }
        if (valLabelsCsv != null && valData == null) {
            throw new TlException("--val-labels-csv labels the images of --val-data, which is not given");
        }
        int finetune = finetuneEpochs != null ? finetuneEpochs : (fused ? 0 : 2);
        requireAtLeast("--patience", patience, 0);
        return new TrainOptions(batchSize, frozenEpochs, finetune, unfreezeChoice(), bnTrainable, lr,
                finetuneLr, seed, ScheduleSettings.of(schedule, warmupEpochs, stepSize, stepGamma, plateauPatience,
                plateauFactor), lrDecayPerBlock, Monitor.parse(monitor), patience, null,
                MicroBatching.parse(microBatchSize));
    }

    private Unfreeze unfreezeChoice() {
        if (unfreezeBlocks == null) {
            return Unfreeze.parse(unfreeze);
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--unfreeze")) {
            throw new TlException("--unfreeze and --unfreeze-blocks exclude each other");
        }
        return Unfreeze.blocks(unfreezeBlocks);
    }

    /**
     * This run's options as arguments that recreate it: every option given or set by a config file (defaults
     * come back by themselves), paths made absolute so a resume works from any directory.
     */
    private List<String> effectiveArgs() {
        List<String> args = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            Object value = option.getValue();
            String name = option.longestName();
            boolean isDefault = !spec.commandLine().getParseResult().hasMatchedOption(option)
                    && String.valueOf(value).equals(option.defaultValue());
            if (value == null || isDefault || option.usageHelp() || option.versionHelp() || option.inherited()
                    || name.equals(ConfigOption.NAME) || name.equals("--resume")) {
                continue;
            }
            if (value instanceof Boolean flag) {
                if (flag) {
                    args.add(name);
                } else if (option.negatable()) {
                    args.add("--no-" + name.substring(2));
                }
            } else {
                args.add(name);
                args.add(value instanceof Path path ? path.toAbsolutePath().normalize().toString() : value.toString());
            }
        }
        return args;
    }

    /** The checkpoint, and any partial one (".checkpoint.zip*.tmp") a killed run left behind. */
    private static void deleteCheckpoint(Path dir) {
        try (var files = Files.newDirectoryStream(dir, "{" + Checkpoint.FILE + ",." + Checkpoint.FILE + "*.tmp}")) {
            for (Path file : files) {
                Files.delete(file);
            }
            Files.deleteIfExists(dir);
        } catch (NoSuchFileException e) {
            // no checkpoint: nothing ran an epoch
        } catch (IOException e) {
            log.warn("could not delete the finished run's checkpoint {}: {}", dir, e.getMessage());
        }
    }

    private double valFraction() {
        return valSplit == null ? 0.2 : valSplit;
    }

    /** Training, validation and test images; the test set and (without --val-data) validation come from --data. */
    private DataSplit split(LabelSource labelSource, LabelSource valLabelSource) {
        ImageSet all = labelSource.scan(data, "--data");
        if (valData == null) {
            return DataSplit.of(all, testSplit, valFraction(), seed);
        }
        return DataSplit.of(all, testSplit, valLabelSource.scanWithClasses(valData, "--val-data", all.classes()), seed);
    }

    private void printTestSetCommand(ImageSet test) {
        Path bundle = output.toAbsolutePath().normalize();
        spec.commandLine().getOut().printf("held-out test set: %d images, listed in %s; evaluate on it with:%n"
                        + "  tl evaluate --model-dir %s --data %s --labels-csv %s%n", test.size(),
                bundle.resolve(ModelBundle.TEST_SET_FILE), Shell.quote(bundle),
                Shell.quote(data.toAbsolutePath().normalize()), Shell.quote(bundle.resolve(ModelBundle.TEST_SET_FILE)));
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

    private static void logCounts(DataSplit split, ClassWeights weights) {
        ImageSet train = split.train();
        ImageSet validation = split.validation();
        int[] trainCounts = train.countsPerClass();
        int[] valCounts = validation.countsPerClass();
        int[] testCounts = split.test().countsPerClass();
        for (int c = 0; c < train.classes().size(); c++) {
            log.info("class {}: {} training, {} validation, {} test images, loss weight {}", train.classes().get(c),
                    trainCounts[c], valCounts[c], testCounts[c], weights == null ? "1 (none)"
                    : String.format(Locale.ROOT, "%.4f", weights.vector()[c]));
        }
        if (validation.size() == 0) {
            log.warn("no validation images: the last epoch's weights will be kept");
        }
    }
}

package dev.tl.cli;

import dev.tl.TlException;
import dev.tl.bundle.BundleLock;
import dev.tl.bundle.ModelBundle;
import dev.tl.bundle.TrainedBundle;
import dev.tl.device.ComputeBackend;
import dev.tl.export.OnnxExport;
import dev.tl.features.FeatureCache;
import dev.tl.features.FeatureStore;
import dev.tl.features.PrecomputedFeatures;
import dev.tl.model.BaseLayout;
import dev.tl.model.BaseSpec;
import dev.tl.model.Unfreeze;
import dev.tl.train.Checkpoint;
import dev.tl.train.ClassWeights;
import dev.tl.train.Monitor;
import dev.tl.train.Outcome;
import dev.tl.train.RunSettings;
import dev.tl.train.TrainOptions;
import dev.tl.train.TrainedModel;
import dev.tl.train.TrainingDiverged;
import dev.tl.train.TrainingRun;
import dev.tl.zoo.Block;
import dev.tl.zoo.weights.WeightsChoice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code tl train}: two-phase transfer learning from a folder of labelled images to a model bundle. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        description = "Train a classifier on labelled images (class folders, file names or a CSV) and save it as a model bundle.",
        footerHeading = "%nExamples:%n",
        footer = {"  tl train --model mobilenet --data photos/train --val-data photos/val",
                "  tl train --model efficientnetb0 --data photos --test-split 0.1 --augment",
                "  tl train --model densenet121 --data photos --unfreeze-blocks 2 --json",
                "  tl train --config config/head-then-top-layers.yaml --data photos",
                "  tl train --resume tl-model          # continue an interrupted run"})
final class TrainCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(TrainCommand.class);

    private static final String WORKERS = "--workers";
    private static final String BN_TRAINABLE = "--bn-trainable";

    /** How {@code tl train --help} groups the options (see {@link OptionHeadings}). */
    static final List<OptionHeadings.Heading> HELP_HEADINGS = List.of(
            new OptionHeadings.Heading("Data", List.of(LabelledImages.DATA, LabelledImages.FILENAME,
                    LabelledImages.CSV, "--val-data", "--val-split", "--val-labels-csv", "--test-split",
                    "--class-weights", "--max-pixels", "--strict", FeaturesOption.NAME)),
            new OptionHeadings.Heading("Model", List.of("--model", "--image-size", WeightsOption.NAME, "--crop",
                    "--dense", "--dropout")),
            new OptionHeadings.Heading("Phases", List.of("--frozen-epochs", "--finetune-epochs", "--unfreeze",
                    "--unfreeze-blocks", BN_TRAINABLE, MicroBatchOption.NAME)),
            new OptionHeadings.Heading("Optimisation", List.of("--batch-size", "--lr", "--finetune-lr",
                    "--lr-decay-per-block", "--schedule", "--warmup-epochs", "--step-size", "--step-gamma",
                    "--plateau-patience", "--plateau-factor", "--monitor", "--patience", "--seed")),
            new OptionHeadings.Heading("Augmentation", List.of("--augment", "--flip", "--vertical-flip",
                    "--rotation", "--zoom", "--translate", "--brightness", "--contrast", "--feature-cache-augment",
                    "--preview-augment")),
            new OptionHeadings.Heading("Output", List.of("--output", OutputOptions.JSON, OutputOptions.FORMAT,
                    "--overwrite", "--resume", "--start-over", "--no-feature-cache", ConfigOption.NAME)),
            new OptionHeadings.Heading("Compute", List.of(DeviceOption.NAME, EngineOption.NAME, WORKERS)));

    private static final String RESUME = "--resume";
    private static final String START_OVER = "--start-over";
    private static final String VAL_DATA = "--val-data";
    private static final String VAL_SPLIT = "--val-split";
    private static final String UNFREEZE = "--unfreeze";
    private static final String UNFREEZE_BLOCKS = "--unfreeze-blocks";
    private static final String FINETUNE_EPOCHS = "--finetune-epochs";
    private static final String OUTPUT = "--output";
    private static final String OVERWRITE = "--overwrite";

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
    FeaturesOption features;

    @Option(names = VAL_DATA, paramLabel = "DIR", description = "Validation images, labelled as --data is (or by --val-labels-csv). Default: split --data.")
    Path valData;

    @Option(names = VAL_SPLIT, paramLabel = "F", converter = Converters.Fraction.class,
            description = "Fraction of --data held out for validation, stratified and seeded (default 0.2 without --val-data; 0 = none).")
    Double valSplit;

    @Option(names = "--val-labels-csv", paramLabel = "FILE",
            description = "Labels of --val-data as a path,label CSV (paths relative to --val-data); needed when --data is labelled by --labels-csv.")
    Path valLabelsCsv;

    @Option(names = "--test-split", defaultValue = "0", paramLabel = "F", converter = Converters.Fraction.class,
            description = "Fraction of --data held out as a test set (stratified, seeded, drawn before the validation split), listed in the bundle's "
                    + ModelBundle.TEST_SET_FILE + " for `tl evaluate`. Default: ${DEFAULT-VALUE} (none).")
    double testSplit;

    @Option(names = "--class-weights", defaultValue = "none", paramLabel = "auto|none|FILE", converter = Converters.ClassWeightChoice.class,
            description = "Weigh each class's training loss, against class imbalance: auto = n_images / (n_classes * n_images_of_class), or a .json/.csv file giving every class its weight. Default: ${DEFAULT-VALUE}.")
    ClassWeights.Choice classWeights;

    @Mixin
    WeightsOption weights;

    @Mixin
    BatchSizeOption batch;

    @Mixin
    MicroBatchOption microBatch;

    @Option(names = WORKERS, defaultValue = "1", paramLabel = "N", converter = Converters.Positive.class,
            description = "Fine-tune phase: split every batch over N GPUs (data parallel: each computes its share's "
                    + "gradient, the model takes one step on their sum, as on one device). Needs N devices; not with "
                    + "--bn-trainable. Default: ${DEFAULT-VALUE}.")
    int workers;

    @Option(names = "--frozen-epochs", defaultValue = "30", paramLabel = "N", converter = Converters.NonNegative.class,
            description = "Epochs training the head on the frozen base. Default: ${DEFAULT-VALUE}.")
    int frozenEpochs;

    @Option(names = FINETUNE_EPOCHS, paramLabel = "N", converter = Converters.NonNegative.class,
            description = "Epochs fine-tuning the base with the head. Default: 2 (0 for fused models and --features).")
    Integer finetuneEpochs;

    @Option(names = UNFREEZE, defaultValue = "all", paramLabel = "all|N", converter = Converters.Layers.class,
            description = "What the fine-tune phase trains: the whole base, or its top N layers. Default: ${DEFAULT-VALUE}.")
    Unfreeze unfreeze;

    @Option(names = BN_TRAINABLE, negatable = true,
            description = "Let BatchNorm learn in the fine-tune phase (gamma/beta train, running statistics update). Default: BatchNorm stays in inference mode.")
    boolean bnTrainable;

    @Option(names = "--lr", defaultValue = "3e-3", paramLabel = "F", converter = Converters.PositiveNumber.class,
            description = "Adam learning rate of the frozen phase. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--finetune-lr", defaultValue = "1e-5", paramLabel = "F", converter = Converters.PositiveNumber.class,
            description = "Adam learning rate of the fine-tune phase. Default: ${DEFAULT-VALUE}.")
    double finetuneLr;

    @Mixin
    ScheduleOptions schedule;

    @Option(names = UNFREEZE_BLOCKS, paramLabel = "N", converter = Converters.Positive.class,
            description = "Instead of --unfreeze: the fine-tune phase trains the top N blocks of the base (stages, "
                    + "dense blocks...; see docs/TRAINING.md).")
    Integer unfreezeBlocks;

    @Option(names = "--lr-decay-per-block", defaultValue = "1", paramLabel = "F", converter = Converters.Decay.class,
            description = "Fine-tune phase: the top block learns at --finetune-lr, each block below at F times the "
                    + "rate of the block above (the head at --finetune-lr). Default: ${DEFAULT-VALUE} (no decay).")
    double lrDecayPerBlock;

    @Mixin
    HeadOptions head;

    @Mixin
    SeedOption seed;

    @Option(names = "--monitor", defaultValue = "val_accuracy", paramLabel = "val_accuracy|val_loss", converter = Converters.Monitors.class,
            description = "Validation metric that picks the epoch whose weights are kept, and that --patience watches. Default: ${DEFAULT-VALUE}.")
    Monitor monitor;

    @Option(names = "--patience", defaultValue = "0", paramLabel = "N", converter = Converters.NonNegative.class,
            description = "Early stopping: end a phase when --monitor has not improved for N of its epochs; 0 = off. Default: ${DEFAULT-VALUE}.")
    int patience;

    @Option(names = RESUME, paramLabel = "DIR",
            description = "Continue an interrupted run from its last completed epoch (weights, optimizer state, history), with its original options. DIR: the run's --output (or its OUTPUT.checkpoint directory).")
    Path resume;

    @Option(names = START_OVER,
            description = "Discard the checkpoint of an interrupted run beside --output and train this run from the "
                    + "start. Without it such a checkpoint is never touched: the run is refused (continue it with "
                    + "--resume).")
    boolean startOver;

    @Option(names = "--no-feature-cache",
            description = "Do not keep the frozen phase's backbone features in $TL_HOME/features for later runs.")
    boolean noFeatureCache;

    @Mixin
    AugmentOptions augment;

    @Option(names = OUTPUT, defaultValue = "tl-model", paramLabel = "DIR", description = "Where to write the model bundle. Default: ./${DEFAULT-VALUE}.")
    Path output;

    /** How the summary prints; not part of the run, so a resume may choose it anew. */
    @Mixin
    OutputOptions printing;

    @Option(names = OVERWRITE,
            description = "Save to --output even where it holds files tl did not write; they are kept, moved into "
                    + "the new bundle (a name tl uses itself gets .kept-TIME). Without it such a directory is refused.")
    boolean overwrite;

    @Override
    public Integer call() {
        return resume != null ? resumeRun() : run(settings(), null);
    }

    /**
     * Continues the interrupted run with the settings its checkpoint recorded (a checkpoint of an earlier tl, which
     * recorded the options, with those options parsed again).
     */
    private int resumeRun() {
        List<String> given = spec.options().stream()
                .filter(option -> !option.inherited() && RunArguments.given(spec, option))
                .map(OptionSpec::longestName).filter(name -> !name.equals(RESUME) && !isPrinting(name)).toList();
        Flags.require(given.isEmpty(), RESUME, "continues a run with its original options; drop "
                + String.join(", ", given));
        Checkpoint checkpoint = Flags.about(RESUME, () -> Checkpoint.load(resume));
        if (checkpoint.run() != null) {
            RunSettings settings = Flags.about(RESUME, () -> Flags.about(checkpoint.file().toString(),
                    () -> checkpoint.run().settings()));
            return run(settings, checkpoint);
        }
        CommandLine original = new CommandLine(new TrainCommand());
        original.setOut(spec.commandLine().getOut());
        original.setErr(spec.commandLine().getErr());
        original.parseArgs(checkpoint.args().toArray(String[]::new));
        TrainCommand command = original.getCommand();
        command.printing = printing;
        return command.run(command.settings(), checkpoint);
    }

    private static boolean isPrinting(String option) {
        return OutputOptions.NAMES.contains(option);
    }

    private int run(RunSettings settings, Checkpoint resumeFrom) {
        long start = System.nanoTime();
        Path output = settings.output();
        if (resumeFrom == null && augment.previewing()) {
            TrainingRun run = TrainingRun.prepare(settings);
            augment.writePreview(run.split().train(), run.modelSpec().inputSpecs().get(0), seed.seed,
                    spec.commandLine().getOut());
            return 0;
        }
        try (BundleLock lock = Flags.about(OUTPUT, () -> BundleLock.acquire(output));
             InterruptNotice notice = InterruptNotice.install(spec.commandLine().getErr(), output)) {
            if (resumeFrom == null) {
                checkInterruptedRun();
            }
            checkOutput(output, settings.overwrite());
            TrainingRun run = TrainingRun.prepare(settings);
            if (resumeFrom != null) {
                Flags.about(RESUME, () -> {
                    try {
                        run.requireResumable(resumeFrom);
                    } catch (Checkpoint.OtherData e) {
                        throw new TlException(e.getMessage() + ". Continuing would train its weights on other "
                                + "data: put the data back as it was, or train from the start on this data ("
                                + START_OVER + " discards the checkpoint): tl train " + String.join(" ",
                                resumeFrom.args().stream().map(Shell::quote).toList()) + " " + START_OVER, e);
                    }
                    return resumeFrom;
                });
            }
            List<String> resumeArgs = resumeFrom != null ? resumeFrom.args() : RunArguments.of(spec,
                    Stream.concat(Stream.of(RESUME, START_OVER), OutputOptions.NAMES.stream()).toArray(String[]::new));
            TrainedModel trained = run.train(resumeFrom, resumeArgs, List.of());
            Outcome.Failed failed = trained.outcome() instanceof Outcome.Failed f ? f : null;
            if (failed != null && trained.kept() == null) {
                throw new TrainingDiverged("training stopped: " + failed.reason() + "; no epoch ended with finite "
                        + "numbers, so nothing was saved (" + checkpointNote(run) + "); try a lower --lr or "
                        + "--finetune-lr");
            }
            Flags.about(OUTPUT, () -> {
                TrainedBundle.save(run, trained,
                        (graph, metadata, sha256) -> OnnxExport.bundleModel(graph, metadata, sha256).toByteArray());
                return output;
            });
            run.finish();
            printing.print(spec, TrainSummary.of(run, trained, output, (System.nanoTime() - start) / 1e9),
                    new TrainSummary.TextRenderer());
            if (failed != null) {
                throw new TrainingDiverged("training stopped: " + failed.reason() + "; the bundle holds the "
                        + "weights of " + trained.kept().phase() + " epoch " + trained.kept().epoch()
                        + ", the best before that; try a lower --lr or --finetune-lr");
            }
        }
        return 0;
    }

    private static String checkpointNote(TrainingRun run) {
        return Files.exists(run.checkpointDir().resolve(Checkpoint.FILE))
                ? "the checkpoint of the last finite epoch is in " + run.checkpointDir() : "no epoch was checkpointed";
    }

    /**
     * The checkpoint of an interrupted run beside the output is hours of work: a new run discards it only when told
     * to, and otherwise is refused, naming both ways on.
     */
    private void checkInterruptedRun() {
        Path checkpoints = Checkpoint.dirFor(output);
        String interrupted = Checkpoint.describe(checkpoints);
        if (interrupted == null) {
            return;
        }
        Flags.require(startOver, OUTPUT, checkpoints + " holds an interrupted run (" + interrupted + "): continue "
                + "it with tl train " + RESUME + " " + Shell.quote(output.toAbsolutePath().normalize()) + ", or give "
                + START_OVER + " to discard it and train this run from the start");
        log.warn("discarding the interrupted run in {} ({}), as {} asks", checkpoints, interrupted, START_OVER);
        Checkpoint.delete(checkpoints);
    }

    /** The rule of what may be replaced, checked before any work rather than after hours of it. */
    private static void checkOutput(Path output, boolean overwrite) {
        try {
            String replacing = ModelBundle.checkTarget(output, overwrite);
            if (replacing != null) {
                log.info("the bundle in {} will be replaced", replacing);
            }
        } catch (ModelBundle.NotReplaceable e) {
            throw new TlException(OUTPUT + ": " + e.getMessage() + " (" + OVERWRITE + ")", e);
        } catch (TlException e) {
            throw new TlException(OUTPUT + ": " + e.getMessage(), e);
        }
    }

    /** The run the options ask for; every check of their values and combinations is here or in a converter. */
    private RunSettings settings() {
        List<BaseSpec> bases = features.given() ? features.bases(model) : model.bases();
        WeightsChoice weightsChoice = features.given()
                ? features.weights(RunArguments.given(spec, WeightsOption.NAME) ? weights.weights : null, bases)
                : weights.weights;
        boolean fused = bases.size() > 1;
        Flags.require(!fused || finetuneEpochs == null || finetuneEpochs == 0, FINETUNE_EPOCHS,
                "fused models train only the head on the frozen backbones' features; fine-tuning them is not "
                        + "supported (use " + FINETUNE_EPOCHS + " 0, or one backbone)");
        Flags.require(!fused || weightsChoice.kind() != WeightsChoice.Kind.FILE, WeightsOption.NAME,
                "a weight file fits a single backbone; fused models take imagenet or none");
        Flags.exclusive(VAL_SPLIT, valSplit != null, VAL_DATA, valData != null);
        double valFraction = valSplit == null ? 0.2 : valSplit;
        if (valData == null && testSplit + valFraction >= 1) {
            throw new TlException("--test-split " + testSplit + " and " + VAL_SPLIT + " " + valFraction
                    + " leave no images to train on (their sum must be below 1)");
        }
        int finetune = finetuneEpochs != null ? finetuneEpochs : (fused || features.given() ? 0 : 2);
        Flags.require(frozenEpochs > 0 || finetune > 0, "--frozen-epochs",
                "0 and " + FINETUNE_EPOCHS + " " + finetune + " leave nothing to train");
        Flags.require(valLabelsCsv == null || valData != null, "--val-labels-csv",
                "labels the images of " + VAL_DATA + ", which is not given");
        Flags.exclusive(UNFREEZE, RunArguments.given(spec, UNFREEZE), UNFREEZE_BLOCKS, unfreezeBlocks != null);
        for (BaseSpec base : bases) {
            BaseLayout layout = BaseLayout.of(base);
            List<Block> blocks = layout.blocks();
            if (unfreezeBlocks != null && unfreezeBlocks > blocks.size()) {
                throw new TlException(UNFREEZE_BLOCKS + " " + unfreezeBlocks + ": " + base.backboneName() + " has "
                        + blocks.size() + " blocks " + blocks.stream().map(Block::name).toList());
            }
            if (!unfreeze.isAll() && unfreeze.top() > layout.layerNames().size()) {
                throw new TlException(UNFREEZE + " " + unfreeze.top() + ": " + base.backboneName() + " has "
                        + layout.layerNames().size() + " layers (give all, or at most that)");
            }
        }
        Flags.check(MicroBatchOption.NAME + " with " + BN_TRAINABLE,
                () -> TrainOptions.requireWholeBatches(bnTrainable, batch.batchSize, microBatch.size));
        if (features.given()) {
            requireHeadOnly();
        }
        int devices = ComputeBackend.current().devices().size();
        Flags.require(workers <= devices, WORKERS, workers + " workers need as many devices; this machine computes on "
                + devices + " (" + ComputeBackend.current().describe() + ")");
        Flags.check(WORKERS + " with " + BN_TRAINABLE, () -> TrainOptions.requireOneDevice(bnTrainable, workers));
        TrainOptions options = TrainOptions.builder()
                .batchSize(batch.batchSize)
                .frozenEpochs(frozenEpochs)
                .finetuneEpochs(finetune)
                .unfreeze(unfreezeBlocks != null ? Unfreeze.blocks(unfreezeBlocks) : unfreeze)
                .batchNormTrainable(bnTrainable)
                .learningRate(lr)
                .finetuneLearningRate(finetuneLr)
                .seed(seed.seed)
                .schedule(schedule.settings())
                .lrDecayPerBlock(lrDecayPerBlock)
                .monitor(monitor)
                .patience(patience)
                .microBatchSize(microBatch.size)
                .workers(workers)
                .engine(engine.engine)
                .randomBaseSeed(features.given() ? features.table().provenance().randomSeed() : null)
                .build();
        RunSettings.Images training = features.given()
                ? new RunSettings.Images(features.path, features.table().labels(FeaturesOption.NAME),
                FeaturesOption.NAME)
                : new RunSettings.Images(images.data(), images.source(), LabelledImages.DATA);
        RunSettings.Images validation = valData == null ? null : new RunSettings.Images(valData,
                images.validationSource(valLabelsCsv, "--val-labels-csv"), VAL_DATA);
        FeatureStore store = features.given() ? new PrecomputedFeatures(features.table())
                : noFeatureCache ? null : FeatureCache.standard();
        return RunSettings.builder()
                .model(bases, head.head(), weightsChoice)
                .training(training, images.check())
                .validation(validation)
                .valSplit(valFraction)
                .testSplit(testSplit)
                .classWeights(train -> Flags.about("--class-weights", () -> classWeights.resolve(train)))
                .options(options)
                .augmentation(augment.trainAugmentation())
                .featureStore(store)
                .output(output)
                .overwrite(overwrite)
                .build();
    }

    /**
     * Features from a file train the head alone, on those features: fine-tuning and augmentation need the images,
     * and the images are the file's.
     */
    private void requireHeadOnly() {
        for (String option : List.of(LabelledImages.DATA, VAL_DATA, LabelledImages.CSV, LabelledImages.FILENAME)) {
            Flags.exclusive(FeaturesOption.NAME, true, option, RunArguments.given(spec, option));
        }
        Flags.require(finetuneEpochs == null || finetuneEpochs == 0, FINETUNE_EPOCHS, "features from "
                + FeaturesOption.NAME + " train the head only; fine-tuning needs the images (use --data)");
        Flags.require(testSplit == 0, "--test-split", "not with " + FeaturesOption.NAME
                + ": hold out test images when embedding, and evaluate them with tl evaluate");
        Flags.require(!augment.trainAugmentation().settings().isActive(), "--augment",
                "not with " + FeaturesOption.NAME + ": its features are of the plain images");
    }
}

package dev.tl.cli;

import dev.tl.TlException;
import dev.tl.bundle.ModelBundle;
import dev.tl.bundle.TrainedBundle;
import dev.tl.model.BaseLayout;
import dev.tl.model.BaseSpec;
import dev.tl.model.Unfreeze;
import dev.tl.train.Checkpoint;
import dev.tl.train.ClassWeights;
import dev.tl.train.Monitor;
import dev.tl.train.RunSettings;
import dev.tl.train.TrainOptions;
import dev.tl.train.TrainedModel;
import dev.tl.train.TrainingRun;
import dev.tl.zoo.Block;
import dev.tl.zoo.weights.WeightsChoice;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
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
                "  tl train --config config/mobilenet-beginners.yaml --data photos",
                "  tl train --resume tl-model          # continue an interrupted run"})
final class TrainCommand implements Callable<Integer> {

    /** How {@code tl train --help} groups the options (see {@link OptionHeadings}). */
    static final List<OptionHeadings.Heading> HELP_HEADINGS = List.of(
            new OptionHeadings.Heading("Data", List.of(LabelledImages.DATA, LabelledImages.FILENAME,
                    LabelledImages.CSV, "--val-data", "--val-split", "--val-labels-csv", "--test-split",
                    "--class-weights")),
            new OptionHeadings.Heading("Model", List.of("--model", "--image-size", WeightsOption.NAME, "--dense",
                    "--dropout")),
            new OptionHeadings.Heading("Phases", List.of("--frozen-epochs", "--finetune-epochs", "--unfreeze",
                    "--unfreeze-blocks", "--bn-trainable", MicroBatchOption.NAME)),
            new OptionHeadings.Heading("Optimisation", List.of("--batch-size", "--lr", "--finetune-lr",
                    "--lr-decay-per-block", "--schedule", "--warmup-epochs", "--step-size", "--step-gamma",
                    "--plateau-patience", "--plateau-factor", "--monitor", "--patience", "--seed")),
            new OptionHeadings.Heading("Augmentation", List.of("--augment", "--flip", "--vertical-flip",
                    "--rotation", "--zoom", "--translate", "--brightness", "--contrast", "--feature-cache-augment",
                    "--preview-augment")),
            new OptionHeadings.Heading("Output", List.of("--output", OutputOptions.JSON, OutputOptions.FORMAT,
                    "--resume", "--no-feature-cache", ConfigOption.NAME)));

    private static final String RESUME = "--resume";
    private static final String VAL_DATA = "--val-data";
    private static final String VAL_SPLIT = "--val-split";
    private static final String UNFREEZE = "--unfreeze";
    private static final String UNFREEZE_BLOCKS = "--unfreeze-blocks";
    private static final String FINETUNE_EPOCHS = "--finetune-epochs";

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    ModelOptions model;

    @Mixin
    LabelledImages images;

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

    @Option(names = "--frozen-epochs", defaultValue = "10", paramLabel = "N", converter = Converters.NonNegative.class,
            description = "Epochs training the head on the frozen base. Default: ${DEFAULT-VALUE}.")
    int frozenEpochs;

    @Option(names = FINETUNE_EPOCHS, paramLabel = "N", converter = Converters.NonNegative.class,
            description = "Epochs fine-tuning the base with the head. Default: 2 (0 for fused models).")
    Integer finetuneEpochs;

    @Option(names = UNFREEZE, defaultValue = "all", paramLabel = "all|N", converter = Converters.Layers.class,
            description = "What the fine-tune phase trains: the whole base, or its top N layers. Default: ${DEFAULT-VALUE}.")
    Unfreeze unfreeze;

    @Option(names = "--bn-trainable", negatable = true,
            description = "Let BatchNorm learn in the fine-tune phase (gamma/beta train, running statistics update). Default: BatchNorm stays in inference mode.")
    boolean bnTrainable;

    @Option(names = "--lr", defaultValue = "1e-3", paramLabel = "F", converter = Converters.PositiveNumber.class,
            description = "Adam learning rate of the frozen phase. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--finetune-lr", defaultValue = "1e-4", paramLabel = "F", converter = Converters.PositiveNumber.class,
            description = "Adam learning rate of the fine-tune phase. Default: ${DEFAULT-VALUE}.")
    double finetuneLr;

    @Mixin
    ScheduleOptions schedule;

    @Option(names = UNFREEZE_BLOCKS, paramLabel = "N", converter = Converters.Positive.class,
            description = "Instead of --unfreeze: the fine-tune phase trains the top N blocks of the base (stages, "
                    + "dense blocks...; see the README).")
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

    @Option(names = "--no-feature-cache",
            description = "Do not keep the frozen phase's backbone features in $TL_HOME/features for later runs.")
    boolean noFeatureCache;

    @Mixin
    AugmentOptions augment;

    @Option(names = "--output", defaultValue = "tl-model", paramLabel = "DIR", description = "Where to write the model bundle. Default: ./${DEFAULT-VALUE}.")
    Path output;

    /** How the summary prints; not part of the run, so a resume may choose it anew. */
    @Mixin
    OutputOptions printing;

    @Override
    public Integer call() {
        return resume != null ? resumeRun() : run(null);
    }

    /** Re-creates the interrupted run from the options its checkpoint recorded and continues it. */
    private int resumeRun() {
        List<String> given = spec.options().stream()
                .filter(option -> !option.inherited() && RunArguments.given(spec, option))
                .map(OptionSpec::longestName).filter(name -> !name.equals(RESUME) && !isPrinting(name)).toList();
        Flags.require(given.isEmpty(), RESUME, "continues a run with its original options; drop "
                + String.join(", ", given));
        Checkpoint checkpoint = Flags.about(RESUME, () -> Checkpoint.load(resume));
        CommandLine original = new CommandLine(new TrainCommand());
        original.setOut(spec.commandLine().getOut());
        original.setErr(spec.commandLine().getErr());
        original.parseArgs(checkpoint.args().toArray(String[]::new));
        TrainCommand command = original.getCommand();
        command.printing = printing;
        return command.run(checkpoint);
    }

    private static boolean isPrinting(String option) {
        return OutputOptions.NAMES.contains(option);
    }

    private int run(Checkpoint resumeFrom) {
        long start = System.nanoTime();
        TrainingRun run = TrainingRun.prepare(settings());
        if (augment.writePreview(run.split().train(), run.modelSpec().bases().get(0).imageSize(), seed.seed,
                spec.commandLine().getOut())) {
            return 0;
        }
        List<String> resumeArgs = RunArguments.of(spec, Stream.concat(Stream.of(RESUME),
                OutputOptions.NAMES.stream()).toArray(String[]::new));
        TrainedModel trained = run.train(resumeFrom, resumeArgs, List.of());
        Flags.about("--output", () -> {
            TrainedBundle.save(run, trained);
            return output;
        });
        run.finish();
        printing.print(spec, TrainSummary.of(run, trained, output, (System.nanoTime() - start) / 1e9),
                new TrainSummary.TextRenderer());
        return 0;
    }

    /** The run the options ask for; every check of their values and combinations is here or in a converter. */
    private RunSettings settings() {
        List<BaseSpec> bases = model.bases();
        boolean fused = bases.size() > 1;
        Flags.require(!fused || finetuneEpochs == null || finetuneEpochs == 0, FINETUNE_EPOCHS,
                "fused models train only the head on the frozen backbones' features; fine-tuning them is not "
                        + "supported (use " + FINETUNE_EPOCHS + " 0, or one backbone)");
        Flags.require(!fused || weights.weights.kind() != WeightsChoice.Kind.FILE, WeightsOption.NAME,
                "a weight file fits a single backbone; fused models take imagenet or none");
        Flags.exclusive(VAL_SPLIT, valSplit != null, VAL_DATA, valData != null);
        double valFraction = valSplit == null ? 0.2 : valSplit;
        if (valData == null && testSplit + valFraction >= 1) {
            throw new TlException("--test-split " + testSplit + " and " + VAL_SPLIT + " " + valFraction
                    + " leave no images to train on (their sum must be below 1)");
        }
        Flags.require(valLabelsCsv == null || valData != null, "--val-labels-csv",
                "labels the images of " + VAL_DATA + ", which is not given");
        Flags.exclusive(UNFREEZE, RunArguments.given(spec, UNFREEZE), UNFREEZE_BLOCKS, unfreezeBlocks != null);
        for (BaseSpec base : bases) {
            List<Block> blocks = BaseLayout.of(base).blocks();
            if (unfreezeBlocks != null && unfreezeBlocks > blocks.size()) {
                throw new TlException(UNFREEZE_BLOCKS + " " + unfreezeBlocks + ": " + base.backboneName() + " has "
                        + blocks.size() + " blocks " + blocks.stream().map(Block::name).toList());
            }
        }
        if (bnTrainable && microBatch.size != null && microBatch.size < batch.batchSize) {
            throw new TlException(MicroBatchOption.NAME + " " + microBatch.size + " cannot be used with "
                    + "--bn-trainable: trainable BatchNorm normalises with the statistics of the whole batch (use a "
                    + "smaller --batch-size instead)");
        }
        TrainOptions options = TrainOptions.builder()
                .batchSize(batch.batchSize)
                .frozenEpochs(frozenEpochs)
                .finetuneEpochs(finetuneEpochs != null ? finetuneEpochs : (fused ? 0 : 2))
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
                .build();
        RunSettings.Images training = new RunSettings.Images(images.data(), images.source(), LabelledImages.DATA);
        RunSettings.Images validation = valData == null ? null : new RunSettings.Images(valData,
                images.validationSource(valLabelsCsv, "--val-labels-csv"), VAL_DATA);
        return new RunSettings(bases, head.head(), weights.weights, training, validation, valFraction, testSplit,
                train -> Flags.about("--class-weights", () -> classWeights.resolve(train)), options,
                augment.trainAugmentation(), !noFeatureCache, output);
    }
}

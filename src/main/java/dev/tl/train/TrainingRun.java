package dev.tl.train;

import dev.tl.TlException;
import dev.tl.data.DataSplit;
import dev.tl.data.ImageCheck;
import dev.tl.data.ImageSet;
import dev.tl.model.BaseWeights;
import dev.tl.model.ModelSpec;
import dev.tl.train.listener.CheckpointWriter;
import dev.tl.train.listener.EpochLogger;
import dev.tl.train.listener.HistoryCsv;
import dev.tl.train.listener.ProgressListener;
import dev.tl.zoo.weights.WeightCache;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code tl train} run put together: the data split into training, validation and test images, the class
 * weights, the model to build, and the trainer with the run's listeners — the epoch log, the checkpoint replaced
 * after every epoch and {@code history.csv}, both kept beside the output until the bundle is saved.
 */
public final class TrainingRun {

    private static final Logger log = LoggerFactory.getLogger(TrainingRun.class);

    private final RunSettings settings;
    private final DataSplit split;
    private final ClassWeights classWeights;
    private final ModelSpec modelSpec;
    private final List<ImageCheck.Skipped> skipped;

    private TrainingRun(RunSettings settings, DataSplit split, ClassWeights classWeights,
                        List<ImageCheck.Skipped> skipped) {
        this.settings = settings;
        this.split = split;
        this.classWeights = classWeights;
        this.skipped = List.copyOf(skipped);
        this.modelSpec = new ModelSpec(settings.bases(), settings.head(), split.train().classes().size());
    }

    /** Reads and splits the data and works out the class weights: everything that can fail before training. */
    public static TrainingRun prepare(RunSettings settings) {
        RunSettings.Images training = settings.training();
        ImageSet scanned = training.labels().scan(training.dir(), training.flag());
        if (scanned.classes().size() < 2) {
            throw new TlException(training.flag() + ": " + training.dir() + " has one class ("
                    + scanned.classes().get(0) + "); a classifier needs at least two");
        }
        List<ImageCheck.Skipped> skipped = new ArrayList<>();
        ImageSet all = usable(scanned, settings.imageCheck(), skipped, training);
        RunSettings.Images validation = settings.validation();
        DataSplit split;
        if (validation == null) {
            split = DataSplit.of(all, settings.testSplit(), settings.valSplit(), settings.options().seed());
        } else {
            ImageSet separate = usable(validation.labels().scanWithClasses(validation.dir(), validation.flag(),
                    all.classes()), settings.imageCheck(), skipped, null);
            warnShared(all, training.flag(), separate, validation.flag());
            split = DataSplit.of(all, settings.testSplit(), separate, settings.options().seed());
        }
        ClassWeights classWeights = settings.classWeights().apply(split.train());
        logCounts(split, classWeights);
        if (!skipped.isEmpty()) {
            log.warn("skipped {} image {} that cannot be used (listed in the bundle's tl-model.json)",
                    skipped.size(), skipped.size() == 1 ? "file" : "files");
        }
        return new TrainingRun(settings, split, classWeights, skipped);
    }

    /**
     * Validation images that are also training images (the same files, by any path) make the kept epoch the one
     * that fits them best: said, with their number.
     */
    private static void warnShared(ImageSet training, String trainingFlag, ImageSet validation,
                                   String validationFlag) {
        Set<Path> trainingFiles = new HashSet<>();
        training.images().forEach(image -> trainingFiles.add(realPath(image.path())));
        long shared = validation.images().stream().filter(image -> trainingFiles.contains(realPath(image.path())))
                .count();
        if (shared > 0) {
            log.warn("{}: {} of its {} images are also training images ({}): the kept epoch is chosen on images "
                    + "the model trained on", validationFlag, shared, validation.size(), trainingFlag);
        }
    }

    private static Path realPath(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            return file.toAbsolutePath().normalize();
        }
    }

    /** The usable images of {@code set}; with {@code training}, each class must keep some. */
    private static ImageSet usable(ImageSet set, ImageCheck check, List<ImageCheck.Skipped> skipped,
                                   RunSettings.Images training) {
        ImageCheck.Checked checked = check.check(set);
        skipped.addAll(checked.skipped());
        int[] counts = checked.usable().countsPerClass();
        for (int c = 0; training != null && c < counts.length; c++) {
            if (counts[c] == 0) {
                throw new TlException(training.flag() + ": class " + set.classes().get(c) + " has no usable images");
            }
        }
        return checked.usable();
    }

    public RunSettings settings() {
        return settings;
    }

    public DataSplit split() {
        return split;
    }

    public TrainOptions options() {
        return settings.options();
    }

    /** The class weights of the training images; null for none. */
    public ClassWeights classWeights() {
        return classWeights;
    }

    public ModelSpec modelSpec() {
        return modelSpec;
    }

    /** The image files left out because they cannot be used. */
    public List<ImageCheck.Skipped> skipped() {
        return skipped;
    }

    /**
     * Checks, before any work, that {@code checkpoint} is of this run: its epochs fit the run's, and the data is the
     * data it trained on (same classes, same images, hence the same split).
     */
    public void requireResumable(Checkpoint checkpoint) {
        checkpoint.requireFits(settings.options(), DataRecord.of(split), settings.training().dir());
    }

    /** Where the run keeps its checkpoint and metrics file until the bundle is saved. */
    public Path checkpointDir() {
        return Checkpoint.dirFor(settings.output());
    }

    /**
     * Trains (downloading ImageNet weights first if needed).
     *
     * @param resume     the interrupted run's checkpoint, or null to start afresh
     * @param resumeArgs the options that start this run anew, saved in every checkpoint beside its settings
     * @param listeners  more listeners, hearing every event after the run's own
     */
    public TrainedModel train(Checkpoint resume, List<String> resumeArgs, List<TrainingListener> listeners) {
        if (modelSpec.isFused()) {
            log.info("fusing {}: their pooled features are concatenated into one head; the backbones stay frozen",
                    modelSpec.bases().stream().map(b -> b.backboneName() + " (" + b.imageSize() + " px, "
                            + b.backbone().preprocessing().id() + ")").toList());
        }
        List<Optional<Path>> weightFiles = BaseWeights.resolve(modelSpec, settings.weights(), WeightCache.standard());
        Path checkpoints = checkpointDir();
        List<TrainingListener> all = new ArrayList<>(List.of(new ProgressListener(), new EpochLogger(),
                new CheckpointWriter(checkpoints, RunRecord.of(settings, classWeights), resumeArgs,
                        DataRecord.of(split)),
                new HistoryCsv(checkpoints.resolve(HistoryCsv.FILE))));
        all.addAll(listeners);
        return new Trainer(modelSpec, settings.options(), classWeights, settings.featureStore(),
                settings.augmentation(), all).train(split.train(), split.validation(), weightFiles, resume);
    }

    /** Once the bundle is saved: the checkpoint and the metrics file beside it are no longer needed. */
    public void finish() {
        Checkpoint.delete(checkpointDir());
    }

    private static void logCounts(DataSplit split, ClassWeights weights) {
        ImageSet train = split.train();
        int[] trainCounts = train.countsPerClass();
        int[] valCounts = split.validation().countsPerClass();
        int[] testCounts = split.test().countsPerClass();
        for (int c = 0; c < train.classes().size(); c++) {
            log.info("class {}: {} training, {} validation, {} test images, loss weight {}", train.classes().get(c),
                    trainCounts[c], valCounts[c], testCounts[c], weights == null ? "1 (none)"
                    : String.format(Locale.ROOT, "%.4f", weights.vector()[c]));
        }
        if (split.validation().size() == 0) {
            log.warn("no validation images: the last epoch's weights will be kept");
        }
    }
}

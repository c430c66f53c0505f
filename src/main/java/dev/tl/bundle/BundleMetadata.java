package dev.tl.bundle;

import com.fasterxml.jackson.annotation.JsonAlias;
import dev.tl.Json;
import dev.tl.data.Augmentation;
import dev.tl.data.DataSplit;
import dev.tl.data.Framing;
import dev.tl.data.ImageCheck;
import dev.tl.data.InputSpec;
import dev.tl.data.Preprocessing;
import dev.tl.model.BaseSpec;
import dev.tl.model.ModelSpec;
import dev.tl.train.EpochRecord;
import dev.tl.train.TrainAugmentation;
import dev.tl.train.TrainOptions;
import dev.tl.train.schedule.ScheduleSettings;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.conf.CNN2DFormat;

/**
 * {@code tl-model.json}: everything {@code evaluate} and {@code predict} need besides the DL4J model file, and a
 * record of how the model was trained. These records are the file format: each maps from tl's internal types
 * explicitly, so renaming an internal field does not change what is on disk, and bundles of earlier versions read.
 */
public record BundleMetadata(int formatVersion, String createdBy, String createdAt, String modelFile,
                             List<Input> inputs, List<String> classes, Head head, Training training,
                             List<Epoch> history, Epoch keptEpoch) {

    public static final int FORMAT_VERSION = 1;

    /**
     * One network input: the backbone it feeds, its image size, preprocessing, layout (NHWC or NCHW) and framing
     * ({@code squash}, or {@code crop:F}; null in bundles from before it: they squashed).
     */
    public record Input(String backbone, int imageSize, String preprocessing, String layout, String framing) {

        static Input of(BaseSpec base) {
            InputSpec spec = base.inputSpec();
            return new Input(base.backboneName(), spec.imageSize(), spec.preprocessing().id(), spec.layout().name(),
                    spec.framing().id());
        }

        public InputSpec inputSpec() {
            return new InputSpec(imageSize, Preprocessing.fromId(preprocessing),
                    layout == null ? CNN2DFormat.NCHW : CNN2DFormat.valueOf(layout), Framing.of(framing));
        }
    }

    /** The classifier on the pooled features. */
    public record Head(int denseUnits, double dropout) {
    }

    /**
     * The data and settings a model was trained with.
     *
     * @param labels       how the data was labelled: "folders", "filename:REGEX" or "csv:FILE"
     * @param valLabels    the same for the validation data (null without separate validation data)
     * @param testSet      the bundle file listing the held-out test images (null without a test split)
     * @param data         the training images' directory, absolute (as given in bundles from before 0.1)
     * @param augmentation null in bundles from before it
     * @param classCounts  images per class in each part of the split; null in bundles from before it
     * @param skippedFiles the image files that could not be used (null in bundles from before it)
     */
    public record Training(String data, String valData, Double valSplit, String weights, int trainImages,
                           int valImages, Options options, String labels, String valLabels, Double testSplit,
                           int testImages, String testSet, Augmentations augmentation, List<ClassCount> classCounts,
                           List<Skipped> skippedFiles) {
    }

    /** How many images of a class went to training, validation and the held-out test set. */
    public record ClassCount(String name, int train, int validation, int test) {

        static List<ClassCount> of(DataSplit split) {
            int[] train = split.train().countsPerClass();
            int[] validation = split.validation().countsPerClass();
            int[] test = split.test().countsPerClass();
            List<String> classes = split.train().classes();
            return IntStream.range(0, classes.size())
                    .mapToObj(c -> new ClassCount(classes.get(c), train[c], validation[c], test[c])).toList();
        }
    }

    /** An image file training left out, and why (empty, truncated, not an image, too large...). */
    public record Skipped(String path, String reason) {

        public static List<Skipped> of(List<ImageCheck.Skipped> skipped) {
            return skipped.stream().map(s -> new Skipped(s.path().toString(), s.reason())).toList();
        }
    }

    /** The optimisation settings ({@code schedule} is null in bundles from before it). */
    public record Options(int batchSize, int frozenEpochs, int finetuneEpochs, String unfreeze,
                          boolean batchNormTrainable, double learningRate, double finetuneLearningRate, long seed,
                          Schedule schedule, double lrDecayPerBlock, String monitor, int patience,
                          Map<String, Double> classWeights, Integer microBatchSize) {

        static Options of(TrainOptions options) {
            return new Options(options.batchSize(), options.frozenEpochs(), options.finetuneEpochs(),
                    options.unfreeze().toString(), options.batchNormTrainable(), options.learningRate(),
                    options.finetuneLearningRate(), options.seed(), Schedule.of(options.schedule()),
                    options.lrDecayPerBlock(), options.monitor().id(), options.patience(),
                    options.classWeights() == null ? null : options.classWeights().byClass(),
                    options.microBatchSize());
        }
    }

    /** A learning-rate schedule by name with its parameters (bundles before format 1.1 called the name "kind"). */
    public record Schedule(@JsonAlias("kind") String name, Map<String, Object> params, Double warmupEpochs) {

        @SuppressWarnings("unchecked")
        static Schedule of(ScheduleSettings settings) {
            return new Schedule(settings.schedule().name(),
                    Json.MAPPER.convertValue(settings.schedule(), Map.class), settings.warmupEpochs());
        }
    }

    /** The augmentation of the training images, and the augmented feature copies of the frozen phase. */
    public record Augmentations(Settings settings, int featureCacheCopies) {

        /** Each strength as its flag sets it (0 or false: off). */
        public record Settings(boolean horizontalFlip, boolean verticalFlip, double rotation, double zoom,
                               double translate, double brightness, double contrast) {
        }

        static Augmentations of(TrainAugmentation augmentation) {
            Augmentation a = augmentation.settings();
            return new Augmentations(new Settings(a.horizontalFlip(), a.verticalFlip(), a.rotation(), a.zoom(),
                    a.translate(), a.brightness(), a.contrast()), augmentation.featureCacheCopies());
        }
    }

    /** One epoch of the training history ({@code accuracy}: on the training data; null from an earlier tl). */
    public record Epoch(String phase, int epoch, double loss, Double accuracy, Double valLoss, Double valAccuracy,
                        double learningRate, double seconds) {

        static Epoch of(EpochRecord record) {
            return record == null ? null : new Epoch(record.phase().id(), record.epoch(), record.loss(),
                    record.accuracy(), record.valLoss(), record.valAccuracy(), record.learningRate(),
                    record.seconds());
        }
    }

    public static List<Input> inputsOf(ModelSpec spec) {
        return spec.bases().stream().map(Input::of).toList();
    }

    public static List<Epoch> historyOf(List<EpochRecord> history) {
        return history.stream().map(Epoch::of).toList();
    }

    public List<InputSpec> inputSpecs() {
        return inputs.stream().map(Input::inputSpec).toList();
    }
}

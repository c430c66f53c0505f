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
import dev.tl.train.ClassWeights;
import dev.tl.train.EpochRecord;
import dev.tl.train.Phase;
import dev.tl.train.TrainAugmentation;
import dev.tl.train.TrainOptions;
import dev.tl.train.schedule.ScheduleSettings;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
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
    /** Above any size a network can be trained at: a batch of such images no longer fits in memory. */
    static final int MAX_IMAGE_SIZE = 16_384;

    public BundleMetadata {
        Fields.check(formatVersion >= 1, "format_version", formatVersion + " is not a bundle format (1 or later)");
        Fields.check(!Fields.elements(Fields.required(inputs, "inputs"), "inputs").isEmpty(), "inputs", "none listed");
        Fields.check(!Fields.elements(Fields.required(classes, "classes"), "classes").isEmpty(), "classes",
                "none listed");
        for (int i = 0; i < classes.size(); i++) {
            Fields.check(!classes.get(i).isBlank(), "classes[" + i + "]", "an empty name");
            Fields.check(classes.indexOf(classes.get(i)) == i, "classes[" + i + "]", "'" + classes.get(i)
                    + "' is listed twice");
        }
        Fields.required(head, "head");
        history = Fields.elements(history == null ? List.of() : history, "history");
    }

    /**
     * One network input: the backbone it feeds, its image size, preprocessing, layout (NHWC or NCHW) and framing
     * ({@code squash}, or {@code crop:F}; null in bundles from before it: they squashed).
     */
    public record Input(String backbone, int imageSize, String preprocessing, String layout, String framing) {

        public Input {
            Fields.check(backbone != null && !backbone.isBlank(), "backbone", "missing");
            Fields.range(imageSize, 1, MAX_IMAGE_SIZE, "image_size");
            Fields.check(Arrays.stream(Preprocessing.values()).anyMatch(p -> p.id().equals(preprocessing)),
                    "preprocessing", "'" + preprocessing + "' is not one of " + Arrays.stream(Preprocessing.values())
                            .map(Preprocessing::id).toList());
            Fields.check(layout == null || layout.equals(CNN2DFormat.NHWC.name())
                    || layout.equals(CNN2DFormat.NCHW.name()), "layout", "'" + layout + "' is not NHWC or NCHW");
            try {
                Framing.of(framing);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("framing: '" + framing + "' is not squash or crop:F with F greater "
                        + "than 0 and at most 1", e);
            }
        }

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

        public Head {
            Fields.range(denseUnits, 0, Integer.MAX_VALUE, "dense_units");
            Fields.range(dropout, 0, 1, "dropout");
        }
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

        public Training {
            path(Fields.required(data, "data"), "data");
            path(valData, "val_data");
            Fields.required(options, "options");
            Fields.range(trainImages, 0, Integer.MAX_VALUE, "train_images");
            Fields.range(valImages, 0, Integer.MAX_VALUE, "val_images");
            Fields.range(testImages, 0, Integer.MAX_VALUE, "test_images");
            Fields.elements(classCounts, "class_counts");
            Fields.elements(skippedFiles, "skipped_files");
        }

        private static void path(String path, String field) {
            try {
                if (path != null) {
                    Path.of(path);
                }
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException(field + ": not a path: " + e.getMessage(), e);
            }
        }

        /** Its components by name, since several are of one type; {@link Builder#build} checks them. */
        public static Builder builder() {
            return new Builder();
        }

        /** Fills in a {@link Training}; what is not set is absent (null, or no images). */
        public static final class Builder {
            private String data;
            private String valData;
            private Double valSplit;
            private String weights;
            private int trainImages;
            private int valImages;
            private Options options;
            private String labels;
            private String valLabels;
            private Double testSplit;
            private int testImages;
            private String testSet;
            private Augmentations augmentation;
            private List<ClassCount> classCounts;
            private List<Skipped> skippedFiles;

            private Builder() {
            }

            /** The training images' directory and how they are labelled. */
            public Builder data(String dir, String labelling) {
                data = dir;
                labels = labelling;
                return this;
            }

            /** Separate validation images and how they are labelled. */
            public Builder valData(String dir, String labelling) {
                valData = dir;
                valLabels = labelling;
                return this;
            }

            public Builder valSplit(Double fraction) {
                valSplit = fraction;
                return this;
            }

            public Builder testSplit(Double fraction) {
                testSplit = fraction;
                return this;
            }

            public Builder weights(String choice) {
                weights = choice;
                return this;
            }

            /** The images of each part of the split, in total and per class, and the file listing the test set. */
            public Builder split(DataSplit split, String testSetFile) {
                trainImages = split.train().size();
                valImages = split.validation().size();
                testImages = split.test().size();
                classCounts = ClassCount.of(split);
                testSet = testSetFile;
                return this;
            }

            public Builder options(Options value) {
                options = value;
                return this;
            }

            public Builder augmentation(Augmentations value) {
                augmentation = value;
                return this;
            }

            public Builder skippedFiles(List<Skipped> value) {
                skippedFiles = value;
                return this;
            }

            public Training build() {
                return new Training(data, valData, valSplit, weights, trainImages, valImages, options, labels,
                        valLabels, testSplit, testImages, testSet, augmentation, classCounts, skippedFiles);
            }
        }
    }

    /** How many images of a class went to training, validation and the held-out test set. */
    public record ClassCount(String name, int train, int validation, int test) {

        public ClassCount {
            Fields.required(name, "name");
            Fields.check(train >= 0 && validation >= 0 && test >= 0, "train", "a negative count of images");
        }

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

        public Skipped {
            Fields.required(path, "path");
        }

        public static List<Skipped> of(List<ImageCheck.Skipped> skipped) {
            return skipped.stream().map(s -> new Skipped(s.path().toString(), s.reason())).toList();
        }
    }

    /** The optimisation settings ({@code schedule} is null in bundles from before it). */
    public record Options(int batchSize, int frozenEpochs, int finetuneEpochs, String unfreeze,
                          boolean batchNormTrainable, double learningRate, double finetuneLearningRate, long seed,
                          Schedule schedule, double lrDecayPerBlock, String monitor, int patience,
                          Map<String, Double> classWeights, Integer microBatchSize) {

        public Options {
            Fields.range(batchSize, 1, Integer.MAX_VALUE, "batch_size");
            Fields.range(frozenEpochs, 0, Integer.MAX_VALUE, "frozen_epochs");
            Fields.range(finetuneEpochs, 0, Integer.MAX_VALUE, "finetune_epochs");
            Fields.range(learningRate, 0, Double.MAX_VALUE, "learning_rate");
            Fields.range(finetuneLearningRate, 0, Double.MAX_VALUE, "finetune_learning_rate");
            Fields.range(patience, 0, Integer.MAX_VALUE, "patience");
            Fields.check(microBatchSize == null || microBatchSize >= 1, "micro_batch_size", microBatchSize
                    + " is not a number of images");
        }

        static Options of(TrainOptions options, ClassWeights classWeights) {
            return new Options(options.batchSize(), options.frozenEpochs(), options.finetuneEpochs(),
                    options.unfreeze().toString(), options.batchNormTrainable(), options.learningRate(),
                    options.finetuneLearningRate(), options.seed(), Schedule.of(options.schedule()),
                    options.lrDecayPerBlock(), options.monitor().id(), options.patience(),
                    classWeights == null ? null : classWeights.byClass(),
                    options.microBatchSize());
        }
    }

    /** A learning-rate schedule by name with its parameters (bundles of earlier tl versions called the name "kind"). */
    public record Schedule(@JsonAlias("kind") String name, Map<String, Object> params, Double warmupEpochs) {

        public Schedule {
            Fields.required(name, "name");
        }

        @SuppressWarnings("unchecked")
        static Schedule of(ScheduleSettings settings) {
            return new Schedule(settings.schedule().name(),
                    Json.MAPPER.convertValue(settings.schedule(), Map.class), settings.warmupEpochs());
        }
    }

    /** The augmentation of the training images, and the augmented feature copies of the frozen phase. */
    public record Augmentations(Settings settings, int featureCacheCopies) {

        public Augmentations {
            Fields.required(settings, "settings");
            Fields.range(featureCacheCopies, 0, Integer.MAX_VALUE, "feature_cache_copies");
        }

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

        public Epoch {
            try {
                Phase.of(phase);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("phase: '" + phase + "' is not one of "
                        + Arrays.stream(Phase.values()).map(Phase::id).toList(), e);
            }
            Fields.range(epoch, 0, Integer.MAX_VALUE, "epoch");
        }

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

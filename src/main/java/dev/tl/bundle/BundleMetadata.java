package dev.tl.bundle;

import dev.tl.data.InputSpec;
import dev.tl.data.Preprocessing;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelSpec;
import dev.tl.train.EpochRecord;
import dev.tl.train.TrainAugmentation;
import dev.tl.train.TrainOptions;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;

/**
 * {@code tl-model.json}: everything {@code evaluate} and {@code predict} need besides the DL4J model file, and a
 * record of how the model was trained.
 */
public record BundleMetadata(int formatVersion, String createdBy, String createdAt, String modelFile,
                             List<Input> inputs, List<String> classes, HeadSpec head, Training training,
                             List<EpochRecord> history, EpochRecord keptEpoch) {

    public static final int FORMAT_VERSION = 1;

    /** One network input: the backbone it feeds, its image size, preprocessing and layout (NHWC or NCHW). */
    public record Input(String backbone, int imageSize, String preprocessing, String layout) {
        public InputSpec inputSpec() {
            return new InputSpec(imageSize, Preprocessing.fromId(preprocessing),
                    layout == null ? CNN2DFormat.NCHW : CNN2DFormat.valueOf(layout));
        }
    }

    /**
     * The data and settings a model was trained with.
     *
     * @param labels       how --data was labelled: "folders", "filename:REGEX" or "csv:FILE"
     * @param valLabels    the same for --val-data (null without it)
     * @param testSet      the bundle file listing the held-out test images (null without --test-split)
     * @param augmentation null in bundles from before it
     */
    public record Training(String data, String valData, Double valSplit, String weights, int trainImages,
                           int valImages, TrainOptions options, String labels, String valLabels, Double testSplit,
                           int testImages, String testSet, TrainAugmentation augmentation) {
    }

    public static List<Input> inputsOf(ModelSpec spec) {
        return spec.bases().stream().map(BundleMetadata::inputOf).toList();
    }

    private static Input inputOf(BaseSpec base) {
        InputSpec spec = base.inputSpec();
        return new Input(base.backboneName(), spec.imageSize(), spec.preprocessing().id(), spec.layout().name());
    }

    public List<InputSpec> inputSpecs() {
        return inputs.stream().map(Input::inputSpec).toList();
    }
}

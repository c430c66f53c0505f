package dev.tl.train;

import dev.tl.data.ImageCheck;
import dev.tl.data.ImageSet;
import dev.tl.data.LabelSource;
import dev.tl.features.FeatureStore;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.zoo.weights.WeightsChoice;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Everything a {@code tl train} run is asked to do, as parsed values; made with {@link #builder()}.
 *
 * @param training      the training images and how they are labelled
 * @param validation    separate validation images, or null to split them off {@code training}
 * @param imageCheck    which image files are used, and whether the others are skipped or an error
 * @param valSplit      without {@code validation}: the fraction of the training images held out for it
 * @param testSplit     the fraction of the training images held out as a test set (0 for none)
 * @param classWeights  the class weights for the training images (null for none); errors name their source
 * @param options       the optimisation settings
 * @param featureStore  where the frozen phase finds features: the on-disk cache, features computed elsewhere, or
 *                      null to compute them every run
 * @param output        where the bundle goes; the run's checkpoint and metrics file go beside it
 * @param overwrite     whether files tl did not write may be in {@code output}; they move into the new bundle
 */
public record RunSettings(List<BaseSpec> bases, HeadSpec head, WeightsChoice weights, Images training,
                          Images validation, ImageCheck imageCheck, double valSplit, double testSplit,
                          Function<ImageSet, ClassWeights> classWeights, TrainOptions options,
                          TrainAugmentation augmentation, FeatureStore featureStore, Path output,
                          boolean overwrite) {

    /** A directory of images, how they are labelled, and the option that named it (for errors). */
    public record Images(Path dir, LabelSource labels, String flag) {
    }

    public RunSettings {
        bases = List.copyOf(bases);
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(imageCheck, "imageCheck");
        Objects.requireNonNull(classWeights, "classWeights");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(augmentation, "augmentation");
        Objects.requireNonNull(output, "output");
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Fills in {@link RunSettings} by name; by default there is no separate validation data, no split, no class
     * weights, no augmentation and no feature store. What a run cannot do without is checked by {@link #build}.
     */
    public static final class Builder {
        private List<BaseSpec> bases;
        private HeadSpec head;
        private WeightsChoice weights;
        private Images training;
        private Images validation;
        private ImageCheck imageCheck;
        private double valSplit;
        private double testSplit;
        private Function<ImageSet, ClassWeights> classWeights = train -> null;
        private TrainOptions options;
        private TrainAugmentation augmentation = TrainAugmentation.NONE;
        private FeatureStore featureStore;
        private Path output;
        private boolean overwrite;

        private Builder() {
        }

        /** What to build: the bases, the head, and the weights the bases start from. */
        public Builder model(List<BaseSpec> value, HeadSpec headSpec, WeightsChoice weightsChoice) {
            bases = value;
            head = headSpec;
            weights = weightsChoice;
            return this;
        }

        /** The training images, and which image files are used. */
        public Builder training(Images images, ImageCheck check) {
            training = images;
            imageCheck = check;
            return this;
        }

        public Builder validation(Images images) {
            validation = images;
            return this;
        }

        public Builder valSplit(double fraction) {
            valSplit = fraction;
            return this;
        }

        public Builder testSplit(double fraction) {
            testSplit = fraction;
            return this;
        }

        public Builder classWeights(Function<ImageSet, ClassWeights> value) {
            classWeights = value;
            return this;
        }

        public Builder options(TrainOptions value) {
            options = value;
            return this;
        }

        public Builder augmentation(TrainAugmentation value) {
            augmentation = value;
            return this;
        }

        public Builder featureStore(FeatureStore value) {
            featureStore = value;
            return this;
        }

        public Builder output(Path value) {
            output = value;
            return this;
        }

        public Builder overwrite(boolean value) {
            overwrite = value;
            return this;
        }

        public RunSettings build() {
            return new RunSettings(bases, head, weights, training, validation, imageCheck, valSplit, testSplit,
                    classWeights, options, augmentation, featureStore, output, overwrite);
        }
    }
}

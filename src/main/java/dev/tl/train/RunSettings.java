package dev.tl.train;

import dev.tl.data.ImageCheck;
import dev.tl.data.ImageSet;
import dev.tl.data.LabelSource;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.zoo.weights.WeightsChoice;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Everything a {@code tl train} run is asked to do, as parsed values.
 *
 * @param training      the training images and how they are labelled
 * @param validation    separate validation images, or null to split them off {@code training}
 * @param imageCheck    which image files are used, and whether the others are skipped or an error
 * @param valSplit      without {@code validation}: the fraction of the training images held out for it
 * @param testSplit     the fraction of the training images held out as a test set (0 for none)
 * @param classWeights  the class weights for the training images (null for none); errors name their source
 * @param options       the optimisation settings; their class weights are replaced by {@code classWeights}'
 * @param featureStore  where the frozen phase finds features: the on-disk cache, features computed elsewhere, or
 *                      null to compute them every run
 * @param output        where the bundle goes; the run's checkpoint and metrics file go beside it
 */
public record RunSettings(List<BaseSpec> bases, HeadSpec head, WeightsChoice weights, Images training,
                          Images validation, ImageCheck imageCheck, double valSplit, double testSplit,
                          Function<ImageSet, ClassWeights> classWeights, TrainOptions options,
                          TrainAugmentation augmentation, FeatureStore featureStore, Path output) {

    /** A directory of images, how they are labelled, and the option that named it (for errors). */
    public record Images(Path dir, LabelSource labels, String flag) {
    }

    public RunSettings {
        bases = List.copyOf(bases);
    }
}

package dev.tl.train;

import dev.tl.TlException;
import dev.tl.data.ImageCheck;
import dev.tl.data.LabelSource;
import dev.tl.features.FeatureCache;
import dev.tl.features.FeatureStore;
import dev.tl.features.FeatureTable;
import dev.tl.features.ParquetFeatures;
import dev.tl.features.PrecomputedFeatures;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.zoo.weights.WeightsChoice;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A run's settings as its checkpoint keeps them: the resolved values of {@link RunSettings} (the class weights as
 * the run worked them out), so that {@code tl train --resume} continues the run with them whatever the options that
 * gave them are called by then.
 *
 * @param featureStore where the frozen phase found its features: {@code cache}, {@code none}, or {@code file} (the
 *                     features file is the training images' {@code dir})
 */
public record RunRecord(List<BaseSpec> bases, HeadSpec head, WeightsChoice weights, Images training,
                        Images validation, ImageCheck imageCheck, double valSplit, double testSplit,
                        Map<String, Double> classWeights, TrainOptions options, TrainAugmentation augmentation,
                        String featureStore, Path output, boolean overwrite) {

    private static final String CACHE = "cache";
    private static final String NONE = "none";
    private static final String FILE = "file";

    /** Images by directory, how they are labelled ({@link LabelSource#description()}), the option that named them. */
    public record Images(Path dir, String labels, String flag) {

        static Images of(RunSettings.Images images) {
            return images == null ? null : new Images(images.dir().toAbsolutePath().normalize(),
                    images.labels().description(), images.flag());
        }

        RunSettings.Images settings() {
            LabelSource labels = LabelSource.described(this.labels, flag).orElseThrow(() -> new TlException(
                    "labels: '" + this.labels + "' is not a way tl labels images"));
            return new RunSettings.Images(dir, labels, flag);
        }
    }

    static RunRecord of(RunSettings settings, ClassWeights classWeights) {
        FeatureStore store = settings.featureStore();
        String kind = store == null ? NONE : store instanceof PrecomputedFeatures ? FILE : CACHE;
        return new RunRecord(settings.bases(), settings.head(), settings.weights(),
                kind.equals(FILE) ? new Images(settings.training().dir().toAbsolutePath().normalize(), null,
                        settings.training().flag())
                        : Images.of(settings.training()),
                Images.of(settings.validation()), settings.imageCheck(), settings.valSplit(), settings.testSplit(),
                classWeights == null ? null : classWeights.byClass(), settings.options(), settings.augmentation(),
                kind, settings.output().toAbsolutePath().normalize(), settings.overwrite());
    }

    /** The settings again; a features file is read again, as the run read it. */
    public RunSettings settings() {
        RunSettings.Images images;
        FeatureStore store;
        switch (featureStore) {
            case FILE -> {
                FeatureTable table = ParquetFeatures.read(training.dir());
                images = new RunSettings.Images(training.dir(), table.labels(training.flag()), training.flag());
                store = new PrecomputedFeatures(table);
            }
            case CACHE, NONE -> {
                images = training.settings();
                store = featureStore.equals(CACHE) ? FeatureCache.standard() : null;
            }
            default -> throw new TlException("feature_store: '" + featureStore + "' is not cache, none or file");
        }
        ClassWeights weights = classWeights == null ? null : new ClassWeights(classWeights);
        return RunSettings.builder()
                .model(bases, head, this.weights)
                .training(images, imageCheck)
                .validation(validation == null ? null : validation.settings())
                .valSplit(valSplit)
                .testSplit(testSplit)
                .classWeights(train -> weights)
                .options(options)
                .augmentation(augmentation)
                .featureStore(store)
                .output(output)
                .overwrite(overwrite)
                .build();
    }
}

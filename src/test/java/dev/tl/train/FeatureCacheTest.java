package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.TestData;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
import dev.tl.data.LabelSource;
import dev.tl.data.LabeledImage;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelSpec;
import dev.tl.model.Params;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FeatureCacheTest {

    private static final String PLAIN = ImageViews.PLAIN.key();

    private static final ModelSpec SPEC = new ModelSpec(List.of(new BaseSpec("mobilenet", 32)), new HeadSpec(8, 0.3), 2);
    private static final TrainOptions HEAD_ONLY = TrainOptions.builder().batchSize(4).frozenEpochs(3).learningRate(1e-2)
            .finetuneLearningRate(1e-4).seed(5).build();

    @TempDir
    Path home;

    @TempDir
    Path data;

    private static FeatureCache.Source source() {
        return new FeatureCache.Source("mobilenet", SPEC.bases().get(0).inputSpec(), Optional.empty(), 5, "tl test", PLAIN);
    }

    @Test
    void anEntryIsReusedUntilAnImageFileChanges() throws Exception {
        ImageSet images = LabelSource.FOLDERS.scan(TestData.copySubset(TestData.TRAIN, 2, data), "--data");
        FeatureCache cache = new FeatureCache(home);
        AtomicInteger computed = new AtomicInteger();
        INDArray first = cache.features(source(), images.images(), () -> {
            computed.incrementAndGet();
            return Nd4j.rand(4, 3);
        });
        INDArray second = cache.features(source(), images.images(), () -> {
            computed.incrementAndGet();
            return Nd4j.rand(4, 3);
        });
        assertThat(computed).hasValue(1);
        assertThat(second).isEqualTo(first);

        LabeledImage changed = images.images().get(1);
        Files.write(changed.path(), Files.readAllBytes(images.images().get(2).path()));
        Files.setLastModifiedTime(changed.path(), FileTime.fromMillis(System.currentTimeMillis() + 5000));
        INDArray third = cache.features(source(), images.images(), () -> {
            computed.incrementAndGet();
            return Nd4j.rand(4, 3);
        });
        assertThat(computed).hasValue(2);
        assertThat(third).isNotEqualTo(first);
    }

    @Test
    void theKeyCoversWeightsSeedSizeAndTheFileList() throws Exception {
        ImageSet images = LabelSource.FOLDERS.scan(TestData.copySubset(TestData.TRAIN, 2, data), "--data");
        FeatureCache cache = new FeatureCache(home);
        FeatureCache.Source base = source();
        String key = cache.key(base, images.images());
        Path weights = Files.writeString(home.resolve("w.h5"), "weights");

        assertThat(cache.key(base, images.images())).isEqualTo(key);
        assertThat(cache.key(new FeatureCache.Source("mobilenet", base.input(), Optional.of(weights), 5, "tl test", PLAIN),
                images.images())).isNotEqualTo(key);
        assertThat(cache.key(new FeatureCache.Source("mobilenet", base.input(), Optional.empty(), 6, "tl test", PLAIN),
                images.images())).isNotEqualTo(key);
        assertThat(cache.key(new FeatureCache.Source("mobilenet", new ModelSpec(List.of(new BaseSpec("mobilenet", 48)),
                SPEC.head(), 2).bases().get(0).inputSpec(), Optional.empty(), 5, "tl test", PLAIN), images.images()))
                .isNotEqualTo(key);
        assertThat(cache.key(base, images.images().subList(0, 3))).isNotEqualTo(key);
        assertThat(cache.key(base, List.of(images.images().get(1), images.images().get(0), images.images().get(2),
                images.images().get(3)))).isNotEqualTo(key);
    }

    @Test
    void trainingFromCachedFeaturesGivesTheSameHeadAsTrainingFromImages() {
        ImageSet train = TestData.subset(TestData.TRAIN, 4);
        ImageSet validation = TestData.subset(TestData.VAL, 2);
        FeatureCache cache = new FeatureCache(home);

        Map<String, INDArray> fromImages = Params.snapshot(new Trainer(SPEC, HEAD_ONLY, null, TrainAugmentation.NONE, List.of())
                .train(train, validation, List.of(Optional.empty()), null).graph());
        Map<String, INDArray> filling = Params.snapshot(new Trainer(SPEC, HEAD_ONLY, cache, TrainAugmentation.NONE, List.of())
                .train(train, validation, List.of(Optional.empty()), null).graph());
        try (var entries = Files.list(home)) {
            assertThat(entries.filter(p -> p.toString().endsWith(".features"))).hasSize(2); // training, validation
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, INDArray> fromCache = Params.snapshot(new Trainer(SPEC, HEAD_ONLY, cache, TrainAugmentation.NONE, List.of())
                .train(train, validation, List.of(Optional.empty()), null).graph());

        for (String key : List.of("head/dense_W", "head/dense_b", "head/output_W", "head/output_b")) {
            assertThat(fromCache.get(key)).as(key).isEqualTo(fromImages.get(key)).isEqualTo(filling.get(key));
        }
    }
}

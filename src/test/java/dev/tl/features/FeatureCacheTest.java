package dev.tl.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.LogCapture;
import dev.tl.TestData;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
import dev.tl.data.LabelSource;
import dev.tl.data.LabelledImage;
import dev.tl.engine.EngineRequest;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelSpec;
import dev.tl.model.Params;
import dev.tl.train.TrainAugmentation;
import dev.tl.train.TrainOptions;
import dev.tl.train.Trainer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
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

    private static FeatureStore.Source source() {
        return new FeatureStore.Source("mobilenet", SPEC.bases().get(0).inputSpec(), Optional.empty(), 5, "tl test",
                PLAIN, () -> "onnxruntime");
    }

    /** Features of a cache, counting the images whose features had to be computed. */
    private static INDArray features(FeatureCache cache, List<LabelledImage> images, AtomicInteger computed) {
        return cache.features(source(), images, 1, (from, chunk) -> {
            computed.addAndGet(chunk.size());
            return Nd4j.rand(chunk.size(), 3);
        });
    }

    private ImageSet images(int perClass) throws IOException {
        return LabelSource.FOLDERS.scan(TestData.copySubset(TestData.TRAIN, perClass, data), "--data");
    }

    private List<Path> entries() throws IOException {
        try (Stream<Path> files = Files.list(home)) {
            return files.filter(p -> p.toString().endsWith(".features")).toList();
        }
    }

    @Test
    void anEntryIsReusedUntilAnImageFileChanges() throws Exception {
        List<LabelledImage> images = images(2).images();
        FeatureCache cache = new FeatureCache(home);
        AtomicInteger computed = new AtomicInteger();
        INDArray first = features(cache, images, computed);
        INDArray second = features(new FeatureCache(home), images, computed);
        assertThat(computed).hasValue(4);
        assertThat(second).isEqualTo(first);

        Path changed = images.get(1).path();
        Files.write(changed, Files.readAllBytes(images.get(2).path()));
        INDArray third = features(new FeatureCache(home), images, computed);
        assertThat(computed).hasValue(8);
        assertThat(third).isNotEqualTo(first);
    }

    @Test
    void aChangedImageIsSeenEvenWithItsSizeAndTimeRestored() throws Exception {
        List<LabelledImage> images = images(2).images();
        AtomicInteger computed = new AtomicInteger();
        features(new FeatureCache(home), images, computed);
        Path changed = images.get(0).path();
        FileTime time = Files.getLastModifiedTime(changed);
        try (RandomAccessFile file = new RandomAccessFile(changed.toFile(), "rw")) {
            file.seek(file.length() / 2);
            int value = file.read();
            file.seek(file.length() / 2);
            file.write(value ^ 0xFF);
        }
        Files.setLastModifiedTime(changed, time);

        features(new FeatureCache(home), images, computed);
        assertThat(computed).hasValue(8);
    }

    @Test
    void theKeyCoversWeightsSeedSizeEngineAndTheFileList() throws Exception {
        List<LabelledImage> images = images(2).images();
        FeatureCache cache = new FeatureCache(home);
        FeatureStore.Source base = source();
        String key = cache.key(base, 0, images);
        Path weights = Files.writeString(home.resolve("w.h5"), "weights");

        assertThat(cache.key(base, 0, images)).isEqualTo(key);
        assertThat(cache.key(base, 4, images)).isNotEqualTo(key);
        assertThat(cache.key(new FeatureStore.Source("mobilenet", base.input(), Optional.of(weights), 5, "tl test",
                PLAIN, base.engine()), 0, images)).isNotEqualTo(key);
        assertThat(cache.key(new FeatureStore.Source("mobilenet", base.input(), Optional.empty(), 6, "tl test",
                PLAIN, base.engine()), 0, images)).isNotEqualTo(key);
        assertThat(cache.key(new FeatureStore.Source("mobilenet", new ModelSpec(List.of(new BaseSpec("mobilenet", 48)),
                SPEC.head(), 2).bases().get(0).inputSpec(), Optional.empty(), 5, "tl test", PLAIN, base.engine()), 0,
                images)).isNotEqualTo(key);
        assertThat(cache.key(new FeatureStore.Source("mobilenet", base.input(), Optional.empty(), 5, "tl test",
                PLAIN, () -> "dl4j"), 0, images)).isNotEqualTo(key);
        assertThat(cache.key(base, 0, images.subList(0, 3))).isNotEqualTo(key);
        assertThat(cache.key(base, 0, List.of(images.get(1), images.get(0), images.get(2), images.get(3))))
                .isNotEqualTo(key);
    }

    @Test
    void aDamagedEntryIsReportedDeletedAndComputedAgain() throws Exception {
        List<LabelledImage> images = images(2).images();
        AtomicInteger computed = new AtomicInteger();
        INDArray original = features(new FeatureCache(home), images, computed);
        Path entry = entries().get(0);
        try (RandomAccessFile file = new RandomAccessFile(entry.toFile(), "rw")) {
            file.seek(20); // the header stays valid; the first number becomes NaN
            file.writeInt(Float.floatToIntBits(Float.NaN));
        }
        List<String> warnings = LogCapture.infoLinesOf(FeatureCache.class,
                () -> assertThat(features(new FeatureCache(home), images, computed)).isNotEqualTo(original));
        assertThat(computed).hasValue(8);
        assertThat(warnings).anyMatch(line -> line.contains(entry.toString()) && line.contains("checksum"));

        Files.write(entries().get(0), new byte[] {0x54, 0x4C});
        warnings = LogCapture.infoLinesOf(FeatureCache.class, () -> features(new FeatureCache(home), images, computed));
        assertThat(computed).hasValue(12);
        assertThat(warnings).anyMatch(line -> line.contains("damaged"));
    }

    @Test
    void anInterruptedFeaturePassContinuesWhereItStopped() throws Exception {
        List<LabelledImage> images = images(5).images();
        List<Integer> starts = new ArrayList<>();
        FeatureStore.Computation failingAtSix = (from, chunk) -> {
            starts.add(from);
            if (from >= 6) {
                throw new IllegalStateException("killed");
            }
            return Nd4j.rand(chunk.size(), 3);
        };
        try {
            new FeatureCache(home, 3).features(source(), images, 1, failingAtSix);
        } catch (IllegalStateException killed) {
            // as a Ctrl-C during the feature pass
        }
        assertThat(starts).containsExactly(0, 3, 6);
        starts.clear();
        INDArray all = new FeatureCache(home, 3).features(source(), images, 1, (from, chunk) -> {
            starts.add(from);
            return Nd4j.rand(chunk.size(), 3);
        });
        assertThat(starts).containsExactly(6, 9);
        assertThat(all.rows()).isEqualTo(images.size());
    }

    @Test
    void aTemporaryFileAKilledWriterLeftIsRemoved() throws Exception {
        Files.createDirectories(home);
        Path stale = Files.writeString(home.resolve(".x.features123.tmp"), "half");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(3 * 3600)));
        Path fresh = Files.writeString(home.resolve(".y.features456.tmp"), "being written");

        features(new FeatureCache(home), images(1).images(), new AtomicInteger());
        assertThat(stale).doesNotExist();
        assertThat(fresh).exists();
    }

    @Test
    void trainingFromCachedFeaturesGivesTheSameHeadAsTrainingFromImages() throws Exception {
        ImageSet train = TestData.subset(TestData.TRAIN, 4);
        ImageSet validation = TestData.subset(TestData.VAL, 2);
        FeatureCache cache = new FeatureCache(home);

        Map<String, INDArray> fromImages = Params.snapshot(new Trainer(SPEC, HEAD_ONLY, null, null, TrainAugmentation.NONE,
                List.of()).train(train, validation, List.of(Optional.empty()), null).graph());
        Map<String, INDArray> filling = Params.snapshot(new Trainer(SPEC, HEAD_ONLY, null, cache, TrainAugmentation.NONE,
                List.of()).train(train, validation, List.of(Optional.empty()), null).graph());
        assertThat(entries()).hasSize(2); // training, validation
        Map<String, INDArray> fromCache = Params.snapshot(new Trainer(SPEC, HEAD_ONLY, null, cache, TrainAugmentation.NONE,
                List.of()).train(train, validation, List.of(Optional.empty()), null).graph());

        for (String key : List.of("head/dense_W", "head/dense_b", "head/output_W", "head/output_b")) {
            assertThat(fromCache.get(key)).as(key).isEqualTo(fromImages.get(key)).isEqualTo(filling.get(key));
        }
    }

    /**
     * The engines agree to about 1e-6, not to the bit, so each keeps its own entries: the same seed on the same
     * engine gives bit-identical weights, whichever engine computed the cache first.
     */
    @Test
    void eachEngineKeepsItsOwnFeaturesSoTheSameSeedOnTheSameEngineIsBitIdentical() throws Exception {
        ImageSet train = TestData.subset(TestData.TRAIN, 4);
        ImageSet validation = TestData.subset(TestData.VAL, 2);
        FeatureCache cache = new FeatureCache(home);
        TrainOptions onnxRuntime = HEAD_ONLY.toBuilder().engine(EngineRequest.ONNXRUNTIME).build();
        TrainOptions dl4j = HEAD_ONLY.toBuilder().engine(EngineRequest.DL4J).build();

        Map<String, INDArray> first = Params.snapshot(new Trainer(SPEC, onnxRuntime, null, cache, TrainAugmentation.NONE,
                List.of()).train(train, validation, List.of(Optional.empty()), null).graph());
        Map<String, INDArray> onDl4j = Params.snapshot(new Trainer(SPEC, dl4j, null, cache, TrainAugmentation.NONE,
                List.of()).train(train, validation, List.of(Optional.empty()), null).graph());
        assertThat(entries()).hasSize(4); // training and validation, per engine
        Map<String, INDArray> again = Params.snapshot(new Trainer(SPEC, onnxRuntime, null, null, TrainAugmentation.NONE,
                List.of()).train(train, validation, List.of(Optional.empty()), null).graph());

        assertThat(again).isEqualTo(first);
        assertThat(onDl4j.get("head/output_W").equalsWithEps(first.get("head/output_W"), 1e-4)).isTrue();
    }
}

package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tl.BuildInfo;
import dev.tl.TestData;
import dev.tl.data.Augmentation;
import dev.tl.data.Augmenter;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
import dev.tl.data.LabelledImage;
import dev.tl.features.FeatureCache;
import dev.tl.features.FeatureStore;
import dev.tl.model.BaseSpec;
import dev.tl.model.BaseWeights;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.Params;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.LoggerFactory;

/** The frozen phase with augmentation, through both of its paths, on a real MobileNet and real images. */
class AugmentedTrainingTest {

    private static final long SEED = 11;
    private static final ModelSpec SPEC = new ModelSpec(List.of(new BaseSpec("mobilenet", 32)), new HeadSpec(0, 0.3), 2);
    private static final TrainOptions HEAD_ONLY = TrainOptions.builder().batchSize(4).frozenEpochs(3).learningRate(1e-2)
            .finetuneLearningRate(1e-4).seed(SEED).build();
    private static final TrainAugmentation ON_IMAGES = new TrainAugmentation(Augmentation.PRESET, 0);
    private static final TrainAugmentation TWO_COPIES = new TrainAugmentation(Augmentation.PRESET, 2);

    private static ImageSet train;
    private static ImageSet validation;
    private static Map<String, INDArray> initial;

    @TempDir
    Path cacheDir;

    @BeforeAll
    static void setUp() {
        train = TestData.subset(TestData.TRAIN, 4);
        validation = TestData.subset(TestData.VAL, 2);
        initial = Params.snapshot(ModelGraphs.initial(SPEC, SEED, BaseWeights.RANDOM_INIT_SEED));
    }

    /** Trains and returns the final parameters, with the Trainer's log lines in {@code log}. */
    private Map<String, INDArray> train(TrainAugmentation augmentation, FeatureCache cache, List<String> log) {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Trainer.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        logger.addAppender(appender);
        try {
            TrainedModel trained = new Trainer(SPEC, HEAD_ONLY, null, cache, augmentation, List.of())
                    .train(train, validation, List.of(Optional.empty()), null);
            assertThat(trained.history()).hasSize(HEAD_ONLY.frozenEpochs());
            return Params.snapshot(trained.graph());
        } finally {
            logger.detachAppender(appender);
            logger.setAdditive(true);
            logger.setLevel(level);
            appender.list.forEach(event -> log.add(event.getFormattedMessage()));
        }
    }

    private static void assertOnlyTheHeadLearned(Map<String, INDArray> after) {
        for (String key : initial.keySet()) {
            if (key.startsWith("head/")) {
                assertThat(after.get(key)).as(key).isNotEqualTo(initial.get(key));
            } else {
                assertThat(after.get(key)).as(key).isEqualTo(initial.get(key));
            }
        }
    }

    @Test
    void byDefaultFrozenEpochsRunAugmentedImagesThroughTheFrozenBase() {
        List<String> log = new ArrayList<>();
        Map<String, INDArray> after = train(ON_IMAGES, new FeatureCache(cacheDir), log);

        assertOnlyTheHeadLearned(after);
        assertThat(log).anyMatch(line -> line.contains("each epoch's augmented images go through the frozen base "
                + "(inference only)"));
        assertThat(train(ON_IMAGES, null, new ArrayList<>())).as("same seed, same weights")
                .isEqualTo(after);
        Map<String, INDArray> plain = train(TrainAugmentation.NONE, null, new ArrayList<>());
        assertThat(after.get("head/output_W")).isNotEqualTo(plain.get("head/output_W"));
    }

    @Test
    void cachedCopiesTrainTheHeadAndDifferFromEachOther() throws Exception {
        FeatureCache cache = new FeatureCache(cacheDir);
        List<String> log = new ArrayList<>();
        Map<String, INDArray> after = train(TWO_COPIES, cache, log);

        assertOnlyTheHeadLearned(after);
        assertThat(log).anyMatch(line -> line.contains("features of 2 augmented copies"));
        try (var entries = Files.list(cacheDir)) {
            assertThat(entries.filter(p -> p.toString().endsWith(".features"))).hasSize(3);
        }
        INDArray copy1 = cached(cache, new Augmenter(Augmentation.PRESET, SEED).epoch(1), train);
        INDArray copy2 = cached(cache, new Augmenter(Augmentation.PRESET, SEED).epoch(2), train);
        cached(cache, ImageViews.PLAIN, validation); // validation features are never augmented
        assertThat(copy1.shape()).containsExactly(8, 1024);
        assertThat(copy1).isNotEqualTo(copy2);

        assertThat(train(TWO_COPIES, cache, new ArrayList<>())).as("read back from the cache")
                .isEqualTo(after);
    }

    /** The cache entry of the features of {@code images} under {@code views}; fails if there is none. */
    private static INDArray cached(FeatureCache cache, ImageViews views, ImageSet images) {
        return cache.features(source(views), images.images(), HEAD_ONLY.batchSize(), (from, chunk) -> {
            throw new AssertionError("no cached features for " + views.key());
        });
    }

    @Test
    void theCacheKeyCoversTheAugmentationSettingsSeedAndCopy() {
        List<LabelledImage> images = train.images();
        FeatureCache cache = new FeatureCache(cacheDir);
        String plain = key(cache, ImageViews.PLAIN, images);
        String copy1 = key(cache, new Augmenter(Augmentation.PRESET, SEED).epoch(1), images);

        assertThat(key(cache, new Augmenter(Augmentation.PRESET, SEED).epoch(1), images)).isEqualTo(copy1);
        assertThat(List.of(plain,
                key(cache, new Augmenter(Augmentation.PRESET, SEED).epoch(2), images),
                key(cache, new Augmenter(Augmentation.PRESET, SEED + 1).epoch(1), images),
                key(cache, new Augmenter(new Augmentation(true, false, 10, 0.1, 0.1, 0.1, 0.2), SEED).epoch(1), images),
                key(cache, new Augmenter(new Augmentation(false, false, 10, 0.1, 0.1, 0.1, 0.1), SEED).epoch(1),
                        images))).doesNotContain(copy1).doesNotHaveDuplicates();
    }

    private static String key(FeatureCache cache, ImageViews views, List<LabelledImage> images) {
        return cache.key(source(views), 0, images);
    }

    private static FeatureStore.Source source(ImageViews views) {
        return new FeatureStore.Source("mobilenet", SPEC.bases().get(0).inputSpec(), Optional.empty(),
                BaseWeights.RANDOM_INIT_SEED, BuildInfo.version(), views.key(), () -> "onnxruntime");
    }
}

package dev.tl.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.TestData;
import dev.tl.data.ImageSet;
import dev.tl.engine.Dl4jOutputs;
import dev.tl.model.BaseSpec;
import dev.tl.model.FreezePlan;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.train.TrainAugmentation;
import dev.tl.train.TrainOptions;
import dev.tl.train.TrainedModel;
import dev.tl.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;

class ModelBundleTest {

    private static final ModelSpec SPEC = new ModelSpec(List.of(new BaseSpec("mobilenet", 32)), new HeadSpec(16, 0.3), 2);

    @TempDir
    Path dir;

    private static TrainedModel trained;
    private static ImageSet val;

    @BeforeAll
    static void train() {
        ImageSet train = TestData.subset(TestData.TRAIN, 6);
        val = TestData.subset(TestData.VAL, 4);
        TrainOptions options = TrainOptions.builder().batchSize(6).frozenEpochs(2).finetuneEpochs(1).learningRate(1e-3)
                .finetuneLearningRate(1e-4).seed(9).build();
        trained = new Trainer(SPEC, options, null, null, TrainAugmentation.NONE, List.of())
                .train(train, val, List.of(Optional.empty()), null);
    }

    private static BundleMetadata metadata(String createdAt) {
        return new BundleMetadata(BundleMetadata.FORMAT_VERSION, "tl test", createdAt, ModelBundle.MODEL_FILE,
                BundleMetadata.inputsOf(SPEC), List.of("horizontal", "vertical"), new BundleMetadata.Head(0, 0.2), null,
                BundleMetadata.historyOf(trained.history()), BundleMetadata.Epoch.of(trained.kept()));
    }

    private static INDArray predictions(org.deeplearning4j.nn.graph.ComputationGraph graph) {
        return Dl4jOutputs.of(graph, SPEC.inputSpecs(), val.images(), 3);
    }

    @Test
    void aReloadedBundlePredictsExactlyWhatTheTrainedModelPredicted() {
        Path bundle = dir.resolve("model");
        ModelBundle.save(bundle, trained.graph(), metadata("t1"), Map.of(), false);

        ModelBundle.Loaded loaded = ModelBundle.load(bundle);

        assertThat(loaded.metadata().classes()).containsExactly("horizontal", "vertical");
        assertThat(loaded.metadata().history()).isEqualTo(BundleMetadata.historyOf(trained.history()));
        assertThat(predictions(loaded.graph())).isEqualTo(predictions(trained.graph()));
    }

    @Test
    void savingOverABundleReplacesItWholeAndLeavesNoDebris() throws Exception {
        Path bundle = dir.resolve("model");
        ModelBundle.save(bundle, trained.graph(), metadata("first"), Map.of(), false);
        ModelBundle.save(bundle, trained.graph(), metadata("second"), Map.of(), false);

        assertThat(ModelBundle.load(bundle).metadata().createdAt()).isEqualTo("second");
        try (var entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("model");
        }
    }

    @Test
    void aFailedSaveLeavesThePreviousBundleIntact() throws Exception {
        Path bundle = dir.resolve("model");
        ModelBundle.save(bundle, trained.graph(), metadata("good"), Map.of(), false);

        assertThatThrownBy(() -> ModelBundle.save(bundle, null, metadata("bad"), Map.of(), false)).isInstanceOf(RuntimeException.class);

        assertThat(ModelBundle.load(bundle).metadata().createdAt()).isEqualTo("good");
        try (var entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("model");
        }
    }

    @Test
    void extraFilesComeAndGoWithTheirBundle() throws Exception {
        Path bundle = dir.resolve("model");
        ModelBundle.save(bundle, trained.graph(), metadata("with"), Map.of(ModelBundle.TEST_SET_FILE, "path,label\n"), false);
        assertThat(bundle.resolve(ModelBundle.TEST_SET_FILE)).hasContent("path,label");

        assertThatThrownBy(() -> ModelBundle.save(bundle, null, metadata("bad"), Map.of("errors.csv", "x"), false))
                .isInstanceOf(RuntimeException.class);
        assertThat(bundle.resolve(ModelBundle.TEST_SET_FILE)).exists();
        assertThat(bundle.resolve("errors.csv")).doesNotExist();

        ModelBundle.save(bundle, trained.graph(), metadata("without"), Map.of(), false);
        assertThat(bundle.resolve(ModelBundle.TEST_SET_FILE)).doesNotExist(); // a new bundle is all new

        for (String name : List.of("../escape.csv", ModelBundle.METADATA_FILE, ".hidden")) {
            assertThatThrownBy(() -> ModelBundle.save(bundle, trained.graph(), metadata("x"), Map.of(name, "x"), false))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(ModelBundle.load(bundle).metadata().createdAt()).isEqualTo("without");
    }

    /** tl-model.json as tl 0.1 (commit e6b80a0) wrote it, with a step schedule, class weights and augmentation. */
    @Test
    void aBundleOfTheFirstReleaseStillLoadsAndPredicts() throws Exception {
        Path bundle = Files.createDirectories(dir.resolve("first-release"));
        Files.copy(Path.of("src/test/resources/bundles/v1-tl-model.json"), bundle.resolve(ModelBundle.METADATA_FILE));
        ModelSpec spec = new ModelSpec(List.of(new BaseSpec("mobilenet", 32)), new HeadSpec(8, 0.2), 2);
        ModelSerializer.writeModel(ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 1),
                bundle.resolve(ModelBundle.MODEL_FILE).toFile(), false);

        ModelBundle.Loaded loaded = ModelBundle.load(bundle);

        BundleMetadata metadata = loaded.metadata();
        assertThat(metadata.classes()).containsExactly("ants", "bees");
        assertThat(metadata.inputSpecs()).containsExactly(spec.inputSpecs().get(0));
        assertThat(metadata.head()).isEqualTo(new BundleMetadata.Head(8, 0.2));
        assertThat(metadata.training().options().schedule().name()).isEqualTo("step");
        assertThat(metadata.training().options().classWeights()).containsOnlyKeys("ants", "bees");
        assertThat(metadata.training().augmentation().featureCacheCopies()).isEqualTo(2);
        assertThat(metadata.history()).extracting(BundleMetadata.Epoch::phase)
                .containsExactly("frozen", "frozen", "finetune");
        assertThat(metadata.keptEpoch().epoch()).isEqualTo(1);
        assertThat(Dl4jOutputs.of(loaded.graph(), loaded.metadata().inputSpecs(), val.images(), 4).size(1))
                .isEqualTo(2);
    }
}

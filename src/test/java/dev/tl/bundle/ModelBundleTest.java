package dev.tl.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.TestData;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageSet;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.model.Inference;
import dev.tl.model.ModelSpec;
import dev.tl.model.Unfreeze;
import dev.tl.train.TrainOptions;
import dev.tl.train.TrainedModel;
import dev.tl.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

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
        TrainOptions options = new TrainOptions(6, 2, 1, Unfreeze.ALL, false, 1e-3, 1e-4, 9);
        trained = new Trainer(SPEC, options, null).train(train, val, List.of(Optional.empty()));
    }

    private static BundleMetadata metadata(String createdAt) {
        return new BundleMetadata(BundleMetadata.FORMAT_VERSION, "tl test", createdAt, ModelBundle.MODEL_FILE,
                BundleMetadata.inputsOf(SPEC), List.of("horizontal", "vertical"), SPEC.head(), null, trained.history(),
                trained.kept());
    }

    private static INDArray predictions(org.deeplearning4j.nn.graph.ComputationGraph graph) {
        try (BatchLoader loader = new BatchLoader(SPEC.inputSpecs(), 2)) {
            return Inference.outputs(graph, loader, val.images(), 3);
        }
    }

    @Test
    void aReloadedBundlePredictsExactlyWhatTheTrainedModelPredicted() {
        Path bundle = dir.resolve("model");
        ModelBundle.save(bundle, trained.graph(), metadata("t1"));

        ModelBundle.Loaded loaded = ModelBundle.load(bundle);

        assertThat(loaded.metadata().classes()).containsExactly("horizontal", "vertical");
        assertThat(loaded.metadata().history()).isEqualTo(trained.history());
        assertThat(predictions(loaded.graph())).isEqualTo(predictions(trained.graph()));
    }

    @Test
    void savingOverABundleReplacesItWholeAndLeavesNoDebris() throws Exception {
        Path bundle = dir.resolve("model");
        ModelBundle.save(bundle, trained.graph(), metadata("first"));
        ModelBundle.save(bundle, trained.graph(), metadata("second"));

        assertThat(ModelBundle.load(bundle).metadata().createdAt()).isEqualTo("second");
        try (var entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("model");
        }
    }

    @Test
    void aFailedSaveLeavesThePreviousBundleIntact() throws Exception {
        Path bundle = dir.resolve("model");
        ModelBundle.save(bundle, trained.graph(), metadata("good"));

        assertThatThrownBy(() -> ModelBundle.save(bundle, null, metadata("bad"))).isInstanceOf(RuntimeException.class);

        assertThat(ModelBundle.load(bundle).metadata().createdAt()).isEqualTo("good");
        try (var entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("model");
        }
    }

    @Test
    void extraFilesComeAndGoWithTheirBundle() throws Exception {
        Path bundle = dir.resolve("model");
        ModelBundle.save(bundle, trained.graph(), metadata("with"), Map.of(ModelBundle.TEST_SET_FILE, "path,label\n"));
        assertThat(bundle.resolve(ModelBundle.TEST_SET_FILE)).hasContent("path,label");

        assertThatThrownBy(() -> ModelBundle.save(bundle, null, metadata("bad"), Map.of("other.csv", "x")))
                .isInstanceOf(RuntimeException.class);
        assertThat(bundle.resolve(ModelBundle.TEST_SET_FILE)).exists();
        assertThat(bundle.resolve("other.csv")).doesNotExist();

        ModelBundle.save(bundle, trained.graph(), metadata("without"));
        assertThat(bundle.resolve(ModelBundle.TEST_SET_FILE)).doesNotExist(); // a new bundle is all new

        for (String name : List.of("../escape.csv", ModelBundle.METADATA_FILE, ".hidden")) {
            assertThatThrownBy(() -> ModelBundle.save(bundle, trained.graph(), metadata("x"), Map.of(name, "x")))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(ModelBundle.load(bundle).metadata().createdAt()).isEqualTo("without");
    }
}

package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.TestData;
import dev.tl.bundle.ModelBundle;
import dev.tl.data.Framing;
import dev.tl.data.ImageSet;
import dev.tl.data.LabelSource;
import dev.tl.features.FeatureTable;
import dev.tl.features.ParquetFeatures;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.engine.Dl4jOutputs;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.Params;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tl train --features x.parquet}: a head trained on features from a file (here written by tl embed on this
 * machine; the Spark job's test writes them with Spark) is the model a run on the images would train.
 */
class TrainFromFeaturesTest {

    private static final List<String> RANDOM_MOBILENET = List.of("--model", "mobilenet", "--weights", "none",
            "--image-size", "48");
    private static final List<String> HEAD_ONLY = List.of("--frozen-epochs", "3", "--finetune-epochs", "0",
            "--val-split", "0.25", "--seed", "5", "--batch-size", "16");

    @TempDir
    static Path dir;

    static Path train;
    static Path features;

    @BeforeAll
    static void embed() throws Exception {
        train = TestData.copySubset(TestData.TRAIN, 12, dir.resolve("train"));
        features = dir.resolve("features.parquet");
        assertThat(run(concat(List.of("embed", "--data", train.toString(), "--out", features.toString()),
                RANDOM_MOBILENET)).exitCode()).isZero();
    }

    @Test
    void theHeadFromTheFilesFeaturesPredictsWhatTheHeadFromTheImagesPredicts() throws Exception {
        Path fromFeatures = dir.resolve("from-features");
        Path fromImages = dir.resolve("from-images");
        CliRunner.Result trained = run(concat(List.of("train", "--features", features.toString(), "--weights", "none",
                "--output", fromFeatures.toString()), HEAD_ONLY));
        assertThat(trained.exitCode()).as(trained.err()).isZero();
        assertThat(run(concat(List.of("train", "--data", train.toString(), "--no-feature-cache", "--output",
                fromImages.toString()), RANDOM_MOBILENET, HEAD_ONLY)).exitCode()).isZero();

        HeadPredictions.assertSame(fromFeatures, fromImages, TestData.VAL, 40, 1e-6);
        JsonNode meta = Json.MAPPER.readTree(fromFeatures.resolve(ModelBundle.METADATA_FILE).toFile());
        assertThat(meta.get("training").get("labels").asText()).startsWith("features:");
        assertThat(meta.get("history")).hasSize(3);
    }

    @Test
    void theModelGetsTheRandomBackboneThatComputedTheFeaturesWhateverItsOwnSeed() {
        Path model = dir.resolve("saved-base");
        CliRunner.Result trained = run(concat(List.of("train", "--features", features.toString(), "--output",
                model.toString()), HEAD_ONLY));
        assertThat(trained.exitCode()).as(trained.err()).isZero();

        ComputationGraph graph = ModelBundle.load(model).graph();
        ModelSpec spec = new ModelSpec(List.of(new BaseSpec("mobilenet", 48, new Framing(1))), new HeadSpec(0, 0), 2);
        ComputationGraph extractor = ModelGraphs.featureExtractor(spec, 0);
        Params.copyShared(graph, extractor);
        ImageSet images = LabelSource.FOLDERS.scan(train, "--data");
        float[][] recomputed;
        recomputed = Dl4jOutputs.of(extractor, spec.inputSpecs(), images.images(), 8).toFloatMatrix();
        FeatureTable file = ParquetFeatures.read(features);
        for (int i = 0; i < images.size(); i++) {
            assertThat(file.rows().get(i).path()).isEqualTo(images.images().get(i).path().toString());
            // the same features up to float rounding (the batches differ); another seed's are nothing alike
            assertThat(recomputed[i]).containsExactly(file.rows().get(i).features(), within(1e-6f));
        }
    }

    @Test
    void optionsThatContradictTheFileAreExit2NamingThem() {
        assertThat(refused("--features", features.toString(), "--data", train.toString()))
                .contains("--features and --data exclude each other");
        assertThat(refused("--features", features.toString(), "--finetune-epochs", "1")).contains("--finetune-epochs");
        assertThat(refused("--features", features.toString(), "--model", "vgg16"))
                .contains("--features: the features were computed by mobilenet at 48 px (crop:1.0), not by vgg16");
        assertThat(refused("--features", features.toString(), "--weights", "imagenet"))
                .contains("computed with the weights none, not imagenet");
        assertThat(refused("--features", features.toString(), "--augment")).contains("--augment");
        assertThat(refused("--features", train.resolve("horizontal").toString())).contains("--features")
                .contains(".parquet");
    }

    private static String refused(String... args) {
        CliRunner.Result result = run(concat(List.of("train"), List.of(args)));
        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        return result.err();
    }

    private static CliRunner.Result run(List<String> args) {
        return CliRunner.run(args.toArray(String[]::new));
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        return java.util.Arrays.stream(parts).flatMap(List::stream).toList();
    }
}

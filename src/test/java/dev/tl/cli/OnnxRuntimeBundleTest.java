package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.TestData;
import dev.tl.bundle.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A saved bundle holds its model as ONNX, and predict and evaluate run it on ONNX Runtime without building the DL4J
 * graph or starting ND4J, giving DL4J's numbers; a bundle without one (an earlier tl's) or with one left from another
 * model gets its model converted again.
 */
class OnnxRuntimeBundleTest {

    @TempDir
    static Path work;

    private static Path model;
    private static Path val;

    @BeforeAll
    static void trainOnce() throws Exception {
        Path train = TestData.copySubset(TestData.TRAIN, 4, work.resolve("train"));
        val = TestData.copySubset(TestData.VAL, 2, work.resolve("val"));
        model = work.resolve("model");
        CliRunner.Result trained = CliRunner.run("train", "--model", "mobilenet_0.25", "--weights", "none", "--data",
                train.toString(), "--val-data", val.toString(), "--image-size", "32", "--batch-size", "4",
                "--frozen-epochs", "2", "--finetune-epochs", "0", "--output", model.toString());
        assertThat(trained.exitCode()).as(trained.err()).isZero();
    }

    private static JsonNode predict(Path bundle, String engine) throws Exception {
        CliRunner.Result result = CliRunner.run("predict", "--model-dir", bundle.toString(), "--engine", engine,
                "--top-k", "2", "--json", val.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        return Json.MAPPER.readTree(result.out());
    }

    /** Every class's probability of every image (top-k is all classes), compared by class. */
    private static void assertSamePredictions(JsonNode actual, JsonNode expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).get("path")).isEqualTo(expected.get(i).get("path"));
            Map<String, Double> a = probabilities(actual.get(i));
            probabilities(expected.get(i)).forEach((label, p) ->
                    assertThat(a.get(label)).as(label).isCloseTo(p, within(1e-5)));
        }
    }

    private static Map<String, Double> probabilities(JsonNode prediction) {
        Map<String, Double> byLabel = new HashMap<>();
        prediction.get("predictions").forEach(label -> byLabel.put(label.get("label").asText(),
                label.get("probability").asDouble()));
        return byLabel;
    }

    @Test
    void theBundleHoldsItsOnnxModelAndBothEnginesPredictAlike() throws Exception {
        assertThat(model.resolve(ModelBundle.ONNX_FILE)).isRegularFile();
        assertSamePredictions(predict(model, "onnxruntime"), predict(model, "dl4j"));
    }

    @Test
    void predictAndEvaluateOnOnnxRuntimeNeverStartNd4jNorBuildTheGraph() throws Exception {
        Path image = Files.list(val.resolve("horizontal")).findFirst().orElseThrow();
        for (List<String> command : List.of(List.of("predict", "--model-dir", model.toString(), image.toString()),
                List.of("evaluate", "--model-dir", model.toString(), "--data", val.toString()))) {
            TlProcess.Result run = TlProcess.piped(work.resolve("home"), List.of("-verbose:class"),
                    command.toArray(String[]::new));
            assertThat(run.exitCode()).as(run.stderr()).isZero();
            assertThat(run.stderr()).contains("inference engine: onnxruntime");
            assertThat(run.stdout()).contains("ai.onnxruntime.OrtSession ")
                    .doesNotContain("org.nd4j.linalg.factory.Nd4j ")
                    .doesNotContain("org.deeplearning4j.nn.graph.vertex.impl.LayerVertex ");
        }
    }

    @Test
    void aBundleWithoutACurrentOnnxModelGetsItsModelConvertedAgain() throws Exception {
        Path older = work.resolve("older");
        copyBundle(model, older);
        Files.delete(older.resolve(ModelBundle.ONNX_FILE));
        JsonNode expected = predict(model, "dl4j");

        assertSamePredictions(predict(older, "onnxruntime"), expected);
        assertThat(older.resolve(ModelBundle.ONNX_FILE)).isRegularFile(); // added on first use

        // A model.onnx of another model beside this model file (e.g. copied over) is not used.
        Path other = work.resolve("other");
        CliRunner.Result trained = CliRunner.run("train", "--model", "mobilenet_0.25", "--weights", "none", "--data",
                val.toString(), "--image-size", "32", "--batch-size", "4", "--frozen-epochs", "1",
                "--finetune-epochs", "0", "--val-split", "0", "--seed", "9", "--output", other.toString());
        assertThat(trained.exitCode()).as(trained.err()).isZero();
        Files.copy(other.resolve(ModelBundle.ONNX_FILE), older.resolve(ModelBundle.ONNX_FILE),
                StandardCopyOption.REPLACE_EXISTING);
        assertSamePredictions(predict(older, "onnxruntime"), expected);
    }

    private static void copyBundle(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }
}

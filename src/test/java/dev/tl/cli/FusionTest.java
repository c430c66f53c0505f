package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several backbones, each with its own input size and preprocessing, feeding one head. */
class FusionTest {

    @TempDir
    Path dir;

    @Test
    void aFusedModelTrainsEvaluatesAndPredicts() throws Exception {
        Path train = TestData.copySubset(TestData.TRAIN, 4, dir.resolve("train"));
        Path val = TestData.copySubset(TestData.VAL, 2, dir.resolve("val"));
        Path model = dir.resolve("fused");

        CliRunner.Result trained = CliRunner.run("train", "--model", "mobilenet,densenet121", "--image-size", "32,40",
                "--weights", "none", "--data", train.toString(), "--val-data", val.toString(), "--batch-size", "4",
                "--frozen-epochs", "2", "--output", model.toString());

        assertThat(trained.exitCode()).as(trained.err()).isZero();
        JsonNode meta = Json.MAPPER.readTree(model.resolve("tl-model.json").toFile());
        assertThat(meta.get("inputs")).hasSize(2);
        assertThat(meta.get("inputs").get(0).get("backbone").asText()).isEqualTo("mobilenet");
        assertThat(meta.get("inputs").get(0).get("image_size").asInt()).isEqualTo(32);
        assertThat(meta.get("inputs").get(0).get("preprocessing").asText()).isEqualTo("tf");
        assertThat(meta.get("inputs").get(1).get("backbone").asText()).isEqualTo("densenet121");
        assertThat(meta.get("inputs").get(1).get("image_size").asInt()).isEqualTo(40);
        assertThat(meta.get("inputs").get(1).get("preprocessing").asText()).isEqualTo("torch");
        assertThat(meta.get("history")).hasSize(2).allMatch(epoch -> epoch.get("phase").asText().equals("frozen"));

        CliRunner.Result evaluated = CliRunner.run("evaluate", "--model-dir", model.toString(), "--data",
                val.toString(), "--json");
        assertThat(evaluated.exitCode()).as(evaluated.err()).isZero();
        assertThat(Json.MAPPER.readTree(evaluated.out()).get("images").asInt()).isEqualTo(4);

        Path image = Files.list(val.resolve("vertical")).sorted().findFirst().orElseThrow();
        CliRunner.Result predicted = CliRunner.run("predict", "--model-dir", model.toString(), "--json",
                image.toString());
        assertThat(predicted.exitCode()).as(predicted.err()).isZero();
        assertThat(Json.MAPPER.readTree(predicted.out()).get(0).get("predictions")).hasSize(2);
    }

    /** Width variants' names hold a '.': as vertex prefixes ("mobilenet_0.25/conv1") they survive save and load. */
    @Test
    void widthVariantsFuseUnderTheirDottedNames() throws Exception {
        Path train = TestData.copySubset(TestData.TRAIN, 3, dir.resolve("train"));
        Path model = dir.resolve("fused");

        CliRunner.Result trained = CliRunner.run("train", "--model", "mobilenet_0.25,mobilenetv2_0.35",
                "--image-size", "32", "--weights", "none", "--data", train.toString(), "--val-split", "0",
                "--batch-size", "3", "--frozen-epochs", "1", "--output", model.toString());

        assertThat(trained.exitCode()).as(trained.err()).isZero();
        JsonNode inputs = Json.MAPPER.readTree(model.resolve("tl-model.json").toFile()).get("inputs");
        assertThat(inputs.get(0).get("backbone").asText()).isEqualTo("mobilenet_0.25");
        assertThat(inputs.get(1).get("backbone").asText()).isEqualTo("mobilenetv2_0.35");
        CliRunner.Result predicted = CliRunner.run("predict", "--model-dir", model.toString(), "--json",
                train.toString());
        assertThat(predicted.exitCode()).as(predicted.err()).isZero();
        assertThat(Json.MAPPER.readTree(predicted.out())).hasSize(6);
    }

    @Test
    void fineTuningAFusedModelIsRefusedWithAReason() {
        CliRunner.Result result = CliRunner.run("train", "--model", "mobilenet,densenet121", "--weights", "none",
                "--data", TestData.TRAIN.toString(), "--finetune-epochs", "1");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--finetune-epochs", "fused", "not supported");
    }

    @Test
    void imageSizesMustMatchTheBackbones() {
        CliRunner.Result result = CliRunner.run("train", "--model", "mobilenet,densenet121", "--weights", "none",
                "--data", TestData.TRAIN.toString(), "--image-size", "32,40,48");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--image-size", "one per backbone");
    }
}

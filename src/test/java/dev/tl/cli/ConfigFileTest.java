package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** {@code --config FILE}: every option settable from YAML or JSON, the command line overriding the file. */
class ConfigFileTest {

    @TempDir
    Path dir;

    @Test
    void optionsComeFromTheFileAndTheCommandLineOverridesThem() throws Exception {
        Path train = TestData.copySubset(TestData.TRAIN, 3, dir.resolve("train"));
        Path model = dir.resolve("model");
        Path config = Files.writeString(dir.resolve("run.yaml"), """
                # a commented config, as in config/
                model: mobilenet
                weights: none
                data: %s
                image_size: 32
                batch-size: 3
                frozen-epochs: 3
                finetune-epochs: 0
                dense: 8
                val-split: 0.34
                bn-trainable: true
                output: %s
                """.formatted(train, model));

        CliRunner.Result result = CliRunner.run("train", "--config", config.toString(), "--frozen-epochs", "1");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode meta = Json.MAPPER.readTree(model.resolve("tl-model.json").toFile());
        assertThat(meta.get("inputs").get(0).get("image_size").asInt()).isEqualTo(32);
        assertThat(meta.get("head").get("dense_units").asInt()).isEqualTo(8);
        assertThat(meta.get("training").get("options").get("batch_norm_trainable").asBoolean()).isTrue();
        assertThat(meta.get("history")).hasSize(1);   // --frozen-epochs 1 on the command line beat the file's 3
    }

    @Test
    void jsonWorksAndListsBecomeCommaSeparatedValues() throws Exception {
        Path train = TestData.copySubset(TestData.TRAIN, 3, dir.resolve("train"));
        Path model = dir.resolve("fused");
        Path config = Files.writeString(dir.resolve("run.json"), """
                {"model": ["mobilenet", "densenet121"], "image-size": [32, 40], "weights": "none",
                 "data": "%s", "frozen-epochs": 1, "output": "%s"}
                """.formatted(train, model));

        CliRunner.Result result = CliRunner.run("train", "--config", config.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode meta = Json.MAPPER.readTree(model.resolve("tl-model.json").toFile());
        assertThat(meta.get("inputs").get(1).get("backbone").asText()).isEqualTo("densenet121");
        assertThat(meta.get("inputs").get(1).get("image_size").asInt()).isEqualTo(40);
    }

    static Stream<Path> shippedConfigs() throws IOException {
        return Files.list(Path.of("config")).filter(p -> p.toString().endsWith(".yaml")).sorted();
    }

    /** Every example in config/ sets only real options, to values they accept. */
    @ParameterizedTest
    @MethodSource("shippedConfigs")
    void theShippedExamplesParse(Path config) {
        CommandLine cli = TlCli.commandLine();
        cli.parseArgs("train", "--config", config.toString());

        TrainCommand train = cli.getSubcommands().get("train").getCommand();
        assertThat(train.model.model).isNotBlank();
        assertThat(train.images.data).isNotNull();
    }

    @Test
    void anUnknownKeyIsAnErrorNamingTheFileAndTheKey() throws Exception {
        Path config = Files.writeString(dir.resolve("typo.yaml"), "model: mobilenet\nfrozen-epoch: 3\n");

        CliRunner.Result result = CliRunner.run("train", "--config", config.toString(), "--data",
                TestData.TRAIN.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("typo.yaml", "frozen-epoch");
    }

    @Test
    void aMissingOrMalformedFileIsAnErrorNamingIt() throws Exception {
        CliRunner.Result missing = CliRunner.run("train", "--config", dir.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.yaml");

        Path broken = Files.writeString(dir.resolve("broken.yaml"), "model: [mobilenet\n");
        CliRunner.Result malformed = CliRunner.run("train", "--config", broken.toString());
        assertThat(malformed.exitCode()).isEqualTo(2);
        assertThat(malformed.err()).contains("broken.yaml");
    }
}

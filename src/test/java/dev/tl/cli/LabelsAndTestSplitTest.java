package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.TestData;
import dev.tl.bundle.ModelBundle;
import dev.tl.data.ImageSet;
import dev.tl.data.LabelledImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * Kaggle's flat cats-vs-dogs layout through the command line: labels from file names, a held-out test set written
 * into the bundle and evaluated with the printed command, balanced class weights; and labels from CSV files.
 */
class LabelsAndTestSplitTest {

    private static final String KAGGLE_PATTERN = "^(\\w+)\\.\\d+\\.jpg$";

    @TempDir
    static Path work;

    private static Path flat;
    private static Path model;
    private static CliRunner.Result trained;

    /** 10 horizontal-stripe and 5 vertical-stripe images named horizontal.0.jpg ... vertical.14.jpg in one folder. */
    @BeforeAll
    static void trainOnFileNameLabels() throws Exception {
        flat = Files.createDirectories(work.resolve("flat"));
        ImageSet originals = TestData.subset(TestData.TRAIN, 10);
        int n = 0;
        int vertical = 0;
        for (LabelledImage image : originals.images()) {
            String name = originals.classes().get(image.label());
            if (!name.equals("vertical") || vertical++ < 5) {
                Files.copy(image.path(), flat.resolve(name + "." + n++ + ".jpg"));
            }
        }
        model = work.resolve("model");
        trained = CliRunner.run("train", "--model", "mobilenet", "--weights", "none", "--data", flat.toString(),
                "--labels-from-filename", KAGGLE_PATTERN, "--test-split", "0.2", "--class-weights", "auto",
                "--image-size", "32", "--batch-size", "8", "--frozen-epochs", "1", "--finetune-epochs", "1",
                "--output", model.toString());
    }

    @Test
    void theHeldOutTestSetIsWrittenIntoTheBundleAndRecorded() throws Exception {
        assertThat(trained.exitCode()).as(trained.err()).isZero();
        // 2 of 10 horizontal and 1 of 5 vertical held out; validation takes 0.2 of all of the data from the rest.
        assertThat(Files.readString(model.resolve(ModelBundle.TEST_SET_FILE)).lines().toList())
                .hasSize(4).first().isEqualTo("path,label");
        assertThat(Files.readString(model.resolve(ModelBundle.TEST_SET_FILE)).lines().skip(1))
                .allMatch(line -> line.matches("(horizontal|vertical)\\.\\d+\\.jpg,\\1"))
                .filteredOn(line -> line.startsWith("vertical")).hasSize(1);
        JsonNode training = Json.MAPPER.readTree(model.resolve(ModelBundle.METADATA_FILE).toFile()).get("training");
        assertThat(training.get("labels").asText()).isEqualTo("filename:" + KAGGLE_PATTERN);
        assertThat(training.get("test_split").asDouble()).isEqualTo(0.2);
        assertThat(training.get("test_set").asText()).isEqualTo(ModelBundle.TEST_SET_FILE);
        assertThat(List.of(training.get("train_images").asInt(), training.get("val_images").asInt(),
                training.get("test_images").asInt())).containsExactly(9, 3, 3);
        // 6 horizontal and 3 vertical train: 9 / (2 * 6) and 9 / (2 * 3).
        assertThat(training.get("options").get("class_weights").toString())
                .isEqualTo("{\"horizontal\":0.75,\"vertical\":1.5}");
    }

    @Test
    void thePrintedCommandEvaluatesTheModelOnTheTestSet() throws Exception {
        String command = trained.out().lines().filter(line -> line.startsWith("  tl evaluate ")).findFirst()
                .orElseThrow(() -> new AssertionError(trained.out()));
        assertThat(command).isEqualTo("  tl evaluate --model-dir " + model.toAbsolutePath());
        String[] args = command.trim().substring("tl ".length()).split(" ");

        CliRunner.Result result = CliRunner.run(append(args, "--json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode report = Json.MAPPER.readTree(result.out());
        assertThat(report.get("images").asInt()).isEqualTo(3);
        assertThat(report.get("per_class").get(1).get("support").asInt()).isEqualTo(1);
        assertThat(report.get("labels").asText()).isEqualTo("csv:" + model.toAbsolutePath().resolve("test-set.csv"));
        assertThat(report.get("set").asText()).isEqualTo("test");
        assertThat(report.get("chose_kept_epoch").asBoolean()).isFalse();
        assertThat(result.err()).doesNotContain("error");
    }

    @Test
    void theBundleKeepsThePlainLossAndEvaluatesFileNameLabels() throws Exception {
        ModelBundle.Loaded bundle = ModelBundle.load(model);
        LossMCXENT loss = (LossMCXENT) ((BaseOutputLayer) bundle.graph().getOutputLayer(0).conf().getLayer())
                .getLossFn();
        assertThat(loss.getWeights()).isNull();

        CliRunner.Result result = CliRunner.run("evaluate", "--model-dir", model.toString(), "--data",
                flat.toString(), "--labels-from-filename", KAGGLE_PATTERN, "--json");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Json.MAPPER.readTree(result.out()).get("images").asInt()).isEqualTo(15);

        // without a label option, the images are labelled by the pattern the model was trained with
        CliRunner.Result remembered = CliRunner.run("evaluate", "--model-dir", model.toString(), "--data",
                flat.toString(), "--json");
        assertThat(remembered.exitCode()).as(remembered.err()).isZero();
        JsonNode report = Json.MAPPER.readTree(remembered.out());
        assertThat(report.get("images").asInt()).isEqualTo(15);
        assertThat(report.get("labels").asText()).isEqualTo("filename:" + KAGGLE_PATTERN);
    }

    @Test
    void csvLabelsForTrainingAndValidationWithWeightsFromAFile() throws Exception {
        Path train = TestData.copySubset(TestData.TRAIN, 3, work.resolve("csv-train"));
        Path val = TestData.copySubset(TestData.VAL, 1, work.resolve("csv-val"));
        Path trainCsv = Files.writeString(work.resolve("train.csv"), "path,label\n"
                + "horizontal/" + firstImage(train, "horizontal") + ",rows\n"
                + "vertical/" + firstImage(train, "vertical") + ",columns\n"
                + "\"vertical/" + lastImage(train, "vertical") + "\",columns\n");
        Path valCsv = Files.writeString(work.resolve("val.csv"), "path,label\n" + val.resolve("vertical")
                .resolve(firstImage(val, "vertical")).toAbsolutePath() + ",columns\n");
        Path weights = Files.writeString(work.resolve("weights.json"), "{\"columns\": 1, \"rows\": 3}");
        Path csvModel = work.resolve("csv-model");

        CliRunner.Result result = CliRunner.run("train", "--model", "mobilenet", "--weights", "none",
                "--data", train.toString(), "--labels-csv", trainCsv.toString(), "--val-data", val.toString(),
                "--val-labels-csv", valCsv.toString(), "--class-weights", weights.toString(), "--image-size", "32",
                "--frozen-epochs", "1", "--finetune-epochs", "0", "--output", csvModel.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).doesNotContain("test set");
        assertThat(csvModel.resolve(ModelBundle.TEST_SET_FILE)).doesNotExist();
        JsonNode meta = Json.MAPPER.readTree(csvModel.resolve(ModelBundle.METADATA_FILE).toFile());
        assertThat(meta.get("classes").toString()).isEqualTo("[\"columns\",\"rows\"]");
        JsonNode training = meta.get("training");
        assertThat(List.of(training.get("train_images").asInt(), training.get("val_images").asInt()))
                .containsExactly(3, 1);
        assertThat(training.get("labels").asText()).isEqualTo("csv:" + trainCsv);
        assertThat(training.get("val_labels").asText()).isEqualTo("csv:" + valCsv);
        assertThat(training.get("test_set").isNull()).isTrue();
        assertThat(training.get("options").get("class_weights").toString()).isEqualTo("{\"columns\":1.0,\"rows\":3.0}");
    }

    private static String firstImage(Path root, String className) throws Exception {
        try (var files = Files.list(root.resolve(className))) {
            return files.map(f -> f.getFileName().toString()).sorted().findFirst().orElseThrow();
        }
    }

    private static String lastImage(Path root, String className) throws Exception {
        try (var files = Files.list(root.resolve(className))) {
            return files.map(f -> f.getFileName().toString()).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    private static String[] append(String[] args, String arg) {
        String[] all = Arrays.copyOf(args, args.length + 1);
        all[args.length] = arg;
        return all;
    }
}

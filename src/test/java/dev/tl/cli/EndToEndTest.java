package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.TestData;
import dev.tl.bundle.ModelBundle;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train → evaluate → predict through the command line, on the sample images, checking the files and output. */
class EndToEndTest {

    @TempDir
    static Path work;

    private static Path train;
    private static Path val;
    private static Path model;
    private static CliRunner.Result trained;

    @BeforeAll
    static void trainOnce() throws Exception {
        train = TestData.copySubset(TestData.TRAIN, 8, work.resolve("train"));
        val = TestData.copySubset(TestData.VAL, 4, work.resolve("val"));
        model = work.resolve("model");
        trained = CliRunner.run("train", "--model", "mobilenet", "--weights", "none", "--data", train.toString(),
                "--val-data", val.toString(), "--image-size", "32", "--batch-size", "8", "--frozen-epochs", "2",
                "--finetune-epochs", "1", "--output", model.toString(), "--json");
    }

    @Test
    void trainWritesACompleteBundle() throws Exception {
        assertThat(trained.exitCode()).as(trained.err()).isZero();
        JsonNode summary = Json.MAPPER.readTree(trained.out());
        assertThat(summary.get("bundle").asText()).isEqualTo(model.toString());
        assertThat(summary.get("files")).extracting(JsonNode::asText).contains("model.zip", "tl-model.json",
                "history.csv", "training.png", "validation-set.csv");
        assertThat(summary.get("kept_epoch").get("val_accuracy").isNumber()).isTrue();
        assertThat(summary.get("last_epoch").get("phase").asText()).isEqualTo("finetune");
        assertThat(summary.get("seconds").get("total").asDouble()).isGreaterThan(
                summary.get("seconds").get("finetune").asDouble()).isPositive();
        assertThat(summary.get("train_images").asInt()).isEqualTo(16);
        assertThat(summary.get("validation_images").asInt()).isEqualTo(8);
        assertThat(summary.get("test_set").isNull()).isTrue();
        BufferedImage plot = ImageIO.read(model.resolve("training.png").toFile());
        assertThat(plot.getWidth()).isEqualTo(900);
        assertThat(plot.getHeight()).isEqualTo(700);
        assertThat(model.resolve("model.zip")).isRegularFile();
        JsonNode meta = Json.MAPPER.readTree(model.resolve("tl-model.json").toFile());
        assertThat(meta.get("format_version").asInt()).isEqualTo(1);
        assertThat(meta.get("classes").toString()).isEqualTo("[\"horizontal\",\"vertical\"]");
        assertThat(meta.get("inputs").get(0).get("backbone").asText()).isEqualTo("mobilenet");
        assertThat(meta.get("inputs").get(0).get("image_size").asInt()).isEqualTo(32);
        assertThat(meta.get("inputs").get(0).get("preprocessing").asText()).isEqualTo("tf");
        assertThat(meta.get("inputs").get(0).get("framing").asText()).isEqualTo("crop:1.0");
        assertThat(meta.get("history")).hasSize(3);
        assertThat(meta.get("history").get(2).get("phase").asText()).isEqualTo("finetune");
        assertThat(meta.get("training").get("weights").asText()).isEqualTo("none");
        assertThat(meta.get("kept_epoch").get("val_accuracy").isNumber()).isTrue();
        List<String> history = Files.readAllLines(model.resolve("history.csv"));
        assertThat(history).hasSize(4);
        assertThat(history.get(0)).isEqualTo("epoch,phase,loss,accuracy,val_loss,val_accuracy,lr,seconds");
        JsonNode finetune = meta.get("history").get(2);
        assertThat(history.get(3)).startsWith("1,finetune," + finetune.get("loss").asDouble() + ","
                + finetune.get("accuracy").asDouble() + "," + finetune.get("val_loss").asDouble() + ",");
        // the training accuracy of every epoch: a share of the 16 training images
        assertThat(meta.get("history")).allSatisfy(epoch -> assertThat(epoch.get("accuracy").asDouble() * 16)
                .isBetween(0.0, 16.0).isCloseTo(Math.rint(epoch.get("accuracy").asDouble() * 16), within(1e-9)));
        assertThat(summary.get("last_epoch").get("accuracy").asDouble()).isEqualTo(finetune.get("accuracy")
                .asDouble());
        try (var leftovers = Files.list(work)) {
            assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith("."));
        }
    }

    @Test
    void evaluatePrintsJsonAndStoresItInTheBundle() throws Exception {
        CliRunner.Result result = CliRunner.run("evaluate", "--model-dir", model.toString(), "--data", val.toString(),
                "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode report = Json.MAPPER.readTree(result.out());
        assertThat(report.get("images").asInt()).isEqualTo(8);
        assertThat(report.get("set").asText()).isEqualTo("data");
        assertThat(report.get("chose_kept_epoch").asBoolean()).isFalse();
        assertThat(report.get("accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(report.get("loss").asDouble()).isPositive();
        assertThat(report.get("per_class")).hasSize(2);
        assertThat(report.get("macro_average").get("f1").isNumber()).isTrue();
        int total = 0;
        for (JsonNode row : report.get("confusion_matrix")) {
            for (JsonNode cell : row) {
                total += cell.asInt();
            }
        }
        assertThat(total).isEqualTo(8);
        assertThat(Json.MAPPER.readTree(model.resolve("evaluation.json").toFile())).isEqualTo(report);

        List<String> errors = Files.readAllLines(model.resolve("errors.csv"));
        assertThat(errors.get(0)).isEqualTo("path,true,predicted,probability,loss");
        assertThat(errors).hasSize(1 + report.get("misclassified").asInt());
        List<Double> losses = errors.stream().skip(1).map(row -> Double.parseDouble(row.substring(
                row.lastIndexOf(',') + 1))).toList();
        assertThat(losses).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(ImageIO.read(model.resolve("confusion.png").toFile()).getWidth()).isGreaterThan(400);
        assertThat(ImageIO.read(model.resolve("errors.png").toFile())).isNotNull();
    }

    @Test
    void evaluateWithoutDataTakesTheValidationSetTheModelWasTrainedWith() throws Exception {
        CliRunner.Result result = CliRunner.run("evaluate", "--model-dir", model.toString(), "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode report = Json.MAPPER.readTree(result.out());
        assertThat(report.get("images").asInt()).isEqualTo(8);
        assertThat(report.get("labels").asText()).isEqualTo("csv:" + model.resolve("validation-set.csv"));
        JsonNode kept = Json.MAPPER.readTree(model.resolve("tl-model.json").toFile()).get("kept_epoch");
        assertThat(report.get("accuracy").asDouble()).isEqualTo(kept.get("val_accuracy").asDouble());
        // it says which set that is, and that the set chose the kept epoch
        assertThat(report.get("set").asText()).isEqualTo("validation");
        assertThat(report.get("chose_kept_epoch").asBoolean()).isTrue();
        CliRunner.Result text = CliRunner.run("evaluate", "--model-dir", model.toString());
        assertThat(text.out()).startsWith("set       the model's validation set (" + model.resolve("validation-set.csv"))
                .contains("it chose the kept epoch, so these numbers are optimistic", "--test-split");
        assertThat(text.out().lines()).allMatch(line -> line.length() <= 100);
    }

    @Test
    void reportIsOneSelfContainedPage() throws Exception {
        CliRunner.Result evaluated = CliRunner.run("evaluate", "--model-dir", model.toString(), "--json");
        assertThat(evaluated.exitCode()).as(evaluated.err()).isZero();
        int misclassified = Json.MAPPER.readTree(evaluated.out()).get("misclassified").asInt();
        Path page = work.resolve("report.html");

        CliRunner.Result result = CliRunner.run("report", "--model-dir", model.toString(), "--out", page.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("wrote " + page);
        String html = Files.readString(page);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<h2>Data</h2>", "<h2>Backbone and settings</h2>",
                "<h2>Training</h2>", "<h2>Evaluation</h2>", "<h2>History</h2>", "<h2>Using the model</h2>", "horizontal", "mobilenet at 32 px",
                "tl predict --model-dir " + model, "the validation images that chose the kept epoch");
        // training.png, confusion.png and a thumbnail per error shown, all inside the page
        assertThat(html.split("src=\"data:image/png;base64,", -1)).hasSize(1 + 2 + Math.min(misclassified, 12));
        assertThat(html).doesNotContainPattern("(src|href)=\"(https?:|file:|/)");

        CliRunner.Result bad = CliRunner.run("report", "--model-dir", model.toString(), "--out", "report.txt");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--out");
    }

    @Test
    void everyFileTheCommandsLeaveInABundleIsOneASaveMayReplace() throws Exception {
        assertThat(CliRunner.run("evaluate", "--model-dir", model.toString()).exitCode()).isZero();
        assertThat(CliRunner.run("report", "--model-dir", model.toString()).exitCode()).isZero();

        try (var files = Files.list(model)) {
            assertThat(files.map(file -> file.getFileName().toString()).filter(name -> !name.startsWith(".")))
                    .contains(ModelBundle.REPORT_FILE, "errors.csv", "confusion.png", "training.png")
                    .allMatch(ModelBundle.OWN_FILES::contains);
        }
    }

    @Test
    void evaluatePrintsATableByDefault() {
        CliRunner.Result result = CliRunner.run("evaluate", "--model-dir", model.toString(), "--data", val.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("accuracy", "precision", "macro avg", "confusion matrix", "horizontal",
                "vertical");
    }

    @Test
    void predictGivesTopKProbabilitiesPerImage() throws Exception {
        Path image;
        try (var files = Files.list(val.resolve("horizontal"))) {
            image = files.sorted().findFirst().orElseThrow();
        }
        CliRunner.Result one = CliRunner.run("predict", "--model-dir", model.toString(), "--json", image.toString());
        assertThat(one.exitCode()).as(one.err()).isZero();
        JsonNode predictions = Json.MAPPER.readTree(one.out());
        assertThat(predictions).hasSize(1);
        assertThat(predictions.get(0).get("path").asText()).isEqualTo(image.toString());
        JsonNode top = predictions.get(0).get("predictions");
        assertThat(top).hasSize(2); // --top-k 3 capped at the number of classes
        assertThat(top.get(0).get("probability").asDouble()).isGreaterThanOrEqualTo(top.get(1).get("probability").asDouble());
        assertThat(top.get(0).get("probability").asDouble() + top.get(1).get("probability").asDouble())
                .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));

        CliRunner.Result directory = CliRunner.run("predict", "--model-dir", model.toString(), "--top-k", "1",
                val.toString());
        assertThat(directory.exitCode()).as(directory.err()).isZero();
        assertThat(directory.out().lines()).hasSize(8)
                .allMatch(line -> line.matches(".*\\t(horizontal|vertical) [01]\\.\\d{4}"));

        CliRunner.Result csv = CliRunner.run("predict", "--model-dir", model.toString(), "--output-format", "csv",
                val.toString());
        assertThat(csv.exitCode()).as(csv.err()).isZero();
        List<String> rows = csv.out().lines().toList();
        assertThat(rows).hasSize(9).first().isEqualTo("path,label_1,probability_1,label_2,probability_2,error");
        assertThat(rows.subList(1, 9)).allMatch(row -> row.matches(".+,(horizontal|vertical),[01]\\.\\d{6},"
                + "(horizontal|vertical),[01]\\.\\d{6},"));

        CliRunner.Result noCsv = CliRunner.run("evaluate", "--model-dir", model.toString(), "--output-format", "csv");
        assertThat(noCsv.exitCode()).isEqualTo(2);
        assertThat(noCsv.err()).contains("--output-format csv");
    }
}
